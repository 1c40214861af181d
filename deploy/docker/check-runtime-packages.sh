#!/usr/bin/env bash
# Proves each image's runtime package list covers every shared library its binaries link, and
# lists nothing they do not need.
#
#   deploy/docker/check-runtime-packages.sh BIN_DIR [LIST_DIR]
#
# For every image (intake, classification, routing, webhooks) it takes the binaries the Dockerfile copies
# into it (omniroute-<image>, omniroute-health and omniroute-ctl), asks `ldd` for every shared library they load
# (the whole closure, not only DT_NEEDED), maps each library to the Debian package that owns it
# with `dpkg -S` (trying the path as given, its realpath, and the /lib <-> /usr/lib twin of
# each, since bookworm is usrmerged but dpkg records the path the package shipped), and compares
# that set with LIST_DIR/<image>.txt (default: runtime-packages/ next to this script).
#
# List format: one package per line; '#' starts a comment. A package no library needs is an
# error unless its line carries "# keep: <why>" (data packages such as tzdata, which ldd cannot
# see).
#
# Exit 0 when every list is exact, 1 when a list misses a package (naming the library and binary
# that need it), lists an unneeded package, or a library is "not found" or owned by no package;
# 2 on usage errors; 77 (CTest skip) when not on Debian 12, where package names would differ.
set -uo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 BIN_DIR [LIST_DIR]" >&2
  exit 2
fi
bin_dir=$1
list_dir=${2:-$(dirname "$(readlink -f "$0")")/runtime-packages}
images=(intake classification routing webhooks)
# The binaries the Dockerfile copies into IMAGE.
binaries_of() { echo "omniroute-$1 omniroute-health omniroute-ctl"; }

for tool in ldd dpkg readlink; do
  command -v "$tool" >/dev/null || { echo "check-runtime-packages: $tool is missing" >&2; exit 2; }
done
# The images are debian:12-slim and the list names bookworm packages; another host's ldd and
# dpkg would answer for other package names, so there is nothing to compare.
if ! grep -qx 'ID=debian' /etc/os-release || ! grep -qx 'VERSION_ID="12"' /etc/os-release; then
  echo "check-runtime-packages: SKIP: the host is not Debian 12 (the images' base)" >&2
  exit 77
fi

# The names usrmerge gives PATH: as given, its realpath, and the /lib <-> /usr/lib twin of each.
candidates_of() {
  local path=$1 real c
  real=$(readlink -f "$path")
  for c in "$path" "$real"; do
    echo "$c"
    case $c in
      /usr/lib/* | /usr/lib64/*) echo "${c#/usr}" ;;
      /lib/* | /lib64/*) echo "/usr$c" ;;
    esac
  done
}

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# Pass 1: every library each image's binaries load, as "image<TAB>binary<TAB>library" lines.
# ldd lists the whole closure; the image sets no LD_LIBRARY_PATH, so neither does the check.
loads=()
for image in "${images[@]}"; do
  for bin in $(binaries_of "$image"); do
    path="$bin_dir/$bin"
    if [[ ! -x $path ]]; then
      fail "$image: binary $path is missing (build it first)"
      continue
    fi
    if ! libs=$(env -u LD_LIBRARY_PATH -u LD_PRELOAD ldd "$path" 2>&1); then
      fail "$image: ldd $path failed: $libs"
      continue
    fi
    while IFS= read -r l; do
      l=${l#"${l%%[![:space:]]*}"}
      case $l in
        linux-vdso.so.* | linux-gate.so.* | /lib*/ld-linux* | /usr/lib*/ld-linux*) continue ;;
        *'=> not found'*)
          fail "$image: $bin needs ${l%% *}, which ldd cannot find on this host"
          continue
          ;;
        *' => '*) lib=${l#* => } ;;
        *) continue ;;
      esac
      loads+=("$image"$'\t'"$bin"$'\t'"${lib%% (*}")
    done <<<"$libs"
  done
done

# Pass 2: one dpkg -S for every candidate name of every library (one call per library would
# take a minute). Its lines are "pkg:arch[, pkg2:arch]: /path"; "diversion by" lines are not
# ownership, and names no package owns are only reported on stderr.
declare -A owners_of=()
all_candidates=()
if [[ ${#loads[@]} -gt 0 ]]; then
  mapfile -t all_candidates < <(printf '%s\n' "${loads[@]}" | cut -f3 | sort -u |
    while IFS= read -r lib; do candidates_of "$lib"; done | sort -u)
  while IFS= read -r line; do
    [[ $line == 'diversion '* || $line != *': /'* ]] && continue
    file=/${line#*: /}
    owners_of[$file]=$(tr ',' '\n' <<<"${line%%: /*}" | sed 's/^ *//; s/:.*//')
  done < <(dpkg -S "${all_candidates[@]}" 2>/dev/null)
fi

# Packages owning library PATH, one per line; fails when no package owns any of its names.
package_of() {
  local c
  while IFS= read -r c; do
    if [[ -n ${owners_of[$c]:-} ]]; then
      echo "${owners_of[$c]}"
      return 0
    fi
  done < <(candidates_of "$1")
  return 1
}

for image in "${images[@]}"; do
  list="$list_dir/$image.txt"
  binaries=$(binaries_of "$image")
  declare -A needed_by=() listed=() kept=()

  if [[ ! -f $list ]]; then
    fail "$image: no package list $list"
    continue
  fi
  while IFS= read -r line || [[ -n $line ]]; do
    pkg=$(sed 's/#.*//; s/[[:space:]]//g' <<<"$line")
    [[ -z $pkg ]] && continue
    listed[$pkg]=1
    [[ $line =~ \#[[:space:]]*keep:[[:space:]]*[^[:space:]] ]] && kept[$pkg]=1
  done <"$list"

  for entry in "${loads[@]}"; do
    IFS=$'\t' read -r img bin lib <<<"$entry"
    [[ $img == "$image" ]] || continue
    if ! owners=$(package_of "$lib"); then
      fail "$image: $lib (needed by $bin) belongs to no Debian package, so no list can cover it"
      continue
    fi
    # A path owned by several packages is covered when any of them is listed.
    first="" covered=""
    while IFS= read -r p; do
      [[ -z $first ]] && first=$p
      [[ -n ${listed[$p]:-} ]] && covered=$p
    done <<<"$owners"
    key=${covered:-$first}
    needed_by[$key]+="${needed_by[$key]:+, }$lib ($bin)"
  done

  for pkg in $(printf '%s\n' "${!needed_by[@]}" | sort); do
    if [[ -z ${listed[$pkg]:-} ]]; then
      fail "$image: $pkg is missing from $list; needed by ${needed_by[$pkg]}"
    fi
  done
  for pkg in $(printf '%s\n' "${!listed[@]}" | sort); do
    if [[ -z ${needed_by[$pkg]:-} && -z ${kept[$pkg]:-} ]]; then
      fail "$image: $pkg is in $list but no library of $binaries needs it; remove it or" \
        "mark it '# keep: <why>'"
    fi
  done
  echo "$image: ${#needed_by[@]} packages needed by the libraries of $binaries," \
    "${#listed[@]} listed in $list"
  unset needed_by listed kept
done

if [[ $failures -gt 0 ]]; then
  echo "check-runtime-packages: $failures problem(s)" >&2
  exit 1
fi
echo "check-runtime-packages: every list covers exactly what its binaries link"
