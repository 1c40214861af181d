#!/usr/bin/env bash
# CTest (label integration): omniroute-model publish puts a checked model in a real Redis
# (hash omniroute:model: version, bytes) and refuses a corrupt file with exit code 1, leaving
# the published model as it was.
#   tests/model/publish.sh OMNIROUTE_MODEL
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" \
  --daemonize no >"$tmp/redis.log" 2>&1 &
redis_pid=$!
trap 'kill $redis_pid 2>/dev/null; wait $redis_pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 50); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

{
  echo "text,label"
  for i in $(seq 1 10); do
    echo "my card is lost $i,card_lost"
    echo "reset my passcode $i,passcode_forgotten"
  done
} >"$tmp/data.csv"
"$bin" train --data "$tmp/data.csv" --model "$tmp/m.bin" --holdout 0 >/dev/null
out=$("$bin" publish --model "$tmp/m.bin" --redis-port "$port")
echo "$out"
version=$(redis-cli -p "$port" hget omniroute:model version)
[[ -n "$version" && "$out" == *"version $version"* ]] || fail "published version '$version', output: $out"
size=$(redis-cli -p "$port" hstrlen omniroute:model bytes)
[[ "$size" == "$(stat -c %s "$tmp/m.bin")" ]] || fail "published $size bytes"

# A corrupt file: refused (exit 1, the problem named), the published model unchanged.
cp "$tmp/m.bin" "$tmp/bad.bin"
printf 'garbage' | dd of="$tmp/bad.bin" bs=1 seek=100 conv=notrunc 2>/dev/null
set +e
err=$("$bin" publish --model "$tmp/bad.bin" --redis-port "$port" 2>&1 >/dev/null)
rc=$?
set -e
[[ $rc -eq 1 ]] || fail "corrupt model: exit $rc, want 1 ($err)"
echo "ok: corrupt model refused: $err"
[[ "$(redis-cli -p "$port" hget omniroute:model version)" == "$version" ]] ||
  fail "the published model changed"
echo "publish: ok"
