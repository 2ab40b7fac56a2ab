# Shell helpers for end-to-end tests: start a real ddsd on a free loopback port with a fresh data
# directory, wait until it answers ping, and always kill it by PID. Source this file, then:
#   ddsd_start            # sets DDSD_PID, DDSD_PORT, DDSD_URI, DDSD_DBPATH, DDSD_LOG
#   ddsd_stop             # kills DDSD_PID (also run by the EXIT trap that ddsd_start installs)
# The binary is $DDSD, else <repo>/build/bin/ddsd.

DDS_E2E_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DDS_ROOT="$(cd "$DDS_E2E_LIB/../../.." && pwd)"
: "${DDSD:=$DDS_ROOT/build/bin/ddsd}"
PY=/usr/bin/python3

ddsd_free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

ddsd_stop() {
  if [[ -n "${DDSD_PID:-}" ]] && kill -0 "$DDSD_PID" 2>/dev/null; then
    kill -TERM "$DDSD_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$DDSD_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$DDSD_PID" 2>/dev/null || true
    wait "$DDSD_PID" 2>/dev/null || true
  fi
  DDSD_PID=""
}

ddsd_cleanup() {
  ddsd_stop
  if [[ -n "${DDSD_TMP:-}" && -d "$DDSD_TMP" ]]; then
    rm -rf "$DDSD_TMP"
  fi
}

# ddsd_start [extra ddsd args...]
ddsd_start() {
  if [[ ! -x "$DDSD" ]]; then
    echo "ddsd binary not found at $DDSD (build it first)" >&2
    return 1
  fi
  DDSD_TMP="${DDSD_TMP:-$(mktemp -d /tmp/dds-e2e.XXXXXX)}"
  DDSD_DBPATH="$DDSD_TMP/db"
  DDSD_LOG="$DDSD_TMP/ddsd.log"
  trap ddsd_cleanup EXIT
  local attempt
  for attempt in 1 2 3 4 5; do
    DDSD_PORT="$(ddsd_free_port)"
    "$DDSD" --port "$DDSD_PORT" --bind_ip 127.0.0.1 --dbpath "$DDSD_DBPATH" "$@" >>"$DDSD_LOG" 2>&1 &
    DDSD_PID=$!
    if "$PY" "$DDS_E2E_LIB/ping.py" "$DDSD_PORT" 20; then
      DDSD_URI="mongodb://127.0.0.1:$DDSD_PORT/"
      export DDSD_PID DDSD_PORT DDSD_URI DDSD_DBPATH DDSD_LOG
      return 0
    fi
    if kill -0 "$DDSD_PID" 2>/dev/null; then
      echo "ddsd (pid $DDSD_PID) did not answer ping on port $DDSD_PORT; log tail:" >&2
      tail -n 30 "$DDSD_LOG" >&2
      ddsd_stop
      return 1
    fi
    wait "$DDSD_PID" 2>/dev/null || true
    DDSD_PID=""
    echo "ddsd exited during start (attempt $attempt, port $DDSD_PORT); retrying" >&2
  done
  echo "ddsd failed to start; log tail:" >&2
  tail -n 30 "$DDSD_LOG" >&2
  return 1
}
