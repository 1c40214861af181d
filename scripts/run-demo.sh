#!/usr/bin/env bash
# The live demo behind `make run`: a private redis-server (unless REDIS_URL is set; with
# REDIS_CLUSTER=1 a private Redis Cluster of six), the three services as separate processes, demo
# tenants with API keys, then omniroute-demo (queues, rules, simulated agents, traffic, a summary
# line every few seconds per tenant). Ctrl-C or SIGTERM stops it all cleanly (services drain on
# SIGTERM, then Redis) and exits 0.
#
#   scripts/run-demo.sh [BUILD_DIR]          (default: build; binaries in BUILD_DIR/bin)
#
# Environment (all optional):
#   DEMO_SECONDS=N        stop after N seconds (default 0: run until Ctrl-C); a timed run ends
#                         with GetQueueStats of every demo queue, read after the agents left
#   DEMO_RATE=8           interactions per second (per tenant)
#   DEMO_AGENTS=0         simulated people (per tenant); 0 = as many as DEMO_RATE needs at 85 %
#                         occupancy
#   DEMO_TENANT=demo      tenant id (with DEMO_TENANTS > 1: the prefix of the tenant ids)
#   DEMO_TENANTS=N        how many tenants (default 6 on a Redis Cluster, else 1), each with its
#                         own queues, keys, traffic, people and summary line; on a cluster the ids
#                         (DEMO_TENANT plus a number) are picked so that every master holds some of
#                         them, and the start says which tenant lives on which master
#   DEMO_BIND=127.0.0.1   services' bind address
#   INTAKE_GRPC_PORT=7101  CLASSIFICATION_GRPC_PORT=7102  ROUTING_GRPC_PORT=7103
#   INTAKE_METRICS_PORT=9101  CLASSIFICATION_METRICS_PORT=9102  ROUTING_METRICS_PORT=9103
#   INTAKE_HTTP_PORT=8101  CLASSIFICATION_HTTP_PORT=8102  ROUTING_HTTP_PORT=8103 (HTTP/JSON)
#   REDIS_URL=redis://host:port   use this Redis instead of starting one; a Redis Cluster as
#                         redis+cluster://[[user]:password@]host:port[,host:port...] (seed nodes)
#   REDIS_PORT=6390       port of the private Redis (when 6390 is busy and REDIS_PORT is not set,
#                         a free port nearby is used)
#   REDIS_CLUSTER=1       start a private Redis Cluster instead: six redis-servers with
#                         --cluster-enabled yes (3 masters, 3 replicas) made one cluster by
#                         `redis-cli --cluster create`; the services get
#                         --redis-url redis+cluster://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3 (the
#                         masters). Needs python3 (to read CLUSTER SLOTS). Not with REDIS_URL
#   REDIS_CLUSTER_PORTS="P1 ... P12"  with REDIS_CLUSTER=1: the six nodes' ports, then their six
#                         cluster-bus ports (default: the first free ports from 6390 and from 16390
#                         up; with DEMO_KEEP_DATA=1 the kept cluster's own ports)
#   DEMO_KEEP_DATA=1      keep the private Redis data (AOF; a cluster's also its node config) of
#                         the last run instead of starting empty
#   DEMO_MODEL=0          classify by rules only (default 1: train the Banking77 intent model once
#                         per build into BUILD_DIR/models and serve it)
#   DEMO_RUN_DIR=DIR      logs and Redis data go here (default BUILD_DIR/run), so a second run (a
#                         test) on other ports does not touch the files of a running `make run`
#   DEMO_TLS=1            gRPC over mutual TLS: a local CA, a server and a client certificate are
#                         made (scripts/tls-certs.sh) in DEMO_RUN_DIR/tls; the services require
#                         client certificates and the demo presents one (default 0: plaintext)
#
# Files (in DEMO_RUN_DIR, default BUILD_DIR/run): logs/{redis,intake,classification,routing}.log,
# redis/ (data), tls/ (with DEMO_TLS=1: ca.pem, server.{pem,key}, client.{pem,key}); with
# REDIS_CLUSTER=1 logs/redis-<port>.log and logs/redis-cluster-create.log instead of redis.log,
# and redis-cluster/node-<n>/ (data, nodes.conf) and redis-cluster/ports instead of redis/.
set -euo pipefail

