#!/usr/bin/env bash
# Installs exactly what package-lock.json pins, then typechecks and runs every test.
# Uses DATABASE_URL / NATS_URL when set; otherwise the tests start an embedded PostgreSQL and a nats-server.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-fund --no-audit
npx tsc --noEmit
LOG_LEVEL="${LOG_LEVEL:-silent}" npx vitest run
