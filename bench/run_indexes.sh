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
source "$ROOT/bench/ddsd_lib.sh"
BENCH="$BUILD/bin/bench_indexes_wire"
dds_bench_setup dds-bench-indexes bench_indexes_wire

DB="${DBPATH:-$TMP/db}"
mkdir -p "$DB"
dds_start_ddsd main --dbpath "$DB"
PORT=$DDSD_PORT
PID=$DDSD_PID

echo "ddsd $("$DDSD" --version 2>/dev/null | head -n 1) pid $PID port $PORT; $(nproc) cores; $(date -u +%FT%TZ)"
echo "before: $(uptime)"
rc=0
"$BENCH" --port "$PORT" --docs "${DOCS:-1000000}" --seconds "${SECONDS_PER_CASE:-5}" "$@" || rc=$?
echo "after: $(uptime)"
dds_check_alive main "$PID"
exit "$rc"
