#!/usr/bin/env bash
# Installs Debian packages with apt (sudo when not root): apt-install.sh <why> <package>...
set -euo pipefail
why="$1"; shift
if ! command -v apt-get >/dev/null; then
  echo "No apt-get to install $* ($why): install it yourself" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
echo "Installing Debian's $* for $why..."
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
