#!/usr/bin/env bash
# Builds the Redis TLS sidecar image (deploy/docker/Dockerfile.stunnel) with podman and proves
# it does what the Helm chart uses it for: with the stunnel.conf the chart renders
# (templates/redis-tls.yaml, redis.tls.* values), run read-only as uid 10001, it carries plain
# Redis from 127.0.0.1 to a redis-server that accepts only TLS with client certificates, and
# omniroute-ctl stores a key through it.
#
#   deploy/docker/stunnel-image-test.sh [BUILD_DIR]    (needs podman, redis-server, openssl;
#                                                       BUILD_DIR/bin/omniroute-ctl and
#                                                       BUILD_DIR/tests/chart/chart-render)
set -euo pipefail

die() {
  echo "stunnel-image-test: $*" >&2
  exit 1
}

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
for cmd in podman redis-server redis-cli python3; do
  command -v "$cmd" >/dev/null || die "$cmd is missing"
done
[[ -x $BUILD/bin/omniroute-ctl && -x $BUILD/tests/chart/chart-render ]] ||
  die "build omniroute-ctl and run the chart tests' setup (ctest -R chart_setup) first"

WORK=$(mktemp -d /tmp/stunnel-image-test.XXXXXX)
REDIS_PID=""
cleanup() {
  podman rm -f -t 2 "omniroute-stunnel-test-$$" >/dev/null 2>&1 || true
  [[ -z "$REDIS_PID" ]] || kill "$REDIS_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
# With default ulimits runc cannot start a container in some sandboxes (as in image-test.sh).
printf '[containers]\ndefault_ulimits = []\n' >"$WORK/containers.conf"
export CONTAINERS_CONF=$WORK/containers.conf

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
REDIS_PORT=$(free_port)
LOCAL_PORT=$(free_port)

podman build --pull=never -q -f "$ROOT/deploy/docker/Dockerfile.stunnel" -t omniroute-stunnel:test \
  "$ROOT/deploy/docker" >/dev/null || die "podman build failed"

certs=$ROOT/scripts/tls-certs.sh
"$certs" ca "$WORK/pki" ca && "$certs" server "$WORK/pki" ca redis && "$certs" client "$WORK/pki" ca svc
mkdir -p "$WORK/secret" "$WORK/conf"
cp "$WORK/pki/ca.pem" "$WORK/secret/ca.crt"
cp "$WORK/pki/svc.pem" "$WORK/secret/tls.crt"
cp "$WORK/pki/svc.key" "$WORK/secret/tls.key"
chmod 644 "$WORK/secret/"*  # the container's uid 10001 reads them, as from a Secret volume

cat >"$WORK/values.yaml" <<EOF
redis:
  host: localhost
  port: $REDIS_PORT
  tls:
    enabled: true
    existingSecret: redis-tls
    localPort: $LOCAL_PORT
    certKey: tls.crt
    keyKey: tls.key
EOF
"$BUILD/tests/chart/chart-render" -chart "$ROOT/charts/omniroute" -f "$WORK/values.yaml" \
  -only redis-tls.yaml >"$WORK/cm.yaml"
python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["data"]["stunnel.conf"], end="")' \
  "$WORK/cm.yaml" >"$WORK/conf/stunnel.conf"

redis-server --port 0 --tls-port "$REDIS_PORT" --bind 127.0.0.1 \
  --tls-cert-file "$WORK/pki/redis.pem" --tls-key-file "$WORK/pki/redis.key" \
  --tls-ca-cert-file "$WORK/pki/ca.pem" --tls-auth-clients yes --save "" --daemonize no \
  --logfile "$WORK/redis.log" &
REDIS_PID=$!

podman run -d --name "omniroute-stunnel-test-$$" --network host --read-only --read-only-tmpfs=false \
  --user 10001:10001 -v "$WORK/conf:/etc/omniroute/stunnel:ro" \
  -v "$WORK/secret:/etc/omniroute/redis-tls:ro" omniroute-stunnel:test \
  /etc/omniroute/stunnel/stunnel.conf >/dev/null || die "podman run failed"
for _ in $(seq 1 50); do
  [[ "$(redis-cli -p "$LOCAL_PORT" ping 2>/dev/null)" == PONG ]] && break
  sleep 0.2
done
[[ "$(redis-cli -p "$LOCAL_PORT" ping 2>/dev/null)" == PONG ]] ||
  die "no PONG through stunnel; its log: $(podman logs "omniroute-stunnel-test-$$" 2>&1 | tail -5)"
"$BUILD/bin/omniroute-ctl" keys create --tenant acme --roles admin \
  --redis-url "redis://127.0.0.1:$LOCAL_PORT" >/dev/null || die "omniroute-ctl through stunnel failed"
! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 || die "Redis answered plain text on its TLS port"
echo "stunnel-image-test: ok (image built; PONG and omniroute-ctl through the sidecar; Redis refuses plain text)"
