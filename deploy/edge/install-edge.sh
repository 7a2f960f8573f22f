#!/usr/bin/env bash
# Installs the Vigil edge agent on a Debian/Ubuntu gateway (x64 or arm64).
# Usage: sudo deploy/edge/install-edge.sh /path/to/gateway.yaml
# Needs Node.js >= 20 (Debian 13 ships it; on Debian 12 install nodejs 20 from your distribution's
# backports or a vendor package first). Runs `npx vigil config check` before enabling the service.
set -euo pipefail
config=${1:?usage: install-edge.sh gateway.yaml}
here=$(cd "$(dirname "$0")/../.." && pwd)

arch=$(dpkg --print-architecture)
case "$arch" in amd64|arm64) ;; *) echo "unsupported architecture $arch (x64 and arm64 are supported)" >&2; exit 1 ;; esac
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then echo "Node.js >= 20 is required (found ${node_major}); install it first" >&2; exit 1; fi

apt-get update
apt-get install -y --no-install-recommends ffmpeg python3 make g++

id vigil >/dev/null 2>&1 || useradd --system --home /var/lib/vigil --shell /usr/sbin/nologin vigil
install -d -o vigil -g vigil /var/lib/vigil /etc/vigil
rsync -a --delete --exclude node_modules --exclude .git "$here/" /opt/vigil/
(cd /opt/vigil && npm ci --omit=dev)

install -m 0640 -o root -g vigil "$config" /etc/vigil/gateway.yaml
sed -i 's#^\(\s*dir:\).*#\1 /var/lib/vigil#' /etc/vigil/gateway.yaml || true
(cd /opt/vigil && node bin/vigil.mjs config check /etc/vigil/gateway.yaml)

install -m 0644 "$here/deploy/edge/vigil-edge.service" /etc/systemd/system/vigil-edge.service
systemctl daemon-reload
systemctl enable --now vigil-edge.service
echo "vigil-edge is running: journalctl -u vigil-edge -f"
