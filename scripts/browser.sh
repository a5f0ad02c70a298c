#!/usr/bin/env bash
# Install the headless browser the UI browser tests drive: Debian's chromium and its matching chromedriver.
# Idempotent and quick when both are present; needs root (or sudo) only when something is missing.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq chromium chromium-driver >/dev/null
/usr/bin/chromium --version
