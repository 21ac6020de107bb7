#!/usr/bin/env bash
# Installs Sabha as a systemd service. `bash scripts/install.sh --service` runs it once Janus, the pinned
# Node.js (in SABHA_NODE_PREFIX) and this checkout's npm dependencies are in place. Safe to run again: it
# replaces the app with this checkout's build and restarts the service; /etc/sabha is never overwritten.
#   - user and group `sabha` (system account, no login, no home of its own);
#   - the app in /opt/sabha/app: dist/ and the production node_modules, owned by root, read-only to sabha;
#   - /etc/sabha/sabha.env for settings (created once, commented), read by the unit;
#   - /etc/systemd/system/sabha.service from deploy/sabha.service, enabled and started.
set -euo pipefail
cd "$(dirname "$0")/.."

node_prefix="${SABHA_NODE_PREFIX:-/opt/sabha/node}"
app_dir=/opt/sabha/app
export PATH="$node_prefix/bin:$PATH"
export npm_config_nodedir="$node_prefix"

if ! id -u sabha >/dev/null 2>&1; then
  echo "Creating the system user sabha"
  useradd --system --user-group --home-dir /var/lib/sabha --no-create-home --shell /usr/sbin/nologin --comment "Sabha video meetings" sabha
fi

echo "Building Sabha and installing it into $app_dir (Node.js $(node --version))"
npm run --silent build
stage=$(mktemp -d "$(dirname "$app_dir")/.app.XXXXXX")
trap 'rm -rf "$stage"' EXIT
cp -a package.json package-lock.json dist node_modules "$stage/"
mkdir "$stage/docs"
cp docs/operations.md docs/configuration.md "$stage/docs/"
rm -f "$stage/node_modules/.bin/node"
# Only what the server needs at run time; the one native addon is rebuilt for the service's Node.js.
(cd "$stage" && npm prune --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null && npm rebuild unix-dgram >/dev/null)
chown -R root:root "$stage"
chmod -R u=rwX,go=rX "$stage"
rm -rf "$app_dir.old"
if [[ -e "$app_dir" ]]; then mv "$app_dir" "$app_dir.old"; fi
mv "$stage" "$app_dir"
rm -rf "$app_dir.old"
trap - EXIT

install -d -m 0750 -o root -g sabha /etc/sabha
if [[ ! -e /etc/sabha/sabha.env ]]; then
  install -m 0640 -o root -g sabha /dev/null /etc/sabha/sabha.env
  cat >/etc/sabha/sabha.env <<'ENV'
# Sabha's settings for the service, as environment variables (docs/configuration.md lists them all).
# Changes take effect with: systemctl restart sabha
#SABHA_HOST=0.0.0.0
#SABHA_ICE_ENFORCE_LIST=eth0
#SABHA_TLS_CERT=/etc/sabha/cert.pem
#SABHA_TLS_KEY=/etc/sabha/key.pem
#SABHA_METRICS_TOKEN=   (openssl rand -hex 32)
#SABHA_CONFIG=/etc/sabha/sabha.json
ENV
fi

install -m 0644 deploy/sabha.service /etc/systemd/system/sabha.service

if [[ ! -d /run/systemd/system ]]; then
  echo "systemd is not running on this machine: sabha.service is installed but was not started."
  exit 0
fi
systemctl daemon-reload
systemctl enable sabha.service >/dev/null
systemctl restart sabha.service
# Ready when /readyz on the metrics listener (SABHA_METRICS_PORT, 9464 unless sabha.env changes it) says so.
if node -e '
  const deadline = Date.now() + 60_000;
  const poll = () => fetch("http://127.0.0.1:9464/readyz").then((r) => r.ok ? process.exit(0) : retry(), retry);
  const retry = () => (Date.now() > deadline ? process.exit(1) : setTimeout(poll, 500));
  poll();'; then
  echo "sabha.service is running and ready. Logs: journalctl -u sabha"
else
  echo "sabha.service did not report ready within 60 s; see systemctl status sabha and journalctl -u sabha" >&2
  exit 1
fi
