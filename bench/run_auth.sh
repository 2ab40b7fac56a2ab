#!/usr/bin/env bash
# Runs the authentication benchmark by hand (not a test): starts two fresh ddsd --auth on free
# ports with the same initial users file (user "bench", SCRAM-SHA-256 with mongod's default 15000
# iterations): one as shipped, one with the server's user cache disabled
# (--setParameter authUserCacheEnabled=false, "before"), then runs bench_auth against both in the
# same run and prints handshakes/s, ddsd CPU per handshake and the ratios. Kills both by PID.
#   DDS_BUILD_DIR      build directory (default <repo>/build); builds ddsd and bench_auth if missing
#   SECONDS_PER_CASE   seconds per case (default 3)
# Extra arguments go to bench_auth (e.g. --only raw --threads 1,4).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${DDS_BUILD_DIR:-$ROOT/build}"
DDSD="${DDSD:-$BUILD/bin/ddsd}"
BENCH="$BUILD/bin/bench_auth"
PY=/usr/bin/python3

if [[ ! -x "$DDSD" || ! -x "$BENCH" ]]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDDS_BUILD_BENCH=ON >/dev/null
  ninja -C "$BUILD" ddsd bench_auth
fi

TMP="$(mktemp -d /tmp/dds-bench-auth.XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$TMP"
}
trap cleanup EXIT

(umask 077 && echo '[{"user": "bench", "pwd": "bench-Pwd1", "roles": ["root"],
  "mechanisms": ["SCRAM-SHA-256"], "iterations": 15000}]' |
  "$PY" "$ROOT/tests/e2e/lib/scram_users.py" >"$TMP/users.json")

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start NAME EXTRA_ARGS... -> sets PORT_<NAME>, PID_<NAME>
start() {
  local name=$1
  shift
  local port
  port="$(free_port)"
  "$DDSD" --port "$port" --bind_ip 127.0.0.1 --dbpath "$TMP/db-$name" --quiet --auth \
    --initialUsersFile "$TMP/users.json" --logpath "$TMP/ddsd-$name.log" "$@" &
  local pid=$!
  PIDS+=("$pid")
  if ! "$PY" "$ROOT/tests/e2e/lib/ping.py" "$port" 20; then
    tail -n 20 "$TMP/ddsd-$name.log"
    exit 1
  fi
  printf -v "PORT_$name" '%s' "$port"
  printf -v "PID_$name" '%s' "$pid"
}

start cache
start nocache --setParameter authUserCacheEnabled=false

echo "# $(uptime)"
echo "# server 'cache': ddsd as shipped; 'no-cache': --setParameter authUserCacheEnabled=false"
"$BENCH" --port "$PORT_cache" --pid "$PID_cache" --compare-port "$PORT_nocache" \
  --compare-pid "$PID_nocache" --user bench --password bench-Pwd1 \
  --seconds "${SECONDS_PER_CASE:-3}" "$@"
echo "# $(uptime)"
