#!/usr/bin/env bash
# The tests start their own nats-server (with a user per service); installs Debian's when none is on PATH.
set -euo pipefail
if command -v nats-server >/dev/null; then exit 0; fi
exec bash "$(dirname "$0")/apt-install.sh" "the tests (or get it from https://github.com/nats-io/nats-server/releases)" nats-server
