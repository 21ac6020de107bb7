#!/usr/bin/env bash
# Installs whatever Sabha is missing on a Debian machine (run as root): Janus and
# openssl from apt, Chromium too for the tests, and the npm dependencies from the
# lockfile. Safe to run again: it installs only what is not there.
#   bash scripts/install.sh          # what running Sabha needs
#   bash scripts/install.sh --test   # plus what the test suite needs
set -euo pipefail
cd "$(dirname "$0")/.."

# g++, make and python3 build the one native addon (unix-dgram, a janode dependency).
want=(janus openssl g++ make python3)
[[ "${1:-}" == "--test" ]] && want+=(chromium)

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "Installing from Debian: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Debian package enables a janus service with its public defaults (HTTP and
# WebSocket API on every interface, a well-known admin secret). Sabha runs its own
# Janus with a private config; the packaged service must not run.
if command -v systemctl >/dev/null 2>&1 && systemctl list-unit-files janus.service >/dev/null 2>&1; then
  systemctl disable --now janus.service >/dev/null 2>&1 || true
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if ((node_major < 20)); then
  echo "Sabha needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

# npm ci when node_modules is missing or older than the lockfile (it also applies patches/ via postinstall).
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "Installing npm dependencies from package-lock.json"
  npm ci --no-audit --no-fund
fi
