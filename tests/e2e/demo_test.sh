#!/usr/bin/env bash
# CTest demo_run (label e2e): `make run`'s demo reaches a steady state. Runs scripts/run-demo.sh
# for DEMO_SECONDS (default 30) on free loopback ports with its own private Redis and run
# directory, so a developer's running `make run` is not disturbed, then checks:
#   - run-demo.sh exits 0;
#   - at least one periodic summary line has completed > 0 and intake, classification and
#     routing SERVING;
#   - the final summary line has completed > 0;
#   - its SLA of each demo queue is GetQueueStats' service_level, which run-demo.sh reads again
#     at the end: answered_within_sla / (answered + abandoned), cut to one decimal, for the same
#     counts (the agents have logged out, so nothing is answered in between);
#   - the people logged in have the slots the banner's staffing lines work out from the traffic,
#     and the summary shows their occupancy;
#   - no process of this run (services, Redis, demo, ctl) is left and none of its ports listens.
#
#   tests/e2e/demo_test.sh BUILD_DIR      (binaries in BUILD_DIR/bin)
#
# DEMO_SECONDS and DEMO_RATE may be set to try other runs (DEMO_RATE=0 must fail). With
# DEMO_TLS=1 (CTest demo_run_tls) the run is over mutual TLS (the demo's TLS client reaches
# the services only if they speak TLS), the banner says so, and everything above still holds.
# With REDIS_CLUSTER=1 (CTest demo_run_cluster) the demo runs on a private Redis Cluster of six
# (3 masters, 3 replicas) with several tenants (DEMO_TENANTS, default 6), and also: run-demo.sh
# names the master of every tenant, the tenants land on all three masters, every check above
# holds for every tenant's own lines (each routed, completed and classified its own work), and
# none of the six redis-servers (nor their cluster-bus ports) is left. DEMO_TENANTS=N without
# REDIS_CLUSTER runs and checks N tenants (demo1..demoN) on one Redis. The run directory (logs,
# Redis data, output) is removed on success and kept on failure.
set -uo pipefail

fail() {
  echo "demo_test: FAIL: $*" >&2
  [[ -n "${RUN_DIR:-}" ]] && echo "demo_test: logs and output kept in $RUN_DIR" >&2
  exit 1
}

