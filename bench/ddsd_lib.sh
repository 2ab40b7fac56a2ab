# Shared by the bench/run*.sh scripts (sourced, after they set ROOT): builds what they need,
# starts ddsd processes on free ports, and at exit stops every one of them by PID and removes the
# temp directory.
#   DDS_BUILD_DIR   build directory (default <repo>/build)
#   DDSD            the ddsd to run (default $BUILD/bin/ddsd)
# Sets BUILD, DDSD and PY; dds_bench_setup sets TMP.

BUILD="${DDS_BUILD_DIR:-$ROOT/build}"
DDSD="${DDSD:-$BUILD/bin/ddsd}"
PY=/usr/bin/python3
DDSD_PIDS=()

# dds_bench_setup TMP_PREFIX TARGET...: builds ddsd and TARGETs in $BUILD when one is missing,
# makes the temp directory $TMP and arranges the clean-up.
dds_bench_setup() {
  local prefix=$1
  shift
  local missing=0 target
  [[ -x "$DDSD" ]] || missing=1
  for target in "$@"; do [[ -x "$BUILD/bin/$target" ]] || missing=1; done
  if ((missing)); then
    cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDDS_BUILD_BENCH=ON \
      >/dev/null
    ninja -C "$BUILD" ddsd "$@"
  fi
  TMP="$(mktemp -d "/tmp/$prefix.XXXXXX")"
  trap dds_bench_cleanup EXIT
}

dds_bench_cleanup() {
  local pid
  for pid in "${DDSD_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$TMP"
}

dds_free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# dds_start_ddsd NAME ARGS...: starts $DDSD on a free loopback port with ARGS (the caller gives
# --dbpath), logging to $TMP/ddsd-NAME.log, and waits until it answers ping (exits 1 with the
# log's tail if it does not). Sets DDSD_PORT and DDSD_PID.
dds_start_ddsd() {
  local name=$1
  shift
  DDSD_PORT="$(dds_free_port)"
  "$DDSD" --port "$DDSD_PORT" --bind_ip 127.0.0.1 "$@" >"$TMP/ddsd-$name.log" 2>&1 &
  DDSD_PID=$!
  DDSD_PIDS+=("$DDSD_PID")
  if ! "$PY" "$ROOT/tests/e2e/lib/ping.py" "$DDSD_PORT" 20; then
    tail -n 20 "$TMP/ddsd-$name.log"
    exit 1
  fi
}

# dds_check_alive NAME PID: exits 1 with the log's tail if the ddsd started as NAME died during
# the benchmark.
dds_check_alive() {
  if ! kill -0 "$2" 2>/dev/null; then
    echo "ddsd $1 died during the benchmark; log tail:"
    tail -n 20 "$TMP/ddsd-$1.log"
    exit 1
  fi
}