die() {
  echo "run-demo: $*" >&2
  exit 1
}

BUILD_DIR=${1:-build}
[[ -d "$BUILD_DIR" ]] || die "no build directory '$BUILD_DIR' (run 'make run', or build first)"
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
BIN=$BUILD_DIR/bin
RUN_DIR=${DEMO_RUN_DIR:-$BUILD_DIR/run}
LOG_DIR=$RUN_DIR/logs
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEMO_MODEL=${DEMO_MODEL:-1}
[[ "$DEMO_MODEL" == 0 || "$DEMO_MODEL" == 1 ]] || die "DEMO_MODEL must be 0 or 1, got '$DEMO_MODEL'"
DEMO_TLS=${DEMO_TLS:-0}
[[ "$DEMO_TLS" == 0 || "$DEMO_TLS" == 1 ]] || die "DEMO_TLS must be 0 or 1, got '$DEMO_TLS'"
REDIS_CLUSTER=${REDIS_CLUSTER:-0}
[[ "$REDIS_CLUSTER" == 0 || "$REDIS_CLUSTER" == 1 ]] ||
  die "REDIS_CLUSTER must be 0 or 1, got '$REDIS_CLUSTER'"
[[ "$REDIS_CLUSTER" == 0 || -z "${REDIS_URL:-}" ]] ||
  die "REDIS_CLUSTER=1 starts a private Redis Cluster and REDIS_URL names a Redis to use instead: set one of them"
# On a Redis Cluster (a private one, or REDIS_URL=redis+cluster://...)?
ON_CLUSTER=$REDIS_CLUSTER
[[ "${REDIS_URL:-}" != redis+cluster://* ]] || ON_CLUSTER=1
exes=(omniroute-intake omniroute-classification omniroute-routing omniroute-ctl omniroute-demo)
[[ "$DEMO_MODEL" == 0 ]] || exes+=(omniroute-model)
for exe in "${exes[@]}"; do
  [[ -x "$BIN/$exe" ]] || die "missing $BIN/$exe (build first: cmake --build $BUILD_DIR)"
done

DEMO_SECONDS=${DEMO_SECONDS:-0}
DEMO_RATE=${DEMO_RATE:-8}
DEMO_AGENTS=${DEMO_AGENTS:-0}
DEMO_TENANT=${DEMO_TENANT:-demo}
DEMO_BIND=${DEMO_BIND:-127.0.0.1}
[[ "$DEMO_SECONDS" =~ ^[0-9]+$ ]] || die "DEMO_SECONDS must be a whole number of seconds, got '$DEMO_SECONDS'"
[[ "$DEMO_AGENTS" =~ ^[0-9]+$ ]] || die "DEMO_AGENTS must be a whole number, got '$DEMO_AGENTS'"
DEMO_TENANTS=${DEMO_TENANTS:-$((ON_CLUSTER == 1 ? 6 : 1))}
if ! [[ "$DEMO_TENANTS" =~ ^[0-9]+$ ]] || ((DEMO_TENANTS < 1 || DEMO_TENANTS > 64)); then
  die "DEMO_TENANTS must be a whole number 1..64, got '$DEMO_TENANTS'"
fi

# Where to connect to a service bound to DEMO_BIND.
case "$DEMO_BIND" in
  0.0.0.0 | "::" | "[::]") HOST=127.0.0.1 ;;
  *) HOST=$DEMO_BIND ;;
esac

