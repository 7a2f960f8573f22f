#!/bin/sh
# Enrols a gateway with the central Mosquitto: a password (and optionally a client certificate) and an
# ACL block that lets it publish only under vigil/v1/<site>/<gateway>/ and read its own config topic.
#
#   deploy/enrol-gateway.sh [--dir DIR] [--cert] [--days N] <site> <gateway>
#
#   --dir   broker config folder with passwd, acl and certs/ (default: $VIGIL_MOSQUITTO_DIR, else
#           deploy/mosquitto beside this script)
#   --cert  also issue a client certificate (CN = gateway id) signed by DIR/certs/ca.{crt,key};
#           the gateway then connects to the client-certificate listener (8884) without a password
#   --days  client certificate lifetime (default 825)
#
# Writes DIR/gateways/<gateway>/ (password, ca.crt, client.crt, client.key, gateway-mqtt.yaml) to copy
# to the gateway's /etc/vigil/. Running it again for the same gateway rotates its password and
# certificate; the ACL block is kept. Reload the broker afterwards.
set -eu

dir=${VIGIL_MOSQUITTO_DIR:-$(dirname "$0")/mosquitto}
cert=no
days=825
while [ $# -gt 0 ]; do
  case $1 in
    --dir) dir=$2; shift 2 ;;
    --cert) cert=yes; shift ;;
    --days) days=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    -*) echo "unknown option $1 (try --help)" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ $# -ne 2 ]; then
  echo "usage: $0 [--dir DIR] [--cert] [--days N] <site> <gateway>" >&2
  exit 2
fi
site=$1
gateway=$2
# Same rule as SLUG_PATTERN in contracts/src/ids.ts: ids become topic levels and file names.
for id in "$site" "$gateway"; do
  if ! printf '%s' "$id" | grep -Eq '^[a-z0-9][a-z0-9_-]{0,62}$'; then
    echo "\"$id\" is not a valid id: use lower-case letters, digits, - or _ (it becomes an MQTT topic level)" >&2
    exit 2
  fi
done
command -v mosquitto_passwd >/dev/null || { echo "mosquitto_passwd not found: apt-get install mosquitto" >&2; exit 1; }
command -v openssl >/dev/null || { echo "openssl not found: apt-get install openssl" >&2; exit 1; }

mkdir -p "$dir"
out="$dir/gateways/$gateway"
mkdir -p "$out"
chmod 700 "$out"

password=$(openssl rand -base64 32 | tr -d '/+=\n' | cut -c1-32)
umask 077
touch "$dir/passwd"
mosquitto_passwd -b "$dir/passwd" "$gateway" "$password"
printf '%s\n' "$password" > "$out/password"

touch "$dir/acl"
if grep -qx "user $gateway" "$dir/acl"; then
  echo "ACL for $gateway already present in $dir/acl: kept"
else
  scope="vigil/v1/$site/$gateway"
  cat >> "$dir/acl" <<ACL

user $gateway
topic write $scope/+/event
topic write $scope/+/telemetry
topic write $scope/+/evidence
topic write $scope/status
topic write $scope/health
topic read $scope/config
ACL
fi

# The broker reads these as its own user (mosquitto; uid 1883 in the eclipse-mosquitto image).
chmod 640 "$dir/passwd" "$dir/acl"
if getent group mosquitto >/dev/null 2>&1; then
  chgrp mosquitto "$dir/passwd" "$dir/acl"
else
  echo "note: no mosquitto group here; make $dir/passwd and $dir/acl readable by the broker's user" >&2
fi

[ -f "$dir/certs/ca.crt" ] && cp "$dir/certs/ca.crt" "$out/ca.crt"
if [ "$cert" = yes ]; then
  if [ ! -f "$dir/certs/ca.key" ]; then
    echo "--cert needs the CA in $dir/certs (ca.crt, ca.key): run deploy/mosquitto/make-certs.sh $dir <broker-host> first" >&2
    exit 1
  fi
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj "/CN=$gateway/O=vigil-$site" -keyout "$out/client.key" -out "$out/client.csr" 2>/dev/null
  printf 'extendedKeyUsage=clientAuth\n' > "$out/client.ext"
  openssl x509 -req -in "$out/client.csr" -CA "$dir/certs/ca.crt" -CAkey "$dir/certs/ca.key" -CAcreateserial \
    -days "$days" -extfile "$out/client.ext" -out "$out/client.crt" 2>/dev/null
  rm -f "$out/client.csr" "$out/client.ext"
fi

{
  echo "# mqtt section for $site/$gateway: copy $out/* to /etc/vigil/ on the gateway"
  echo "mqtt:"
  if [ "$cert" = yes ]; then
    echo "  url: mqtts://\${VIGIL_BROKER_HOST}:8884"
    echo "  cert: /etc/vigil/client.crt"
    echo "  key: /etc/vigil/client.key"
  else
    echo "  url: mqtts://\${VIGIL_BROKER_HOST}:8883"
    echo "  username: $gateway"
    echo "  password: \${file:/etc/vigil/password}"
  fi
  echo "  ca: /etc/vigil/ca.crt"
} > "$out/gateway-mqtt.yaml"

echo "enrolled $site/$gateway: credentials in $out; reload the broker (docker kill -s HUP <mosquitto>, or systemctl reload mosquitto)"
