#!/usr/bin/env bash
# The tests start their own nats-server (with a user per service); installs Debian's when none is on PATH.
set -euo pipefail
if command -v nats-server >/dev/null; then exit 0; fi
if ! command -v apt-get >/dev/null; then
  echo "No nats-server on PATH and no apt-get to install it: install nats-server (https://github.com/nats-io/nats-server/releases)" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
echo "Installing Debian's nats-server for the tests..."
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nats-server >/dev/null
