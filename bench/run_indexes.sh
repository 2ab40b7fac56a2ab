#!/usr/bin/env bash
# Runs the secondary-index benchmark of issue #4 over the wire by hand (not a test): starts a fresh
# ddsd on a free port with a temp data directory, runs bin/bench_indexes_wire against it (insert
# with 3 secondary indexes vs none, createIndex vs a full scan, find by an indexed field vs by _id
# at 1 and 4 connections, keys examined by a range query with limit 10) and prints the table with
# `uptime` before and after. Kills ddsd by PID at exit.
#   DDS_BUILD_DIR   build directory (default <repo>/build); builds ddsd and bench_indexes_wire there
#                   if missing
#   DOCS            documents (default 1000000, ~1 KB each: ~1.2 GB of data in the temp directory)
#   SECONDS_PER_CASE  seconds of each kind per find case (default 5)
#   DBPATH          data directory to use and keep (default: a temp directory, removed at exit);
#                   with `--keep 1` a second run reuses the loaded, settled data for the finds
# Extra arguments go to bench_indexes_wire (e.g. --conns 8, --rounds 20).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${DDS_BUILD_DIR:-$ROOT/build}"
DDSD="${DDSD:-$BUILD/bin/ddsd}"
BENCH="$BUILD/bin/bench_indexes_wire"

if [[ ! -x "$DDSD" || ! -x "$BENCH" ]]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDDS_BUILD_BENCH=ON >/dev/null
  ninja -C "$BUILD" ddsd bench_indexes_wire
fi

TMP="$(mktemp -d /tmp/dds-bench-indexes.XXXXXX)"
PID=""
cleanup() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

PORT="$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
DB="${DBPATH:-$TMP/db}"
mkdir -p "$DB"
"$DDSD" --port "$PORT" --bind_ip 127.0.0.1 --dbpath "$DB" >"$TMP/ddsd.log" 2>&1 &
PID=$!
if ! /usr/bin/python3 "$ROOT/tests/e2e/lib/ping.py" "$PORT" 20; then
  tail -n 20 "$TMP/ddsd.log"
  exit 1
fi

echo "ddsd $("$DDSD" --version 2>/dev/null | head -n 1) pid $PID port $PORT; $(nproc) cores; $(date -u +%FT%TZ)"
echo "before: $(uptime)"
rc=0
"$BENCH" --port "$PORT" --docs "${DOCS:-1000000}" --seconds "${SECONDS_PER_CASE:-5}" "$@" || rc=$?
echo "after: $(uptime)"
if ! kill -0 "$PID" 2>/dev/null; then
  echo "ddsd died during the benchmark; log tail:"
  tail -n 20 "$TMP/ddsd.log"
  exit 1
fi
exit "$rc"
