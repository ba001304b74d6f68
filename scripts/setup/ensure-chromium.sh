#!/usr/bin/env bash
# The browser tests drive Debian's Chromium through playwright-core (Playwright cannot download browsers here).
# Installs it with apt when it is missing; CHROMIUM_PATH names another Chromium or Chrome to use instead.
set -euo pipefail
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$chromium" ]; then exit 0; fi
if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable" >&2
  exit 1
fi
exec bash "$(dirname "$0")/apt-install.sh" "the browser tests (or set CHROMIUM_PATH to a Chromium or Chrome)" chromium