declare -A PORT_VAR=(
  [intake_grpc]=INTAKE_GRPC_PORT [classification_grpc]=CLASSIFICATION_GRPC_PORT
  [routing_grpc]=ROUTING_GRPC_PORT [intake_metrics]=INTAKE_METRICS_PORT
  [classification_metrics]=CLASSIFICATION_METRICS_PORT [routing_metrics]=ROUTING_METRICS_PORT
  [intake_http]=INTAKE_HTTP_PORT [classification_http]=CLASSIFICATION_HTTP_PORT
  [routing_http]=ROUTING_HTTP_PORT
)
declare -A PORT_DEFAULT=(
  [intake_grpc]=7101 [classification_grpc]=7102 [routing_grpc]=7103
  [intake_metrics]=9101 [classification_metrics]=9102 [routing_metrics]=9103
  [intake_http]=8101 [classification_http]=8102 [routing_http]=8103
)
declare -A PORT=()
for k in "${!PORT_VAR[@]}"; do
  var=${PORT_VAR[$k]}
  p=${!var:-${PORT_DEFAULT[$k]}}
  if ! [[ "$p" =~ ^[0-9]+$ ]] || ((p < 1 || p > 65535)); then
    die "$var must be a port number 1..65535, got '$p'"
  fi
  PORT[$k]=$p
done

# True when something accepts TCP connections on host:port.
port_in_use() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

seen=" "
for k in "${!PORT_VAR[@]}"; do
  p=${PORT[$k]}
  [[ "$seen" != *" $p "* ]] || die "port $p is given twice (${PORT_VAR[$k]}); every service port must differ"
  seen+="$p "
  if port_in_use "$HOST" "$p"; then
    what=${k%_*}
    case $k in *_grpc) what+=" gRPC" ;; *_http) what+=" HTTP" ;; *) what+=" metrics" ;; esac
    die "port $p ($what port, ${PORT_VAR[$k]}) is already in use; stop what listens there or set ${PORT_VAR[$k]} to a free port"
  fi
done

# ---------------------------------------------------------------------------------------------
# Children and clean-up. Redis and the services run in their own sessions (setsid), so a
# terminal Ctrl-C reaches only this script and the demo; the clean-up below stops them in order.

DEMO_PID=""
REDIS_PIDS=()  # name=pid of each redis-server started here
declare -A SVC_PID=()
STOPPING=0
FORCE=0

alive() {
  local s
  s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ -n "$s" && "$s" != Z* ]]
}

