# shellcheck shell=bash disable=SC2034,SC2154
# Sourced by cluster-bench.sh and wait-bench.sh: runs omniroute-bench back to back with two sets
# of flags ("sides"), alternating which side goes first (A B B A A B ...), so that a trend in the
# machine's load favours neither, and keeps each run's full output in $out/<side>-<n>.txt. The
# side-by-side medians are printed by the caller (bench_runs.py reads the outputs).
#
# The caller defines usage() (prints and exits 2) and side_flags SIDE (sets the array
# `flags` to what that side adds to the common flags), sets the defaults of its options, then:
#   alt_options "NAME..." "$@"   BUILD_DIR into $build_dir, then --NAME VALUE for each NAME
#                                into $NAME (- becomes _); what follows -- into bench_extra
#   alt_positive NAME...         each $NAME must be a positive integer
#   alt_prepare BUILD_DIR PREFIX the bench and Redis exist; sets bench, bin_dir, out (PREFIX names
#                                a new temporary directory when --out is not given), started,
#                                loadavg_start
#   alt_run SIDE_A SIDE_B RUNS FLAGS...   the runs, each with FLAGS then side_flags SIDE; sets
#                                         order ("A 1 B 1 B 2 A 2 ...")

alt_options() {
  local names=" $1 " opt
  shift
  [[ $# -ge 1 && $1 != --* ]] || usage
  build_dir=$1
  shift
  bench_extra=()
  while [[ $# -gt 0 ]]; do
    if [[ $1 == -- ]]; then
      shift
      bench_extra=("$@")
      return
    fi
    opt=${1#--}
    if [[ $1 == --* && $names == *" $opt "* ]]; then
      [[ $# -ge 2 ]] || usage
      printf -v "${opt//-/_}" '%s' "$2"
      shift 2
    else
      echo "$0: unknown option '$1' (bench flags go after --)" >&2
      usage
    fi
  done
}

alt_positive() {
  local name
  for name in "$@"; do
    if ! [[ ${!name} =~ ^[1-9][0-9]*$ ]]; then
      echo "$0: --${name//_/-} must be a positive integer, not '${!name}'" >&2
      exit 2
    fi
  done
}

alt_prepare() {
  local build_dir=$1 prefix=$2
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
  [[ -n ${out:-} ]] || out=$(mktemp -d "/tmp/$prefix.XXXXXX")
  mkdir -p "$out"
  bin_dir=$(cd "$(dirname "$bench")" && pwd)
  loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)
  started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
}

alt_run() {
  local a=$1 b=$2 runs=$3 n side file
  shift 3
  order=()
  for ((n = 1; n <= runs; n++)); do
    if ((n % 2 == 1)); then order+=("$a $n" "$b $n"); else order+=("$b $n" "$a $n"); fi
  done
  local item
  for item in "${order[@]}"; do
    side=${item% *} n=${item#* } file="$out/$side-$n.txt"
    side_flags "$side"
    echo "run $n of $runs, $side: omniroute-bench $* ${flags[*]}" >&2
    if ! "$bench" "$@" "${flags[@]}" >"$file" 2>&1; then
      echo "$0: the $side run $n failed; the end of its output ($file):" >&2
      tail -n 30 "$file" >&2
      exit 1
    fi
  done
}
