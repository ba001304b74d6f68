#!/usr/bin/env bash
# Installs exactly what package-lock.json pins (and Debian's Chromium for the browser tests when missing), then typechecks and runs every test.
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
LOG_LEVEL="${LOG_LEVEL:-silent}" npx vitest run