# shellcheck disable=SC2317  # (called from the EXIT trap)
# stop_pids TIMEOUT NAME=PID...: SIGTERM to all, wait up to TIMEOUT s (less after a second
# Ctrl-C), then SIGKILL what is left; reaps each and reports its exit status.
stop_pids() {
  local timeout=$1 item name pid deadline status
  shift
  for item in "$@"; do kill -TERM "${item#*=}" 2>/dev/null || true; done
  deadline=$((SECONDS + timeout))
  for item in "$@"; do
    name=${item%%=*}
    pid=${item#*=}
    while alive "$pid" && ((SECONDS < deadline && FORCE == 0)); do sleep 0.1; done
    if alive "$pid"; then
      echo "run-demo: $name did not stop, killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    status=0
    wait "$pid" 2>/dev/null || status=$?
    STOPPED+=("$name exit $status")
  done
}

# shellcheck disable=SC2317
cleanup() {
  local rc=$?
  ((STOPPING == 0)) || return 0
  STOPPING=1
  trap 'FORCE=1' INT TERM HUP
  STOPPED=()
  if [[ -n "$DEMO_PID" ]]; then stop_pids 20 demo="$DEMO_PID"; fi
  local svcs=()
  for name in intake classification routing; do
    [[ -z "${SVC_PID[$name]:-}" ]] || svcs+=("$name=${SVC_PID[$name]}")
  done
  if ((${#svcs[@]} > 0)); then
    echo "run-demo: stopping the services (SIGTERM, they drain)..." >&2
    stop_pids 30 "${svcs[@]}"
  fi
  if ((${#REDIS_PIDS[@]} > 0)); then stop_pids 20 "${REDIS_PIDS[@]}"; fi
  if ((${#STOPPED[@]} > 0)); then
    local list
    list=$(printf '%s, ' "${STOPPED[@]}")
    echo "run-demo: stopped ${list%, }; logs in $LOG_DIR" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT

# shellcheck disable=SC2317
on_signal() {
  INTERRUPTED=1
  if [[ -n "$DEMO_PID" ]]; then
    kill -TERM "$DEMO_PID" 2>/dev/null || true  # the demo stops; the main line then cleans up
  else
    echo "run-demo: interrupted during start-up" >&2
    exit 0
  fi
}
INTERRUPTED=0
trap on_signal INT TERM HUP

mkdir -p "$LOG_DIR"

# ---------------------------------------------------------------------------------------------
# Redis

# shellcheck source=scripts/redis-cluster.sh disable=SC1091
[[ "$ON_CLUSTER" == 0 ]] || source "$REPO_DIR/scripts/redis-cluster.sh"
if [[ -n "${REDIS_URL:-}" ]]; then
  echo "run-demo: using REDIS_URL=$REDIS_URL (no private Redis)"
  REDIS_CLI=(-u "$REDIS_URL")
  if [[ "$ON_CLUSTER" == 1 ]]; then
    # redis-cli speaks to one node: the first seed, with the URL's credentials.
    url_seeds=${REDIS_URL#redis+cluster://}
    creds=""
    if [[ "$url_seeds" == *@* ]]; then creds=${url_seeds%@*}@ url_seeds=${url_seeds##*@}; fi
    REDIS_CLI=(-u "redis://$creds${url_seeds%%,*}")
  fi
  if command -v redis-cli >/dev/null && [[ "$(redis-cli "${REDIS_CLI[@]}" ping 2>/dev/null)" != PONG ]]; then
    die "Redis at REDIS_URL=$REDIS_URL does not answer PING"
  fi
elif [[ "$REDIS_CLUSTER" == 1 ]]; then
  start_redis_cluster
else
  command -v redis-server >/dev/null ||
    die "redis-server is not installed (run scripts/install-deps.sh, or set REDIS_URL)"
  if [[ -n "${REDIS_PORT:-}" ]]; then
    [[ "$REDIS_PORT" =~ ^[0-9]+$ ]] || die "REDIS_PORT must be a port number, got '$REDIS_PORT'"
    ! port_in_use 127.0.0.1 "$REDIS_PORT" ||
      die "port $REDIS_PORT (private Redis, REDIS_PORT) is already in use; set REDIS_PORT to a free port"
  else
    REDIS_PORT=""
    for p in $(seq 6390 6490); do
      [[ "$seen" != *" $p "* ]] || continue
      if ! port_in_use 127.0.0.1 "$p"; then
        REDIS_PORT=$p
        break
      fi
    done
    [[ -n "$REDIS_PORT" ]] || die "no free port for the private Redis in 6390..6490; set REDIS_PORT"
  fi
  REDIS_DIR=$RUN_DIR/redis
  if [[ "${DEMO_KEEP_DATA:-0}" != 1 ]]; then rm -rf "$REDIS_DIR"; fi
  mkdir -p "$REDIS_DIR"
  setsid redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$REDIS_DIR" \
    --appendonly yes --appendfsync everysec --save "" --daemonize no --logfile "" \
    </dev/null >"$LOG_DIR/redis.log" 2>&1 &
  REDIS_PID=$!
  REDIS_PIDS=(redis-server="$REDIS_PID")
  REDIS_URL=redis://127.0.0.1:$REDIS_PORT
  deadline=$((SECONDS + 15))
  until [[ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null || true)" == PONG ]]; do
    alive "$REDIS_PID" || { tail -n 20 "$LOG_DIR/redis.log" >&2; die "redis-server exited during start-up (log: $LOG_DIR/redis.log)"; }
    ((SECONDS < deadline)) || die "redis-server did not answer PING within 15 s (log: $LOG_DIR/redis.log)"
    sleep 0.1
  done
  echo "run-demo: private Redis $REDIS_URL (pid $REDIS_PID, AOF in $REDIS_DIR)"
fi

# The demo tenants: DEMO_TENANT, or DEMO_TENANTS ids DEMO_TENANT1, ... (on a cluster spread over
# the masters, each with the master that holds it printed).
if ((DEMO_TENANTS == 1)); then
  TENANTS=("$DEMO_TENANT")
elif [[ "$ON_CLUSTER" == 1 ]]; then
  pick_cluster_tenants "$DEMO_TENANT" "$DEMO_TENANTS"
else
  TENANTS=()
  for ((i = 1; i <= DEMO_TENANTS; i++)); do TENANTS+=("$DEMO_TENANT$i"); done
fi

# ---------------------------------------------------------------------------------------------
# Intent model: trained on Banking77 once per build (kept in BUILD_DIR/models; trained again
# when omniroute-model or the data is newer than the file) and served by classification.

declare -A SVC_ARGS=([intake]="" [classification]="" [routing]="")
if [[ "$DEMO_MODEL" == 1 ]]; then
  MODEL=$BUILD_DIR/models/banking77.model
  DATA=$REPO_DIR/data/banking77/train.csv
  [[ -r "$DATA" ]] || die "cannot read $DATA (set DEMO_MODEL=0 to run without the intent model)"
  if [[ ! -s "$MODEL" || "$BIN/omniroute-model" -nt "$MODEL" || "$DATA" -nt "$MODEL" ]]; then
    echo "run-demo: training the intent model on Banking77 (once per build, ~15-30 s; log: $LOG_DIR/model-train.log)"
    mkdir -p "$BUILD_DIR/models"
    "$BIN/omniroute-model" train --data "$DATA" --model "$MODEL.tmp" --holdout 0 --seed 42 \
      >"$LOG_DIR/model-train.log" 2>&1 ||
      { tail -n 20 "$LOG_DIR/model-train.log" >&2; die "training the intent model failed (log: $LOG_DIR/model-train.log)"; }
    mv "$MODEL.tmp" "$MODEL"
  fi
  echo "run-demo: intent model $MODEL"
  SVC_ARGS[classification]="--model-file=$MODEL"
fi

# ---------------------------------------------------------------------------------------------
# TLS (DEMO_TLS=1): a local CA made for this run; the services serve mTLS with a certificate for
# the host the clients dial, and the demo presents a client certificate of the same CA.

SVC_TLS=()
CLIENT_TLS=()
if [[ "$DEMO_TLS" == 1 ]]; then
  TLS_DIR=$RUN_DIR/tls
  CERTS=$REPO_DIR/scripts/tls-certs.sh
  rm -rf "$TLS_DIR"
  sans=(DNS:localhost IP:127.0.0.1)
  if [[ "$HOST" =~ ^[0-9.]+$ ]]; then sans+=("IP:$HOST"); else sans+=("DNS:$HOST"); fi
  { "$CERTS" ca "$TLS_DIR" ca && "$CERTS" server "$TLS_DIR" ca server "${sans[@]}" &&
    "$CERTS" client "$TLS_DIR" ca client; } || die "cannot make the demo certificates in $TLS_DIR"
  SVC_TLS=(--tls-cert "$TLS_DIR/server.pem" --tls-key "$TLS_DIR/server.key"
    --tls-client-ca "$TLS_DIR/ca.pem")
  CLIENT_TLS=(--tls-ca "$TLS_DIR/ca.pem" --tls-cert "$TLS_DIR/client.pem"
    --tls-key "$TLS_DIR/client.key")
  echo "run-demo: gRPC over mutual TLS (DEMO_TLS=1): local CA and certificates in $TLS_DIR"
fi

# ---------------------------------------------------------------------------------------------
# Services

for name in intake classification routing; do
  # shellcheck disable=SC2086  # (one optional flag without spaces, or nothing)
  setsid "$BIN/omniroute-$name" --redis-url "$REDIS_URL" --bind "$DEMO_BIND" \
    --grpc-port "${PORT[${name}_grpc]}" --metrics-port "${PORT[${name}_metrics]}" \
    --http-port "${PORT[${name}_http]}" ${SVC_ARGS[$name]} \
    "${SVC_TLS[@]}" </dev/null >"$LOG_DIR/$name.log" 2>&1 &
  SVC_PID[$name]=$!
done
deadline=$((SECONDS + 30))
for name in intake classification routing; do
  until port_in_use "$HOST" "${PORT[${name}_grpc]}"; do
    if ! alive "${SVC_PID[$name]}"; then
      tail -n 20 "$LOG_DIR/$name.log" >&2
      die "omniroute-$name exited during start-up (log: $LOG_DIR/$name.log)"
    fi
    ((SECONDS < deadline)) || die "omniroute-$name is not listening on port ${PORT[${name}_grpc]} after 30 s (log: $LOG_DIR/$name.log)"
    sleep 0.1
  done
done
ENDPOINTS=(--intake "$HOST:${PORT[intake_grpc]}" --classification "$HOST:${PORT[classification_grpc]}"
  --routing "$HOST:${PORT[routing_grpc]}" "${CLIENT_TLS[@]}")
"$BIN/omniroute-demo" --check-health --wait-seconds 30 "${ENDPOINTS[@]}" ||
  die "the services did not become SERVING (logs: $LOG_DIR)"
echo "run-demo: intake, classification and routing are SERVING (pids ${SVC_PID[intake]} ${SVC_PID[classification]} ${SVC_PID[routing]}; logs in $LOG_DIR)"

# ---------------------------------------------------------------------------------------------
# The tenants' keys, then the demo itself (in the background, so that signals reach this script)

create_key() {
  "$BIN/omniroute-ctl" create-key --redis-url "$REDIS_URL" --tenant "$1" \
    --roles "$2" --name "demo-$3" || die "omniroute-ctl create-key failed (tenant $1)"
}
# One key of each kind per tenant, comma-separated in TENANTS order (omniroute-demo's lists).
ADMIN_KEY="" INTEGRATOR_KEY="" AGENT_KEY=""
for tenant in "${TENANTS[@]}"; do
  key=$(create_key "$tenant" admin,supervisor admin)
  ADMIN_KEY+=${ADMIN_KEY:+,}$key
  key=$(create_key "$tenant" integrator integrator)
  INTEGRATOR_KEY+=${INTEGRATOR_KEY:+,}$key
  key=$(create_key "$tenant" agent agent)
  AGENT_KEY+=${AGENT_KEY:+,}$key
done
TENANT_LIST=$(IFS=,; echo "${TENANTS[*]}")

OMNIROUTE_ADMIN_KEY=$ADMIN_KEY OMNIROUTE_INTEGRATOR_KEY=$INTEGRATOR_KEY OMNIROUTE_AGENT_KEY=$AGENT_KEY \
  "$BIN/omniroute-demo" "${ENDPOINTS[@]}" --tenant "$TENANT_LIST" \
  --intake-metrics "$HOST:${PORT[intake_metrics]}" \
  --classification-metrics "$HOST:${PORT[classification_metrics]}" \
  --routing-metrics "$HOST:${PORT[routing_metrics]}" \
  --intake-http "$HOST:${PORT[intake_http]}" --routing-http "$HOST:${PORT[routing_http]}" \
  --rate "$DEMO_RATE" --agents "$DEMO_AGENTS" --duration-seconds "$DEMO_SECONDS" &
DEMO_PID=$!

status=0
wait "$DEMO_PID" || status=$?
# `wait` also returns when a trapped signal arrives; keep waiting until the demo has exited.
while kill -0 "$DEMO_PID" 2>/dev/null; do
  status=0
  wait "$DEMO_PID" || status=$?
done
DEMO_PID=""
if ((status != 0)); then
  ((INTERRUPTED == 1)) || die "omniroute-demo failed (exit $status)"
  echo "run-demo: omniroute-demo exited with status $status while stopping" >&2
elif ((INTERRUPTED == 0 && DEMO_SECONDS > 0)); then
  # The agents have logged out, so nothing is answered any more: these are the figures the
  # final summary line showed, read again from the routing service.
  echo "run-demo: GetQueueStats at the end:"
  OMNIROUTE_ADMIN_KEY=$ADMIN_KEY "$BIN/omniroute-demo" --queue-stats "${ENDPOINTS[@]}" \
    --tenant "$TENANT_LIST" || die "GetQueueStats failed"
fi
exit 0
