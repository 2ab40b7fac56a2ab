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
BUILD="${DDS_BUILD_DIR:-$ROOT/build}"
DDSD="${DDSD:-$BUILD/bin/ddsd}"
BENCH="$BUILD/bin/dds_bench"

if [[ ! -x "$DDSD" || ! -x "$BENCH" ]]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDDS_BUILD_BENCH=ON >/dev/null
  ninja -C "$BUILD" ddsd dds_bench
fi

ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
TMP="$(mktemp -d /tmp/dds-bench.XXXXXX)"
PID=""
cleanup() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

TLS_ARGS=()
if [[ "${DDS_BENCH_TLS:-0}" == 1 ]]; then
  bash "$ROOT/tests/e2e/lib/make_test_certs.sh" "$TMP/certs"
  TLS_ARGS=(--tlsMode preferTLS --tlsCertificateKeyFile "$TMP/certs/server.pem")
fi
PORT="$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$DDSD" --port "$PORT" --bind_ip 127.0.0.1 --dbpath "$TMP/db" "${TLS_ARGS[@]}" >"$TMP/ddsd.log" 2>&1 &
PID=$!
if ! /usr/bin/python3 "$ROOT/tests/e2e/lib/ping.py" "$PORT" 20; then
  tail -n 20 "$TMP/ddsd.log"
  exit 1
fi
sleep 1  # let startup settle before the idle RSS reading

echo "ddsd $("$DDSD" --version 2>/dev/null | head -n 1) pid $PID port $PORT; $(nproc) cores; $(date -u +%FT%TZ)"
rc=0
"$BENCH" --port "$PORT" --pid "$PID" --seconds "${SECONDS_PER_CASE:-3}" "$@" || rc=$?
if ((${#TLS_ARGS[@]})); then
  echo "# over TLS"
  "$BENCH" --uri "mongodb://127.0.0.1:$PORT/?tls=true&tlsCAFile=$TMP/certs/ca.pem" --pid "$PID" \
    --seconds "${SECONDS_PER_CASE:-3}" "$@" || rc=$?
fi
if ! kill -0 "$PID" 2>/dev/null; then
  echo "ddsd died during the benchmark; log tail:"
  tail -n 20 "$TMP/ddsd.log"
  exit 1
fi
exit "$rc"
