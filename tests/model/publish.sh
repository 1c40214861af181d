#!/usr/bin/env bash
# CTest (label integration): omniroute-model publish puts a checked model in a real Redis
# (hash omniroute:model: version, bytes) and refuses a corrupt file with exit code 1, leaving
# the published model as it was; it finds a password-protected Redis and database through
# --redis-url or OMNIROUTE_REDIS_URL like the services.
#   tests/model/publish.sh OMNIROUTE_MODEL
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" \
  --daemonize no >"$tmp/redis.log" 2>&1 &
redis_pid=$!
port2=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port2" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" \
  --requirepass s3cret --daemonize no >"$tmp/redis2.log" 2>&1 &
redis2_pid=$!
trap 'kill $redis_pid $redis2_pid 2>/dev/null; wait $redis_pid $redis2_pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 50); do
  redis-cli -p "$port" ping >/dev/null 2>&1 &&
    redis-cli -p "$port2" -a s3cret --no-auth-warning ping >/dev/null 2>&1 && break
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

# Two different models of the same size (another learning rate, the same length of metadata)
# get different versions: the version is the CRC-32 the file carries, not the CRC of the whole
# file (the same constant for every valid file), so a replica does see the change.
"$bin" train --data "$tmp/data.csv" --model "$tmp/m2.bin" --holdout 0 --lr 0.2 >/dev/null
[[ "$(stat -c %s "$tmp/m2.bin")" == "$size" ]] || fail "--lr 0.2 changed the model's size"
cmp -s "$tmp/m.bin" "$tmp/m2.bin" && fail "--lr 0.2 gave the same model"
out2=$("$bin" publish --model "$tmp/m2.bin" --redis-port "$port")
version2=$(redis-cli -p "$port" hget omniroute:model version)
[[ "$version2" != "$version" ]] || fail "two different models published as one version $version"
echo "ok: another model of the same size is version $version2"
"$bin" publish --model "$tmp/m.bin" --redis-port "$port" >/dev/null

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
# A Redis with a password and a database, by URL or by the services' environment variable.
secret() { redis-cli -p "$port2" -a s3cret --no-auth-warning -n "$1" hget omniroute:model version; }
"$bin" publish --model "$tmp/m.bin" --redis-url "redis://:s3cret@127.0.0.1:$port2/3" >/dev/null ||
  fail "publish --redis-url with a password and database 3"
[[ "$(secret 3)" == "$version" ]] || fail "not published in database 3: '$(secret 3)'"
OMNIROUTE_REDIS_URL="redis://:s3cret@127.0.0.1:$port2/4" "$bin" publish --model "$tmp/m.bin" \
  >/dev/null || fail "publish with OMNIROUTE_REDIS_URL"
[[ "$(secret 4)" == "$version" ]] || fail "not published in database 4 through OMNIROUTE_REDIS_URL"
set +e
err=$("$bin" publish --model "$tmp/m.bin" --redis-url "redis://127.0.0.1:$port2" \
  --redis-port "$port2" 2>&1 >/dev/null)
rc=$?
set -e
[[ $rc -eq 2 && "$err" == *"--redis-url"* ]] || fail "--redis-url with --redis-port: exit $rc ($err)"
echo "ok: $err"
echo "publish: ok"
