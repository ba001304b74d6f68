#!/usr/bin/env bash
# The cluster (npm run cluster, the failover test) runs Debian's Patroni on PostgreSQL 15, etcd and HAProxy;
# installs them when missing. Patroni's `etcd3:` client is built on python3-etcd (`import etcd`), which the
# patroni package only names as one of several alternatives.
set -euo pipefail
if command -v patroni >/dev/null && command -v etcd >/dev/null && command -v haproxy >/dev/null \
  && [ -x /usr/lib/postgresql/15/bin/postgres ] && /usr/bin/python3 -c "import etcd" 2>/dev/null; then exit 0; fi
exec bash "$(dirname "$0")/apt-install.sh" "the PostgreSQL cluster (npm run cluster, the failover test)" \
  patroni python3-etcd etcd-server haproxy postgresql-15
