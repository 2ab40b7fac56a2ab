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
source "$ROOT/bench/ddsd_lib.sh"
BENCH="$BUILD/bin/bench_auth"
dds_bench_setup dds-bench-auth bench_auth

(umask 077 && echo '[{"user": "bench", "pwd": "bench-Pwd1", "roles": ["root"],
  "mechanisms": ["SCRAM-SHA-256"], "iterations": 15000}]' |
  "$PY" "$ROOT/tests/e2e/lib/scram_users.py" >"$TMP/users.json")

# start NAME EXTRA_ARGS... -> sets PORT_<NAME>, PID_<NAME>
start() {
  local name=$1
  shift
  dds_start_ddsd "$name" --dbpath "$TMP/db-$name" --quiet --auth \
    --initialUsersFile "$TMP/users.json" "$@"
  printf -v "PORT_$name" '%s' "$DDSD_PORT"
  printf -v "PID_$name" '%s' "$DDSD_PID"
}

start cache
start nocache --setParameter authUserCacheEnabled=false

echo "# $(uptime)"
echo "# server 'cache': ddsd as shipped; 'no-cache': --setParameter authUserCacheEnabled=false"
"$BENCH" --port "$PORT_cache" --pid "$PID_cache" --compare-port "$PORT_nocache" \
  --compare-pid "$PID_nocache" --user bench --password bench-Pwd1 \
  --seconds "${SECONDS_PER_CASE:-3}" "$@"
echo "# $(uptime)"
