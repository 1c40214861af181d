# shellcheck shell=bash
# Redis Cluster helpers of scripts/run-demo.sh (sourced by it, only on a cluster; not run on its
# own). They use run-demo.sh's die, alive, port_in_use, $seen (the service ports), $RUN_DIR,
# $LOG_DIR and add each redis-server they start to REDIS_PIDS, so run-demo.sh's clean-up stops it.
#
#   start_redis_cluster          six redis-servers (--cluster-enabled yes, each with its own
#                                cluster-bus port, node config and data dir), made 3 masters + 3
#                                replicas by `redis-cli --cluster create`; waits until every node
#                                says cluster_state:ok and CLUSTER SLOTS lists every replica; sets
#                                REDIS_URL=redis+cluster://<the masters> and REDIS_CLI
#   cluster_slot_layout ARGS...  "first last master replicas" per slot range, from the CLUSTER SLOTS
#                                of the node redis-cli ARGS... reaches
#   pick_cluster_tenants PREFIX N   TENANTS=(N ids PREFIX1, PREFIX2, ... spread evenly over the
#                                masters, by the slot of their hash tag {t:<id>}), and prints
#                                which master holds each

# shellcheck disable=SC2154  # ($seen, $RUN_DIR, $LOG_DIR: set by run-demo.sh)
CLUSTER_MASTERS=3
CLUSTER_REPLICAS=1

cluster_slot_layout() {
  local json
  json=$(redis-cli "$@" --json -2 CLUSTER SLOTS 2>/dev/null) || return 1
  python3 -c '
import json, sys
for r in json.loads(sys.argv[1]):
    nodes = ["%s:%s" % (n[0], n[1]) for n in r[2:]]
    print(r[0], r[1], nodes[0], ",".join(nodes[1:]) or "-")
' "$json"
}

# True when every slot has a master with CLUSTER_REPLICAS replicas in the layout on stdin.
cluster_complete() {
  awk -v want="$CLUSTER_REPLICAS" '
    { covered += $2 - $1 + 1; n = ($4 == "-") ? 0 : split($4, r, ","); if (n != want) short = 1 }
    END { exit (covered == 16384 && !short) ? 0 : 1 }'
}

