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
if ! command -v apt-get >/dev/null; then
  echo "No Chromium at /usr/bin/chromium and no apt-get to install it: install Chromium or Chrome and set CHROMIUM_PATH" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
echo "Installing Debian's chromium for the browser tests..."
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
