#!/usr/bin/env bash
# Installs exactly what package-lock.json pins (and Debian packages when missing: Chromium for the browser tests, Patroni, etcd, HAProxy for the cluster tests), then typechecks and runs every test.
# Uses DATABASE_URL when set, otherwise the tests start an embedded PostgreSQL; they always start their own nats-server
# (nats-server on PATH), with a user per service, so that they run with NATS authorization on.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-fund --no-audit
bash scripts/setup/ensure-chromium.sh
bash scripts/setup/ensure-nats-server.sh
bash scripts/setup/ensure-cluster-tools.sh
bash scripts/setup/ensure-promtool.sh
npx tsc --noEmit
# The cluster tests start three-node PostgreSQL and NATS clusters and a dozen service processes: after the rest, alone.
CLUSTER_TESTS=(test/cluster/stores.test.ts test/cluster/failover.test.ts test/cluster/cluster-command.test.ts)
# shellcheck disable=SC2046
LOG_LEVEL="${LOG_LEVEL:-silent}" npx vitest run $(printf -- '--exclude %s ' "${CLUSTER_TESTS[@]}")
LOG_LEVEL="${LOG_LEVEL:-silent}" npx vitest run --no-file-parallelism "${CLUSTER_TESTS[@]}"
