#!/bin/sh
# Creates a private CA and a server certificate for the broker, for sites without their own PKI.
#   deploy/mosquitto/make-certs.sh <dir> <broker-host-or-ip> [days]
# Writes <dir>/certs/{ca.crt,ca.key,server.crt,server.key}. Gateways pin ca.crt (mqtt.ca); keep ca.key
# offline after enrolling gateways with client certificates.
set -eu
if [ $# -lt 2 ]; then
  echo "usage: $0 <dir> <broker-host-or-ip> [days]" >&2
  exit 2
fi
dir=$1
host=$2
days=${3:-825}
certs="$dir/certs"
mkdir -p "$certs"
umask 077
if [ -e "$certs/ca.key" ]; then
  echo "$certs/ca.key exists: keeping the CA (delete it to start a new one; every gateway must then get the new ca.crt)" >&2
else
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj "/CN=Vigil broker CA/O=Vigil" -keyout "$certs/ca.key" -out "$certs/ca.crt" 2>/dev/null
fi
case $host in
  *[!0-9.]*) san="DNS:$host" ;;
  *) san="IP:$host" ;;
esac
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -subj "/CN=$host/O=Vigil" -keyout "$certs/server.key" -out "$certs/server.csr" 2>/dev/null
printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san" > "$certs/server.ext"
openssl x509 -req -in "$certs/server.csr" -CA "$certs/ca.crt" -CAkey "$certs/ca.key" -CAcreateserial \
  -days "$days" -extfile "$certs/server.ext" -out "$certs/server.crt" 2>/dev/null
rm -f "$certs/server.csr" "$certs/server.ext"
chmod 644 "$certs/ca.crt" "$certs/server.crt"
# Mosquitto runs as its own user and must read its key.
chmod 644 "$certs/server.key"
echo "broker certificate for $san in $certs (CA: $certs/ca.crt)"
