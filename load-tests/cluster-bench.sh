#!/usr/bin/env bash
# One redis-server against a Redis Cluster, back to back in one session: runs omniroute-bench
# alternately on a private redis-server and on a private Redis Cluster (--redis-cluster-masters),
# with the same tenants and the same load, and prints the medians side by side: routed/s, done/s,
# and Redis CPU and commands per routed interaction, for all of Redis and per master. Prints
# figures, never passes or fails on them. Builds nothing (`make build` first).
#   load-tests/cluster-bench.sh BUILD_DIR [--tenants N] [--masters M] [--runs R] [--rounds K]
#                               [--out DIR] [-- omniroute-bench flags...]
# Defaults: 6 tenants, 3 masters, 2 runs of each side (order single, cluster, cluster, single,
# ...), 3 rounds per run (the bench's default load: 20,000 interactions per round). The raw
# baseline and BullMQ are skipped (they need one redis-server). Each run's full output is kept in
# --out DIR (default: a new temporary directory, named at the end).
# e.g. load-tests/cluster-bench.sh build --runs 1 --rounds 2 -- --interactions 5000
set -euo pipefail

usage() {
  echo "usage: $0 BUILD_DIR [--tenants N] [--masters M] [--runs R] [--rounds K] [--out DIR]" \
    "[-- omniroute-bench flags...]" >&2
  exit 2
}
[[ $# -ge 1 ]] || usage
build_dir=$1
shift
tenants=6 masters=3 runs=2 rounds=3 out=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --tenants | --masters | --runs | --rounds | --out)
      [[ $# -ge 2 ]] || usage
      declare "${1#--}=$2"
      shift 2
      ;;
    --) shift; break ;;
    *) echo "$0: unknown option '$1' (bench flags go after --)" >&2; usage ;;
  esac
done
for name in tenants masters runs rounds; do
  if ! [[ ${!name} =~ ^[1-9][0-9]*$ ]]; then
    echo "$0: --$name must be a positive integer, not '${!name}'" >&2
    exit 2
  fi
done
bench="$build_dir/bin/omniroute-bench"
if [[ ! -x "$bench" ]]; then
  echo "$bench not found: build first (make build, or cmake --build $build_dir)" >&2
  exit 1
fi
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  echo "redis-server / redis-cli not found: run 'make deps' (apt-get install redis-server" \
    "redis-tools)" >&2
  exit 1
fi
[[ -n $out ]] || out=$(mktemp -d /tmp/omniroute-cluster-bench.XXXXXX)
mkdir -p "$out"
bin_dir=$(cd "$(dirname "$bench")" && pwd)
common=(--bin-dir "$bin_dir" --tenants "$tenants" --rounds "$rounds" --skip-raw --skip-bullmq "$@")
loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')

run_one() {  # side run_number
  local side=$1 n=$2 file="$out/$1-$2.txt" extra=()
  [[ $side == cluster ]] && extra=(--redis-cluster-masters "$masters")
  echo "run $n of $runs, $side: omniroute-bench ${common[*]} ${extra[*]}" >&2
  if ! "$bench" "${common[@]}" "${extra[@]}" >"$file" 2>&1; then
    echo "$0: the $side run $n failed; the end of its output ($file):" >&2
    tail -n 30 "$file" >&2
    exit 1
  fi
}

order=()
for ((n = 1; n <= runs; n++)); do
  # Alternate which side goes first, so a trend in the machine's load favours neither.
  if ((n % 2 == 1)); then order+=("single $n" "cluster $n"); else order+=("cluster $n" "single $n"); fi
done
for item in "${order[@]}"; do
  # shellcheck disable=SC2086
  run_one $item
done

python3 - "$out" "$runs" "$rounds" "$tenants" "$masters" "$started" "$loadavg_start" \
  "$(cut -d' ' -f1-3 /proc/loadavg)" "${order[*]}" "$*" <<'EOF'
import os, re, statistics, sys

out, runs, rounds, tenants, masters, started, load0, load1, order, extra = sys.argv[1:]
ROUND = re.compile(r"^round (\d+): .* -> (\S+) routed/s")
DONE = re.compile(r"^  full life cycle: .* -> (\S+) done/s")
MASTER = re.compile(r"^    master (\d+) (\S+) \((\d+) tenants?\): (\d+) routed, redis (\S+) us CPU/int, "
                    r"(\S+) cmds/int, busy (\S+)%")
TOTAL = re.compile(r"^    masters' total: (\d+) routed, redis (\S+) us CPU/int, (\S+) cmds/int, "
                   r"busy (\S+)%")


def num(s):
    try:
        return float(s)
    except ValueError:
        return float("nan")


def parse(path):
    """The rounds of one run: routed/s, done/s, per master and all masters."""
    rounds = []
    for line in open(path, encoding="utf-8", errors="replace"):
        if m := ROUND.match(line):
            rounds.append({"routed_s": num(m[2]), "masters": []})
        elif rounds and (m := DONE.match(line)):
            rounds[-1]["done_s"] = num(m[1])
        elif rounds and (m := MASTER.match(line)):
            rounds[-1]["masters"].append({"tenants": int(m[3]), "routed": int(m[4]),
                                          "us": num(m[5]), "cmds": num(m[6]), "busy": num(m[7])})
        elif rounds and (m := TOTAL.match(line)):
            rounds[-1]["all"] = {"routed": int(m[1]), "us": num(m[2]), "cmds": num(m[3]),
                                 "busy": num(m[4])}
    for i, r in enumerate(rounds):
        if "all" not in r or not r["masters"]:
            sys.exit(f"cluster-bench: no per-master figures for round {i + 1} in {path}")
    if not rounds:
        sys.exit(f"cluster-bench: no round in {path}")
    return rounds


def median(values):
    values = [v for v in values if v == v]
    return statistics.median(values) if values else float("nan")


def fmt(v, d=0):
    return "n/a" if v != v else f"{v:,.{d}f}"


sides = {}
for side in ("single", "cluster"):
    # Only this invocation's runs (an --out directory may hold older ones).
    files = [os.path.join(out, f"{side}-{n}.txt") for n in range(1, int(runs) + 1)]
    sides[side] = [r for f in files for r in parse(f)]
s, c = sides["single"], sides["cluster"]
n_masters = max(len(r["masters"]) for r in c)


def med(rows, get):
    return median([get(r) for r in rows])


print(f"== omniroute-bench: one redis-server vs a Redis Cluster of {masters} masters, "
      f"{tenants} tenants ==")
print(f"{started}; machine: {os.cpu_count()} cores, load average {load0} at the start, "
      f"{load1} at the end")
print(f"each run: omniroute-bench --tenants {tenants} --rounds {rounds} --skip-raw --skip-bullmq"
      f"{' ' + extra if extra else ''} (the cluster side adds --redis-cluster-masters {masters}); "
      f"{runs} run(s) per side in the order: {order}")
print(f"figures: the MEDIAN of {len(s)} rounds (single) and {len(c)} rounds (cluster), each row "
      "on its own.\nThe cores are shared with other work, so rounds vary: compare medians, "
      "read the rounds below;\ntiming here is never a pass/fail test.")
print()
W = 18
print(f"{'':44}{'one redis-server':>{W}}{'Redis Cluster':>{W}}{'cluster/single':>{W}}")


def row(label, single, cluster, d=0):
    r = cluster / single if single == single and cluster == cluster and single else float("nan")
    print(f"{label:44}{fmt(single, d):>{W}}{fmt(cluster, d):>{W}}{fmt(r, 2):>{W}}")


row("routed/s (every tenant)", med(s, lambda r: r["routed_s"]), med(c, lambda r: r["routed_s"]))
row("done/s (full life cycle)", med(s, lambda r: r.get("done_s", float("nan"))),
    med(c, lambda r: r.get("done_s", float("nan"))))
row("Redis CPU us per routed interaction, all", med(s, lambda r: r["all"]["us"]),
    med(c, lambda r: r["all"]["us"]), 1)
row("Redis commands per routed interaction, all", med(s, lambda r: r["all"]["cmds"]),
    med(c, lambda r: r["all"]["cmds"]), 1)
row("Redis busy, all nodes added up (cores)", med(s, lambda r: r["all"]["busy"] / 100),
    med(c, lambda r: r["all"]["busy"] / 100), 2)
print()
w = 14
print(f"{'per master':30}{'CPU us/int':>{w}}{'cmds/int':>{w}}{'routed %':>{w}}{'busy cores':>{w}}")


def master_row(label, rows, total_of):
    share = median([100.0 * m["routed"] / max(1, total_of(i)) for i, m in enumerate(rows)])
    print(f"{label:30}{fmt(median([m['us'] for m in rows]), 1):>{w}}"
          f"{fmt(median([m['cmds'] for m in rows]), 1):>{w}}{fmt(share, 1):>{w}}"
          f"{fmt(median([m['busy'] / 100 for m in rows]), 2):>{w}}")


for i in range(n_masters):
    rounds_i = [r for r in c if i < len(r["masters"])]
    rows = [r["masters"][i] for r in rounds_i]
    n = rows[0]["tenants"]
    master_row(f"cluster master {i + 1} ({n} tenant{'' if n == 1 else 's'})", rows,
               lambda k: rounds_i[k]["all"]["routed"])
master_row(f"one redis-server ({tenants} tenants)", [r["all"] for r in s],
           lambda k: s[k]["all"]["routed"])
print()
print("per round:")
for side, rows in (("single ", s), ("cluster", c)):
    print(f"  {side} routed/s {' '.join(fmt(r['routed_s']) for r in rows)}; done/s "
          f"{' '.join(fmt(r.get('done_s', float('nan'))) for r in rows)}; Redis us/int all "
          f"{' '.join(fmt(r['all']['us'], 1) for r in rows)}")
for i in range(n_masters):
    print(f"  cluster master {i + 1} us/int "
          f"{' '.join(fmt(r['masters'][i]['us'], 1) for r in c if i < len(r['masters']))}")
print(f"outputs of every run: {out}")
EOF