[[ $# -eq 1 ]] || {
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
}
BUILD_DIR=$(cd "$1" && pwd) || fail "no build directory '$1'"
RUN_DEMO=$(cd "$(dirname "$0")/../.." && pwd)/scripts/run-demo.sh
[[ -x "$RUN_DEMO" ]] || fail "missing $RUN_DEMO"
command -v python3 >/dev/null || fail "python3 is needed to pick free ports"

CLUSTER=${REDIS_CLUSTER:-0}
# Seven distinct free loopback ports (with REDIS_CLUSTER=1 twelve more: the six nodes' and their
# cluster-bus ports): all sockets are bound (port 0) before any is closed.
NPORTS=$((CLUSTER == 1 ? 22 : 10))
read -r -a PORTS < <(python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
' "$NPORTS") || fail "could not pick free ports"
((${#PORTS[@]} == NPORTS)) || fail "could not pick free ports (got '${PORTS[*]}')"

RUN_DIR=$(mktemp -d "$BUILD_DIR/demo_test.XXXXXX") || fail "cannot create a run directory"
OUT=$RUN_DIR/output.txt
echo "demo_test: ports ${PORTS[*]} (intake, classification, routing gRPC; their metrics; their HTTP;" \
  "Redis$( ((CLUSTER == 0)) || echo "; the cluster's six nodes, then their bus ports")), run directory $RUN_DIR"

# The run-demo.sh settings a developer may have exported (REDIS_URL above all) must not leak in.
unset REDIS_URL DEMO_KEEP_DATA DEMO_AGENTS DEMO_TENANT REDIS_CLUSTER_PORTS
[[ "$CLUSTER" == 0 ]] || export REDIS_CLUSTER_PORTS="${PORTS[*]:10}"
status=0
LIMIT=$((CLUSTER == 1 ? 240 : 150)) # a cluster takes ~15 s to form, and runs six tenants
INTAKE_GRPC_PORT=${PORTS[0]} CLASSIFICATION_GRPC_PORT=${PORTS[1]} ROUTING_GRPC_PORT=${PORTS[2]} \
  INTAKE_METRICS_PORT=${PORTS[3]} CLASSIFICATION_METRICS_PORT=${PORTS[4]} \
  ROUTING_METRICS_PORT=${PORTS[5]} REDIS_PORT=${PORTS[6]} DEMO_BIND=127.0.0.1 \
  INTAKE_HTTP_PORT=${PORTS[7]} CLASSIFICATION_HTTP_PORT=${PORTS[8]} ROUTING_HTTP_PORT=${PORTS[9]} \
  DEMO_RUN_DIR=$RUN_DIR DEMO_SECONDS=${DEMO_SECONDS:-30} DEMO_RATE=${DEMO_RATE:-8} \
  timeout --signal=TERM --kill-after=30 "$LIMIT" "$RUN_DEMO" "$BUILD_DIR" >"$OUT" 2>&1 || status=$?
cat "$OUT"

# Processes of this run: every one of them has one of its unique ports on its command line
# (services: --grpc-port P; demo: --intake 127.0.0.1:P; ctl: --redis-url ...:P, or
# redis+cluster://...:P,...:P; Redis shows itself as "redis-server 127.0.0.1:P").
leftovers() {
  local p
  for p in "${PORTS[@]}"; do
    pgrep -af -- "(omniroute-|redis-server).*[ :]$p([ ,]|\$)" || true
  done
}
listening() {
  local p
  for p in "${PORTS[@]}"; do
    if timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$p" 2>/dev/null; then echo "$p"; fi
  done
}
# run-demo.sh waits for its children before it exits; allow a moment for a time-out kill.
left=""
for _ in $(seq 1 50); do
  left=$(leftovers)
  [[ -z "$left" ]] && break
  sleep 0.2
done

((status != 124 && status != 137)) || fail "run-demo.sh did not finish within $LIMIT s"
((status == 0)) || fail "run-demo.sh exited with status $status"
if [[ -n "$left" ]]; then
  # Report, then stop them (only these: each carries one of this run's ports), so a failed run
  # does not leave them to the next.
  mapfile -t left_pids < <(awk '{print $1}' <<<"$left")
  kill -KILL "${left_pids[@]}" 2>/dev/null
  fail "processes of this run were still running (now killed):"$'\n'"$left"
fi
open=$(listening)
[[ -z "$open" ]] || fail "ports of this run still accept connections: $open"

# The tenants: one without a label, or several (DEMO_TENANTS; on a cluster those run-demo.sh
# placed), each line of theirs labelled "<tenant>: ".
LABELS=("")
if [[ "$CLUSTER" == 0 && "${DEMO_TENANTS:-1}" -gt 1 ]]; then
  LABELS=()
  for ((i = 1; i <= DEMO_TENANTS; i++)); do LABELS+=("demo$i: "); done
elif [[ "$CLUSTER" == 1 ]]; then
  placed='^run-demo: tenant ([A-Za-z0-9_-]+): hash slot ([0-9]+) .* on master ([0-9.:]+) '
  LABELS=()
  declare -A masters_used=()
  while IFS= read -r line; do
    [[ "$line" =~ $placed ]] || continue
    LABELS+=("${BASH_REMATCH[1]}: ")
    masters_used[${BASH_REMATCH[3]}]=1
  done <"$OUT"
  want=${DEMO_TENANTS:-6}
  ((${#LABELS[@]} == want)) || fail "run-demo.sh placed ${#LABELS[@]} tenants on the cluster, not $want"
  masters=$(grep -oE '^run-demo:   slots [0-9]+-[0-9]+: master [0-9.:]+' "$OUT" | awk '{print $NF}' | sort -u)
  (($(wc -l <<<"$masters") == 3)) || fail "run-demo.sh does not show the cluster's three masters: $masters"
  for m in $masters; do
    [[ -n "${masters_used[$m]:-}" ]] || fail "no tenant lives on master $m (tenants on: ${!masters_used[*]})"
  done
  grep -qE '^run-demo: private Redis Cluster redis\+cluster://127\.0\.0\.1:[0-9]+,127\.0\.0\.1:[0-9]+,127\.0\.0\.1:[0-9]+:' "$OUT" ||
    fail "run-demo.sh does not show the redis+cluster:// URL of the three masters"
fi

serving='\| intake SERVING, classification SERVING, routing SERVING$'
stats_re='^queue ([a-z]+): waiting [0-9]+, answered ([0-9]+), answered_within_sla ([0-9]+), abandoned ([0-9]+), service_level ([0-9.]+)$'
total_steady=0 total_completed=0
# check_tenant LABEL: the summary, SLA and staffing checks on the lines of one tenant.
check_tenant() {
  local L=$1 who=${1%: } line
  who=${who:-the tenant}
  local summary="^ *[0-9]+s  ${L}submitted [0-9]+.*\\| completed ([0-9]+) \\|"
  local steady=0
  while IFS= read -r line; do
    if [[ "$line" =~ $summary ]] && ((BASH_REMATCH[1] > 0)) && [[ "$line" =~ $serving ]]; then
      steady=$((steady + 1))
    fi
  done <"$OUT"
  ((steady > 0)) ||
    fail "$who: no summary line shows completed > 0 with intake, classification and routing SERVING"
  total_steady=$((total_steady + steady))

  local final
  final=$(grep -E "^final +[0-9]+s  ${L}submitted " "$OUT" | tail -n 1)
  [[ -n "$final" ]] || fail "$who: no final summary line"
  [[ "$final" =~ \|\ offered\ [0-9]+\ open\ /\ ([0-9]+)\ total\ \| ]] || fail "cannot read the offers from: $final"
  ((BASH_REMATCH[1] > 0)) || fail "$who: nothing was offered to an agent (not routed): $final"
  [[ "$final" =~ \|\ completed\ ([0-9]+)\ \| ]] || fail "cannot read completed from: $final"
  local final_completed=${BASH_REMATCH[1]}
  ((final_completed > 0)) || fail "$who: final completed count is $final_completed"
  total_completed=$((total_completed + final_completed))
  [[ "$final" =~ \|\ classified\ ([0-9]+):\ by\ rule\ ([0-9]+),\ model\ ([0-9]+),\ to\ triage\ ([0-9]+),\ default\ ([0-9]+)\ \| ]] ||
    fail "cannot read the classification counts from: $final"
  ((BASH_REMATCH[2] > 0 && BASH_REMATCH[3] > 0)) ||
    fail "$who: rules and the intent model should both classify some of the demo traffic: $final"
  # The sources add up to what was classified, whatever the source.
  ((BASH_REMATCH[2] + BASH_REMATCH[3] + BASH_REMATCH[4] + BASH_REMATCH[5] == BASH_REMATCH[1])) ||
    fail "$who: the classification sources do not add up to the classified count: $final"
  [[ "$final" =~ \|\ self-service\ ([0-9]+)\ deflected,\ ([0-9]+)\ escalated\ \| ]] ||
    fail "cannot read the self-service counts from: $final"
  ((BASH_REMATCH[1] + BASH_REMATCH[2] > 0)) ||
    fail "$who: the bot resolved or escalated nothing (password resets should reach it): $final"

  # The SLA per queue: "SLA voice 100.0% chat 99.3% ... |" in the final line, against the counts
  # of "queue voice: waiting 0, answered 152, answered_within_sla 152, abandoned 0, service_level
  # 1.000000" lines (after the tenant's label) that GetQueueStats gave after the run.
  [[ "$final" =~ \|\ SLA\ ([^|]*)\ \| ]] || fail "cannot read the SLA figures from: $final"
  local sla_words i
  read -r -a sla_words <<<"${BASH_REMATCH[1]}"
  local -A shown=()
  for ((i = 0; i + 1 < ${#sla_words[@]}; i += 2)); do shown[${sla_words[i]}]=${sla_words[i + 1]}; done
  local checked=0 queue answered within abandoned level counted tenths want
  while IFS= read -r line; do
    [[ "$line" == "$L"queue* && "${line#"$L"}" =~ $stats_re ]] || continue
    queue=${BASH_REMATCH[1]}
    answered=${BASH_REMATCH[2]} within=${BASH_REMATCH[3]} abandoned=${BASH_REMATCH[4]}
    level=${BASH_REMATCH[5]}
    counted=$((answered + abandoned))
    tenths=1000
    ((counted == 0)) || tenths=$((within * 1000 / counted))
    want="$((tenths / 10)).$((tenths % 10))%"
    [[ "${shown[$queue]:-}" == "$want" ]] ||
      fail "$who, queue $queue: the final summary shows SLA ${shown[$queue]:-nothing}, GetQueueStats counts $within of $counted in time ($want): $final"
    awk -v l="$level" -v w="$within" -v c="$counted" \
      'BEGIN { e = c == 0 ? 1 : w / c; exit (l - e < 1e-6 && e - l < 1e-6) ? 0 : 1 }' ||
      fail "$who, queue $queue: GetQueueStats' service_level $level is not $within / $counted"
    checked=$((checked + 1))
  done <"$OUT"
  ((checked > 0 && checked == ${#shown[@]})) ||
    fail "$who: the final summary shows SLA for ${#shown[@]} queues, GetQueueStats was read for $checked"

  # Staffing: "  voice  voice  2.40/s x 2.10 s =  5.04 Erl ->  6 slots (84 % busy)" per (queue,
  # channel) the people serve (the same for every tenant), then "people: billing 2, chat 5, ...
  # (15, 36 slots)" (after the tenant's label).
  local planned=0 people
  while IFS= read -r line; do
    [[ "$line" =~ Erl\ -\>\ +([0-9]+)\ slots ]] && planned=$((planned + BASH_REMATCH[1]))
  done <"$OUT"
  people=$(grep -E "^${L}people: " "$OUT" | head -n 1)
  [[ "$people" =~ \(([0-9]+),\ ([0-9]+)\ slots\)$ ]] || fail "$who: no staffing summary in the banner: '$people'"
  ((planned > 0 && BASH_REMATCH[2] == planned)) ||
    fail "$who: the banner plans $planned slots for the traffic, the people logged in have ${BASH_REMATCH[2]}"
  [[ "$final" =~ \|\ occupancy\ [0-9]+%\ \| ]] || fail "$who: the final summary shows no occupancy: $final"
}
for label in "${LABELS[@]}"; do check_tenant "$label"; done

grep -q -- "prometheus --config.file=deploy/prometheus/prometheus.yml" "$OUT" ||
  fail "the banner does not say how to point Prometheus at the services"
grep -qE "metrics http://[0-9.]+:[0-9]+/metrics" "$OUT" ||
  fail "the banner does not show the metrics endpoints"

if [[ "${DEMO_TLS:-0}" == 1 ]]; then
  grep -qE '^  intake +gRPC\+mTLS ' "$OUT" || fail "DEMO_TLS=1: the banner does not show gRPC+mTLS"
  grep -q -- "-cacert $RUN_DIR/tls/ca.pem -cert" "$OUT" ||
    fail "DEMO_TLS=1: the banner's grpcurl lines do not use the demo certificates"
fi

rm -rf "$RUN_DIR"
echo "demo_test: ok (${#LABELS[@]} tenant(s): $total_steady steady summary lines, $total_completed" \
  "completed at the end, nothing left running)"
