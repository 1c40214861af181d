#!/usr/bin/env bash
# How fast a what-if replay runs: writes a synthetic workload (load-tests/gen_workload.py:
# Poisson arrivals over four queues, exponential handle times and patience, a roster sized for
# ~90 % occupancy), replays it with `omniroute-ctl what-if` (its own scratch redis-server) and
# prints the wall time, the CPU of omniroute-ctl, arrivals replayed per second and the replay's
# per-queue results. Prints figures, never passes or fails on them. Builds nothing.
#   load-tests/whatif-bench.sh BUILD_DIR [--seconds S] [--rate R]
# Defaults: one hour (3600 s) at 50 arrivals/s, about 180,000 arrivals.
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR [--seconds S] [--rate R]}
shift
seconds=3600 rate=50
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
/usr/bin/python3 "$here/gen_workload.py" --seconds "$seconds" --rate "$rate" --out "$dir/w.json"
# Wall and CPU time of the replay (omniroute-ctl and the redis-server it starts, its child).
/usr/bin/python3 - "$build/bin/omniroute-ctl" "$dir" <<'PY'
import resource, subprocess, sys, time
ctl, d = sys.argv[1], sys.argv[2]
t = time.monotonic()
with open(d + "/out.txt", "w") as out:
    subprocess.run([ctl, "what-if", "--workload", d + "/w.json"], stdout=out, check=True)
wall = time.monotonic() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
n = open(d + "/w.json").read().count('"interactionId"')
print(open(d + "/out.txt").read(), end="")
print("whatif-bench: %d arrivals replayed in %.1f s wall (%.0f arrivals/s); CPU %.1f s user + "
      "%.1f s sys (omniroute-ctl and its redis-server)" % (n, wall, n / wall, r.ru_utime, r.ru_stime))
PY
