#!/usr/bin/env bash
# The container images proven (`make image-test`): builds the three images of
# deploy/docker/Dockerfile with podman, runs each one read-only as its own non-root user against a
# private Redis, waits until the image's own HEALTHCHECK says healthy, routes one interaction end
# to end through the three containers (omniroute-image-check), stops them (they must exit 0 on
# SIGTERM) and prints the image sizes. Exit 0 only if all of that worked.
#
#   deploy/docker/image-test.sh [BUILD_DIR]   (default: build; needs BUILD_DIR/bin/omniroute-image-check)
#
# Runs as root (podman, apt-get, debootstrap). Installs podman, runc and debootstrap from Debian
# when missing. Base images: when no local docker.io/library/debian:12 and :12-slim exist (there
# is no registry to pull from), one is made with debootstrap and kept for later runs. Containers
# run with --runtime runc --cgroup-manager cgroupfs and a containers.conf without default
# ulimits, on the host network, every service bound to a free 127.0.0.1 port.
#
# Environment (all optional):
#   IMAGE_TEST_BUILD=0             use the omniroute-<target> images already built (no podman build)
#   IMAGE_TEST_BUILD_TIMEOUT=5400  seconds per image build (the first one compiles the project)
#   IMAGE_TEST_MIRROR=http://deb.debian.org/debian   Debian mirror for debootstrap and the base
# Files: BUILD_DIR/image-test/ (build logs, container logs, Redis log); removed at the next run.
set -euo pipefail

