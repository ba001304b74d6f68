#!/usr/bin/env bash
# The alert rules test checks ops/prometheus/alerts.yml with promtool; installs Debian's prometheus package for it.
set -euo pipefail
if command -v promtool >/dev/null; then exit 0; fi
exec bash "$(dirname "$0")/apt-install.sh" "the alert rules test (promtool)" prometheus
