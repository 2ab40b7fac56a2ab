#!/usr/bin/env bash
# Runs the ddsd benchmark by hand (not a test): starts a fresh ddsd on a free port with a temp data
# directory, runs build/bin/dds_bench against it (echo baseline, insertOne, insertMany, find and
# updateOne by _id, idle RSS and RSS with 1000 idle connections) and prints the table. Kills ddsd by PID.
#   DDS_BUILD_DIR   build directory (default <repo>/build); builds ddsd and dds_bench there if missing
#   SECONDS_PER_CASE  seconds per case (default 3)
#   DDS_BENCH_TLS=1   ddsd runs in preferTLS (test certificates from tests/e2e/lib/make_test_certs.sh)
#                     and dds_bench runs twice: plaintext, then over TLS (tls=true&tlsCAFile=...)
# Extra arguments go to dds_bench (e.g. --only find,echo).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bench/ddsd_lib.sh"
BENCH="$BUILD/bin/dds_bench"
dds_bench_setup dds-bench dds_bench
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"

TLS_ARGS=()
if [[ "${DDS_BENCH_TLS:-0}" == 1 ]]; then
  bash "$ROOT/tests/e2e/lib/make_test_certs.sh" "$TMP/certs"
  TLS_ARGS=(--tlsMode preferTLS --tlsCertificateKeyFile "$TMP/certs/server.pem")
fi
dds_start_ddsd main --dbpath "$TMP/db" "${TLS_ARGS[@]}"
PORT=$DDSD_PORT
PID=$DDSD_PID
sleep 1  # let startup settle before the idle RSS reading

echo "ddsd $("$DDSD" --version 2>/dev/null | head -n 1) pid $PID port $PORT; $(nproc) cores; $(date -u +%FT%TZ)"
rc=0
"$BENCH" --port "$PORT" --pid "$PID" --seconds "${SECONDS_PER_CASE:-3}" "$@" || rc=$?
if ((${#TLS_ARGS[@]})); then
  echo "# over TLS"
  "$BENCH" --uri "mongodb://127.0.0.1:$PORT/?tls=true&tlsCAFile=$TMP/certs/ca.pem" --pid "$PID" \
    --seconds "${SECONDS_PER_CASE:-3}" "$@" || rc=$?
fi
dds_check_alive main "$PID"
exit "$rc"