start_redis_cluster() {
  local nodes=$((CLUSTER_MASTERS * (1 + CLUSTER_REPLICAS)))
  local dir=$RUN_DIR/redis-cluster keep=${DEMO_KEEP_DATA:-0} ports=() p i
  if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    die "redis-server and redis-cli are not installed (run scripts/install-deps.sh)"
  fi
  command -v python3 >/dev/null || die "REDIS_CLUSTER=1 needs python3 (run scripts/install-deps.sh)"
  if [[ -n "${REDIS_CLUSTER_PORTS:-}" ]]; then
    read -r -a ports <<<"${REDIS_CLUSTER_PORTS//,/ }"
    ((${#ports[@]} == 2 * nodes)) ||
      die "REDIS_CLUSTER_PORTS must list $((2 * nodes)) ports (the $nodes nodes', then their cluster-bus ports), got '${REDIS_CLUSTER_PORTS}'"
  elif [[ "$keep" == 1 && -s "$dir/ports" ]]; then
    read -r -a ports <"$dir/ports" # a kept cluster's nodes know each other by these ports
  else
    for p in $(seq 6390 6490) $(seq 16390 16490); do
      ((${#ports[@]} < nodes || p >= 16390)) || continue
      if [[ "$seen" != *" $p "* ]] && ! port_in_use 127.0.0.1 "$p"; then ports+=("$p"); fi
      ((${#ports[@]} < 2 * nodes)) || break
    done
    ((${#ports[@]} == 2 * nodes)) ||
      die "not enough free ports for the Redis Cluster in 6390..6490 and 16390..16490; set REDIS_CLUSTER_PORTS"
  fi
  local check=" "
  for p in "${ports[@]}"; do
    if ! [[ "$p" =~ ^[0-9]+$ ]] || ((p < 1 || p > 65535)); then
      die "REDIS_CLUSTER_PORTS: '$p' is not a port number"
    fi
    [[ "$check$seen" != *" $p "* ]] || die "port $p is given twice (REDIS_CLUSTER_PORTS and the service ports must all differ)"
    check+="$p "
    ! port_in_use 127.0.0.1 "$p" || die "port $p (private Redis Cluster) is already in use; set REDIS_CLUSTER_PORTS to free ports"
  done
  [[ "$keep" == 1 ]] || rm -rf "$dir"
  local create=1
  [[ "$keep" == 1 && -s "$dir/node-1/nodes.conf" ]] && create=0
  mkdir -p "$dir"
  echo "${ports[*]}" >"$dir/ports"
  for ((i = 0; i < nodes; i++)); do
    p=${ports[i]}
    mkdir -p "$dir/node-$((i + 1))"
    setsid redis-server --port "$p" --bind 127.0.0.1 --dir "$dir/node-$((i + 1))" \
      --cluster-enabled yes --cluster-config-file nodes.conf --cluster-port "${ports[i + nodes]}" \
      --cluster-node-timeout 5000 --appendonly yes --appendfsync everysec --save "" \
      --daemonize no --logfile "" </dev/null >"$LOG_DIR/redis-$p.log" 2>&1 &
    REDIS_PIDS+=("redis-$p=$!")
  done
  local deadline=$((SECONDS + 15)) item
  for item in "${REDIS_PIDS[@]}"; do
    p=${item%%=*}
    p=${p#redis-}
    until [[ "$(redis-cli -p "$p" ping 2>/dev/null || true)" == PONG ]]; do
      alive "${item#*=}" || { tail -n 20 "$LOG_DIR/redis-$p.log" >&2; die "redis-server on port $p exited during start-up (log: $LOG_DIR/redis-$p.log)"; }
      ((SECONDS < deadline)) || die "redis-server on port $p did not answer PING within 15 s (log: $LOG_DIR/redis-$p.log)"
      sleep 0.1
    done
  done
  local seeds=()
  for ((i = 0; i < nodes; i++)); do seeds+=("127.0.0.1:${ports[i]}"); done
  if ((create == 1)); then
    # The first CLUSTER_MASTERS nodes become the masters, the others their replicas.
    redis-cli --cluster create "${seeds[@]}" --cluster-replicas "$CLUSTER_REPLICAS" --cluster-yes \
      >"$LOG_DIR/redis-cluster-create.log" 2>&1 ||
      { tail -n 20 "$LOG_DIR/redis-cluster-create.log" >&2; die "redis-cli --cluster create failed (log: $LOG_DIR/redis-cluster-create.log)"; }
  fi
  deadline=$((SECONDS + 60))
  for ((i = 0; i < nodes; i++)); do
    until redis-cli -p "${ports[i]}" CLUSTER INFO 2>/dev/null | grep -q '^cluster_state:ok'; do
      ((SECONDS < deadline)) || die "Redis Cluster node ${seeds[i]} is not in a working cluster after 60 s (logs: $LOG_DIR/redis-*.log)"
      sleep 0.2
    done
  done
  local layout=""
  until layout=$(cluster_slot_layout -p "${ports[0]}") && cluster_complete <<<"$layout"; do
    ((SECONDS < deadline)) || die "the Redis Cluster's slot map does not list a replica for every master after 60 s: ${layout:-no CLUSTER SLOTS}"
    sleep 0.2
  done
  # The services' seeds: the masters (any node would do; the slot map names the rest).
  local masters
  masters=$(awk '{print $3}' <<<"$layout" | sort -u | paste -sd, -)
  REDIS_URL=redis+cluster://$masters
  REDIS_CLI=(-p "${ports[0]}")
  echo "run-demo: private Redis Cluster $REDIS_URL: $CLUSTER_MASTERS masters, $CLUSTER_REPLICAS replica each" \
    "(ports ${ports[*]:0:nodes}, cluster bus ${ports[*]:nodes}; data in $dir)"
  awk '{print "run-demo:   slots " $1 "-" $2 ": master " $3 ", replica " $4}' <<<"$layout"
}

pick_cluster_tenants() {
  local prefix=$1 want=$2 layout id slot owner master i
  layout=$(cluster_slot_layout "${REDIS_CLI[@]}") ||
    die "cannot read CLUSTER SLOTS of the Redis Cluster (is python3 installed?)"
  local masters
  masters=$(awk '{print $3}' <<<"$layout" | sort -u | wc -l)
  local quota=$(((want + masters - 1) / masters))
  declare -A held=()
  TENANTS=()
  for ((i = 1; ${#TENANTS[@]} < want && i <= 100 * want; i++)); do
    id=$prefix$i
    slot=$(redis-cli "${REDIS_CLI[@]}" CLUSTER KEYSLOT "{t:$id}" 2>/dev/null) ||
      die "CLUSTER KEYSLOT failed on the Redis Cluster"
    owner=$(awk -v s="$slot" '$1 <= s && s <= $2 { print $3 " " $4; exit }' <<<"$layout")
    master=${owner%% *}
    ((${held[$master]:-0} < quota)) || continue
    held[$master]=$((${held[$master]:-0} + 1))
    TENANTS+=("$id")
    echo "run-demo: tenant $id: hash slot $slot ({t:$id}) on master $master (replica ${owner#* })"
  done
  ((${#TENANTS[@]} == want)) || die "could not spread $want tenants over the cluster's masters"
}
