#!/usr/bin/env bash
# Installs the Debian 12 packages omniroute needs to build, test and run, when any is missing.
# Idempotent: on a machine that has them all it only runs dpkg-query and exits.
set -euo pipefail

PACKAGES=(
  build-essential cmake make pkg-config ccache clang-format curl procps tzdata python3
  clang libclang-rt-14-dev lld  # the fuzz targets (tests/fuzz): clang, libFuzzer, lld
  protobuf-compiler protobuf-compiler-grpc libprotobuf-dev libgrpc++-dev
  libhiredis-dev prometheus-cpp-dev libcivetweb-dev libabsl-dev libssl-dev libre2-dev libjemalloc-dev
  libgtest-dev libgmock-dev libyaml-cpp-dev libcurl4-openssl-dev
  redis-server redis-tools prometheus python3-yaml lua5.1
  openssl stunnel4
  python3-grpcio python3-protobuf  # tests/e2e/json_client.py: a generic JSON client
  golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev
)
# openssl makes the certificates of the TLS tests and `DEMO_TLS=1 make run` (scripts/tls-certs.sh);
# stunnel4 is the Redis TLS sidecar the Helm chart runs, tested in tests/e2e/redis_tls_test.cc.
# The chart tests (tests/chart) also need node/npm and, when present, kubectl. Each comes from
# Debian only when the command is missing: a machine may have them from elsewhere (a newer
# Node.js, the kubectl package), which Debian's nodejs/npm and kubernetes-client conflict with.
command -v npm >/dev/null || PACKAGES+=(nodejs npm)
command -v kubectl >/dev/null || PACKAGES+=(kubernetes-client)

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# The redis-server and prometheus packages would start system daemons; omniroute starts its own
# private instances, so keep the package scripts from starting services where we can.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
