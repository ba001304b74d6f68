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
HEAVY_CLUSTER_TESTS="test/cluster/{stores,failover}.test.ts"
LOG_LEVEL="${LOG_LEVEL:-silent}" npx vitest run --exclude "$HEAVY_CLUSTER_TESTS"
# The cluster tests start three-node PostgreSQL and NATS clusters and a dozen service processes: after the rest, alone.
LOG_LEVEL="${LOG_LEVEL:-silent}" npx vitest run --no-file-parallelism test/cluster/stores.test.ts test/cluster/failover.test.ts
