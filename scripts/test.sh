#!/usr/bin/env bash
# Builds everything and runs every test suite of DDS: unit tests (ctest), the fuzzers (bounded), and
# the end-to-end suites against a real ddsd (Node.js driver, mongosh, pymongo, libmongoc, crash and
# restart, MongoDB's unified-format files, and the data-driven conformance cases of tests/e2e/cases/).
# This is the README's test command and exactly what CI runs (.ci/run).
#
# Prints one summary line per suite and a final "N passed, M failed" line; exits non-zero if any
# suite failed. Environment:
#   DDS_BUILD_DIR      build directory (default: <repo>/build)
#   DDS_FUZZ_SECONDS   seconds per fuzz target (default 60)
#   DDS_SKIP_DEPS=1    do not run scripts/install-deps.sh (for developers who know they are set up)
#   DDS_SUITES         space-separated subset of suites to run (default: all), e.g. "unit e2e-py";
#                      suites: deps build unit fuzz e2e-node e2e-mongosh e2e-py e2e-c e2e-crash
#                      e2e-unified e2e-cases e2e-service
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD="${DDS_BUILD_DIR:-$ROOT/build}"
export DDSD="${DDSD:-$BUILD/bin/ddsd}"
PY=/usr/bin/python3
# ccache: share hits between clones in different folders (CI builds a fresh clone elsewhere).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"
ALL_SUITES="deps build unit fuzz e2e-node e2e-mongosh e2e-py e2e-c e2e-crash e2e-unified e2e-cases e2e-service"
SUITES="${DDS_SUITES:-$ALL_SUITES}"

declare -a RESULTS=()
passed=0
failed=0
skipped=0
build_ok=1
t_start=$(date +%s)

want() { [[ " $SUITES " == *" $1 "* ]]; }

banner() { printf '\n===== %s =====\n' "$*"; }

# run_suite NAME TIMEOUT_SECONDS COMMAND...
run_suite() {
  local name=$1 limit=$2
  shift 2
  want "$name" || return 0
  banner "$name"
  local t0=$SECONDS rc=0
  # Shell functions (exported below) run in a child bash so that `timeout` can bound them too.
  timeout --kill-after=10 "$limit" bash -c '"$@"' run_suite "$@" || rc=$?
  local dt=$((SECONDS - t0))
  if ((rc == 0)); then
    RESULTS+=("PASS  $name (${dt}s)")
    passed=$((passed + 1))
  else
    local why="exit $rc"
    ((rc == 124)) && why="timed out after ${limit}s"
    RESULTS+=("FAIL  $name (${dt}s, $why)")
    failed=$((failed + 1))
  fi
  return "$rc"
}

fail_suite() {
  want "$1" || return 0
  RESULTS+=("FAIL  $1 (not run: $2)")
  failed=$((failed + 1))
}

skip_suite() {
  want "$1" || return 0
  RESULTS+=("SKIP  $1 ($2)")
  skipped=$((skipped + 1))
}

# --- dependencies and build -------------------------------------------------------------------
if [[ "${DDS_SKIP_DEPS:-0}" == 1 ]]; then
  skip_suite deps "DDS_SKIP_DEPS=1"
else
  run_suite deps 1200 bash scripts/install-deps.sh
fi

export ROOT BUILD
export DDS_BUILD_DIR="$BUILD"  # read by tests/e2e/service/run.sh
# The fuzzers build in a directory of their own next to the main one (build-fuzz for build/).
export DDS_FUZZ_BUILD_DIR="${DDS_FUZZ_BUILD_DIR:-$BUILD-fuzz}"

do_build() {
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DDDS_BUILD_TESTS=ON -DDDS_BUILD_BENCH=ON &&
    ninja -C "$BUILD" &&
    build_e2e_c
}

# The libmongoc end-to-end program is built here with pkg-config (it is a client, not part of ddsd).
build_e2e_c() {
  mkdir -p "$BUILD/e2e" &&
    cc -std=gnu11 -O1 -g -Wall -Wextra -Werror -o "$BUILD/e2e/crud_test" tests/e2e/c/crud_test.c \
      $(pkg-config --cflags --libs libmongoc-1.0) &&
    cc -std=gnu11 -O1 -g -Wall -Wextra -Werror -o "$BUILD/e2e/auth_test" tests/e2e/c/auth_test.c \
      $(pkg-config --cflags --libs libmongoc-1.0)
}

# mongodb driver 7.x with node's own test runner; one ddsd per test file.
e2e_node() {
  node --test --test-concurrency=1 tests/e2e/node/
}
export -f do_build build_e2e_c e2e_node

if want build; then
  run_suite build 3600 do_build || build_ok=0
fi

# --- tests ------------------------------------------------------------------------------------
if ((build_ok)); then
  run_suite unit 600 ctest --test-dir "$BUILD" --output-on-failure -j2

  if [[ -f scripts/fuzz.sh ]]; then
    DDS_FUZZ_SECONDS="${DDS_FUZZ_SECONDS:-60}" run_suite fuzz 900 bash scripts/fuzz.sh
  else
    skip_suite fuzz "scripts/fuzz.sh not present"
  fi

  run_suite e2e-node 600 e2e_node

  run_suite e2e-mongosh 600 bash tests/e2e/mongosh/run.sh

  run_suite e2e-py 900 "$PY" -m pytest -q -p no:cacheprovider tests/e2e/py --ignore=tests/e2e/py/crash

  run_suite e2e-c 300 bash tests/e2e/c/run.sh "$BUILD/e2e/crud_test"

  run_suite e2e-crash 600 "$PY" -m pytest -q -p no:cacheprovider tests/e2e/py/crash

  # MongoDB's unified-format conformance tests (shared/conformance) over the Node driver.
  if [[ -f tests/e2e/unified/run.js ]]; then
    run_suite e2e-unified 900 node tests/e2e/unified/run.js
  else
    skip_suite e2e-unified "tests/e2e/unified/run.js not present"
  fi

  # The data-driven conformance cases (query, projection, sort, update, findAndModify) over pymongo;
  # the runner starts one ddsd of its own.
  run_suite e2e-cases 900 "$PY" tests/e2e/cases/run_cases.py

  # dds-service (the DDS v3 management API) against real ddsd instances it starts.
  run_suite e2e-service 900 bash tests/e2e/service/run.sh
else
  for s in unit fuzz e2e-node e2e-mongosh e2e-py e2e-c e2e-crash e2e-unified e2e-cases e2e-service; do
    fail_suite "$s" "build failed"
  done
fi

# --- summary ----------------------------------------------------------------------------------
banner "summary ($(( $(date +%s) - t_start ))s)"
for line in "${RESULTS[@]}"; do
  echo "$line"
done
if ((skipped)); then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
((failed == 0))
