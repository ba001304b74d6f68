#!/usr/bin/env bash
# Installs exactly what package-lock.json pins (and Debian packages when missing: Chromium for the browser tests, Patroni, etcd, HAProxy for the cluster tests), then typechecks, checks formatting and lint, and runs every test.
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
# Formatting and lint rules (biome.json): fails on an unformatted file or a finding.
npx biome ci .
# The unit, integration, fault and browser projects (vitest.config.ts); then the cluster project, which starts three-node
# PostgreSQL and NATS clusters and a dozen service processes: after the rest, alone.
LOG_LEVEL="${LOG_LEVEL:-silent}" npx vitest run --project unit --project integration --project faults --project browser
LOG_LEVEL="${LOG_LEVEL:-silent}" npx vitest run --project cluster --no-file-parallelism