die() {
  echo "image-test: FAIL: $*" >&2
  exit 1
}
say() { echo "image-test: $*"; }

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${1:-$REPO_DIR/build}
CHECK=$BUILD_DIR/bin/omniroute-image-check
[[ -x "$CHECK" ]] || die "missing $CHECK (make image-test builds it)"
CHECK=$(cd "$(dirname "$CHECK")" && pwd)/omniroute-image-check
WORK=$(mkdir -p "$BUILD_DIR/image-test" && cd "$BUILD_DIR/image-test" && pwd)
BUILD=${IMAGE_TEST_BUILD:-1}
BUILD_TIMEOUT=${IMAGE_TEST_BUILD_TIMEOUT:-5400}
MIRROR=${IMAGE_TEST_MIRROR:-http://deb.debian.org/debian}
[[ "$BUILD" == 0 || "$BUILD" == 1 ]] || die "IMAGE_TEST_BUILD must be 0 or 1, got '$BUILD'"
[[ "$BUILD_TIMEOUT" =~ ^[1-9][0-9]*$ ]] ||
  die "IMAGE_TEST_BUILD_TIMEOUT must be a positive number of seconds, got '$BUILD_TIMEOUT'"
((EUID == 0)) || die "run as root (podman, debootstrap and apt-get run as root here)"

TARGETS=(intake classification routing)
declare -A SERVICE=([intake]=omniroute.v1.Intake [classification]=omniroute.v1.Classifier
  [routing]=omniroute.v1.Routing)
declare -A IMAGE_PORT=([intake]=7101 [classification]=7102 [routing]=7103)
BASE=docker.io/library/debian
TENANT="image-test"
START_TIMEOUT=60 # s until a container is healthy
ROUTE_TIMEOUT=60 # s for the routed interaction
T0=$SECONDS
declare -A PHASE=()

rm -rf "${WORK:?}"/*
# podman reads this instead of its defaults: with default ulimits, runc cannot start a
# container on these machines (it may not set them).
printf '[containers]\ndefault_ulimits = []\n' >"$WORK/containers.conf"
export CONTAINERS_CONF=$WORK/containers.conf
PODMAN=(podman --runtime runc --cgroup-manager cgroupfs)
pod() { "${PODMAN[@]}" "$@"; }

# ---------------------------------------------------------------------------------------------
# Clean-up: containers, then Redis, whatever happened.

CONTAINERS=()
REDIS_PID=""
ROOTFS=""
# shellcheck disable=SC2317  # (called from the EXIT trap)
cleanup() {
  local rc=$? c
  trap - EXIT INT TERM HUP
  for c in "${CONTAINERS[@]}"; do
    if ((rc != 0)) && pod container exists "$c" 2>/dev/null; then
      echo "---- last lines of container $c:" >&2
      pod logs --tail 15 "$c" >&2 2>&1 || true
    fi
    timeout 60 "${PODMAN[@]}" rm -f -t 10 "$c" >/dev/null 2>&1 || true
  done
  if [[ -n "$REDIS_PID" ]]; then
    kill -TERM "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
  fi
  [[ -z "$ROOTFS" ]] || rm -rf "$ROOTFS"
  ((rc == 0)) || echo "image-test: failed after $((SECONDS - T0)) s; logs in $WORK" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---------------------------------------------------------------------------------------------
# 1. Tools and base images

t=$SECONDS
missing=()
for cmd in podman runc debootstrap; do command -v "$cmd" >/dev/null || missing+=("$cmd"); done
if ((${#missing[@]} > 0)); then
  say "installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  timeout 900 apt-get install -y "${missing[@]}" >"$WORK/apt.log" 2>&1 ||
    { timeout 300 apt-get update >>"$WORK/apt.log" 2>&1 &&
      timeout 900 apt-get install -y "${missing[@]}" >>"$WORK/apt.log" 2>&1; } ||
    { tail -n 20 "$WORK/apt.log" >&2; die "apt-get install ${missing[*]} failed (log: $WORK/apt.log)"; }
fi
say "$(podman --version), $(runc --version | head -n 1)"

# Containers of an earlier run that was killed before it could remove them (its pid is gone).
for c in $(pod ps -a --format '{{.Names}}'); do
  if [[ "$c" =~ ^image-test-(intake|classification|routing)-([0-9]+)$ ]] &&
    ! kill -0 "${BASH_REMATCH[2]}" 2>/dev/null; then
    say "removing $c, left by an earlier run"
    timeout 60 "${PODMAN[@]}" rm -f -t 5 "$c" >/dev/null 2>&1 || true
  fi
done

if pod image exists "$BASE:12" && pod image exists "$BASE:12-slim"; then
  say "base images: reusing the local debian:12 and debian:12-slim"
else
  say "base images: debootstrap bookworm (minbase) from $MIRROR, once (~1 min)"
  ROOTFS=$WORK/rootfs
  timeout 900 debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
    { tail -n 20 "$WORK/debootstrap.log" >&2; die "debootstrap failed (log: $WORK/debootstrap.log)"; }
  # As the official image: the release, its updates and security.
  rm -f "$ROOTFS/etc/apt/sources.list"
  cat >"$ROOTFS/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # And its apt settings: no package caches or downloaded archives left in a layer.
  cat >"$ROOTFS/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  echo 'Acquire::Languages "none";' >"$ROOTFS/etc/apt/apt.conf.d/docker-no-languages"
  echo 'Acquire::GzipIndexes "true";' >"$ROOTFS/etc/apt/apt.conf.d/docker-gzip-indexes"
  rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/cache/apt/*.bin \
    "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/log/*.log
  tar -C "$ROOTFS" -c . | pod import -q --change 'CMD ["bash"]' - "$BASE:12" >/dev/null ||
    die "podman import of debian:12 failed"
  # -slim leaves out documentation, manuals and translations, now and for what apt installs.
  cat >"$ROOTFS/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EOF
  find "$ROOTFS/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  rm -rf "$ROOTFS"/usr/share/{man,groff,info,lintian,linda,locale}/*
  tar -C "$ROOTFS" -c . | pod import -q --change 'CMD ["bash"]' - "$BASE:12-slim" >/dev/null ||
    die "podman import of debian:12-slim failed"
  rm -rf "$ROOTFS"
  ROOTFS=""
fi
PHASE[setup]=$((SECONDS - t))

# ---------------------------------------------------------------------------------------------
# 2. Images

t=$SECONDS
if [[ "$BUILD" == 1 ]]; then
  for target in "${TARGETS[@]}"; do
    say "building omniroute-$target (log: $WORK/build-$target.log)"
    tb=$SECONDS
    # --format docker keeps HEALTHCHECK (the OCI image format has no such field).
    timeout "$BUILD_TIMEOUT" nice -n 10 "${PODMAN[@]}" build \
      --isolation chroot --format docker -f "$REPO_DIR/deploy/docker/Dockerfile" \
      --ignorefile "$REPO_DIR/deploy/docker/Dockerfile.dockerignore" --target "$target" \
      -t "omniroute-$target" "$REPO_DIR" </dev/null >"$WORK/build-$target.log" 2>&1 ||
      { tail -n 30 "$WORK/build-$target.log" >&2; die "building omniroute-$target failed or took over $BUILD_TIMEOUT s (log: $WORK/build-$target.log)"; }
    say "built omniroute-$target in $((SECONDS - tb)) s"
  done
else
  say "IMAGE_TEST_BUILD=0: using the images already built"
fi
for target in "${TARGETS[@]}"; do
  pod image exists "omniroute-$target" || die "no image omniroute-$target"
  user=$(pod image inspect --format '{{.Config.User}}' "omniroute-$target")
  [[ "$user" == 10001:10001 ]] || die "omniroute-$target runs as '$user', expected 10001:10001"
done
PHASE[build]=$((SECONDS - t))

# ---------------------------------------------------------------------------------------------
# 3. Redis, API key, containers

t=$SECONDS
CHOSEN=" "
# A loopback port nobody listens on and not chosen before.
free_port() {
  local p i
  for ((i = 0; i < 200; i++)); do
    p=$((20000 + RANDOM % 30000))
    [[ "$CHOSEN" != *" $p "* ]] || continue
    if ! timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$p" 2>/dev/null; then
      CHOSEN+="$p "
      echo "$p"
      return 0
    fi
  done
  die "no free loopback port found"
}

REDIS_PORT=$(free_port)
CHOSEN+="$REDIS_PORT "
setsid redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
  --daemonize no --logfile "" </dev/null >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
REDIS_URL=redis://127.0.0.1:$REDIS_PORT
deadline=$((SECONDS + 15))
until [[ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null || true)" == PONG ]]; do
  kill -0 "$REDIS_PID" 2>/dev/null || die "redis-server exited (log: $WORK/redis.log)"
  ((SECONDS < deadline)) || die "redis-server did not answer PING within 15 s"
  sleep 0.2
done
say "private Redis $REDIS_URL (pid $REDIS_PID)"

# The key, made with the routing image's own omniroute-ctl.
API_KEY=$(timeout 60 "${PODMAN[@]}" run --rm --network host --read-only --no-healthcheck \
  --entrypoint /usr/local/bin/omniroute-ctl omniroute-routing create-key --redis-url "$REDIS_URL" \
  --tenant "$TENANT" --roles integrator,agent,admin --name image-test 2>"$WORK/create-key.log") ||
  die "omniroute-ctl create-key in the routing image failed: $(cat "$WORK/create-key.log")"
[[ -n "$API_KEY" ]] || die "omniroute-ctl create-key printed no key"
say "API key for tenant $TENANT made by omniroute-ctl in omniroute-routing"

declare -A GRPC_PORT=() CTR=()
for target in "${TARGETS[@]}"; do
  GRPC_PORT[$target]=$(free_port)
  CHOSEN+="${GRPC_PORT[$target]} "
  metrics_port=$(free_port)
  CHOSEN+="$metrics_port "
  http_port=$(free_port)
  CHOSEN+="$http_port "
  # The image's own HEALTHCHECK, with only its port moved to the one this container listens on.
  hc=$(pod image inspect --format '{{json .HealthCheck}}' "omniroute-$target")
  health_cmd=$(python3 - "$hc" "${IMAGE_PORT[$target]}" "${GRPC_PORT[$target]}" \
    "${SERVICE[$target]}" <<'EOF'
import json, sys
hc, old, new, service = json.loads(sys.argv[1]) or {}, sys.argv[2], sys.argv[3], sys.argv[4]
test = hc.get("Test") or []
addr = "--addr=127.0.0.1:" + old
if test[:2] != ["CMD", "/usr/local/bin/omniroute-health"] or addr not in test \
        or "--service=" + service not in test:
    sys.exit("HEALTHCHECK is %r, expected omniroute-health %s --service=%s" % (test, addr, service))
print(json.dumps([a.replace(addr, "--addr=127.0.0.1:" + new) for a in test[1:]]))
EOF
  ) || die "omniroute-$target: unexpected HEALTHCHECK"
  CTR[$target]=image-test-$target-$$
  CONTAINERS+=("${CTR[$target]}")
  # No --user: the image's USER (checked above) is what runs. --read-only-tmpfs=false: not
  # even /tmp, /var/tmp or /run is writable.
  pod run -d --name "${CTR[$target]}" --network host --read-only --read-only-tmpfs=false \
    --cap-drop ALL --security-opt no-new-privileges --health-cmd "$health_cmd" \
    --health-interval disable "omniroute-$target" --redis-url "$REDIS_URL" --bind 127.0.0.1 \
    --grpc-port "${GRPC_PORT[$target]}" --metrics-port "$metrics_port" --http-port "$http_port" \
    >/dev/null 2>"$WORK/run-$target.log" ||
    die "podman run omniroute-$target failed: $(cat "$WORK/run-$target.log")"
done

for target in "${TARGETS[@]}"; do
  c=${CTR[$target]}
  deadline=$((SECONDS + START_TIMEOUT))
  until timeout 10 "${PODMAN[@]}" healthcheck run "$c" >"$WORK/health-$target.log" 2>&1; do
    [[ "$(pod inspect --format '{{.State.Status}}' "$c")" == running ]] ||
      die "container omniroute-$target exited during start-up"
    ((SECONDS < deadline)) ||
      die "omniroute-$target not healthy after $START_TIMEOUT s: $(cat "$WORK/health-$target.log")"
    sleep 1
  done
  uid=$(timeout 20 "${PODMAN[@]}" exec "$c" id -u)
  [[ "$uid" == 10001 ]] || die "omniroute-$target runs as uid '$uid', expected 10001"
  if timeout 20 "${PODMAN[@]}" exec "$c" touch /tmp/image-test 2>"$WORK/write-$target.log"; then
    die "omniroute-$target: /tmp is writable, the root filesystem is not read-only"
  fi
  grep -q "Read-only file system" "$WORK/write-$target.log" ||
    die "omniroute-$target: writing /tmp failed, but not for a read-only filesystem: $(cat "$WORK/write-$target.log")"
  say "omniroute-$target healthy (HEALTHCHECK: omniroute-health ${SERVICE[$target]} on 127.0.0.1:${GRPC_PORT[$target]}), uid $uid, read-only root"
done
PHASE[start]=$((SECONDS - t))

# ---------------------------------------------------------------------------------------------
# 4. One interaction end to end

t=$SECONDS
say "routing one interaction through the containers (omniroute-image-check)"
OMNIROUTE_API_KEY=$API_KEY timeout $((ROUTE_TIMEOUT + 15)) "$CHECK" --tenant "$TENANT" \
  --intake "127.0.0.1:${GRPC_PORT[intake]}" \
  --classification "127.0.0.1:${GRPC_PORT[classification]}" \
  --routing "127.0.0.1:${GRPC_PORT[routing]}" --timeout-seconds "$ROUTE_TIMEOUT" |
  tee "$WORK/route.log" | sed 's/^/  /' || die "the interaction was not routed end to end"
PHASE[route]=$((SECONDS - t))

# Stop: SIGTERM drains, every service exits 0.
t=$SECONDS
for target in "${TARGETS[@]}"; do
  c=${CTR[$target]}
  timeout 60 "${PODMAN[@]}" stop -t 20 "$c" >/dev/null || die "podman stop omniroute-$target failed"
  code=$(pod inspect --format '{{.State.ExitCode}}' "$c")
  pod logs "$c" >"$WORK/$target.log" 2>&1 || true
  [[ "$code" == 0 ]] || die "omniroute-$target exited $code on SIGTERM, expected 0 (log: $WORK/$target.log)"
done
say "stopped: intake, classification, routing exited 0 on SIGTERM ($((SECONDS - t)) s)"

# ---------------------------------------------------------------------------------------------
# 5. Sizes

echo "image sizes (podman image ls; the base is a debootstrapped debian:12-slim, so these are upper bounds):"
for image in "${TARGETS[@]/#/localhost/omniroute-}" "$BASE"; do
  tag=latest
  [[ "$image" != "$BASE" ]] || tag=12-slim
  size=$(pod image ls --format '{{.Size}}' "$image:$tag" | head -n 1)
  printf '  %-42s %s\n' "$image:$tag" "$size"
done
grep '^routed interaction' "$WORK/route.log"
say "PASS in $((SECONDS - T0)) s (tools and base ${PHASE[setup]} s, build ${PHASE[build]} s, start ${PHASE[start]} s, route ${PHASE[route]} s)"
