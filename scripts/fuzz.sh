#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, ASan + UBSan) and runs each one for a while.
#
#   scripts/fuzz.sh                    # every target, $DDS_FUZZ_SECONDS (default 60) each
#   scripts/fuzz.sh fuzz_bson          # only the named targets
#
# Environment:
#   DDS_FUZZ_BUILD_DIR  build directory (default: <repo>/build-fuzz)
#   DDS_FUZZ_SECONDS    seconds per target (default: 60)
#   DDS_FUZZ_JOBS       ninja -j (default: 2)
# Each run mutates a temporary copy of tests/fuzz/corpus/<target> (the committed seeds stay
# untouched). Crash inputs are kept in $BUILD_DIR/fuzz-artifacts/<target>/. Exits non-zero when
# a target crashes, leaks, hits UB or fails to build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${DDS_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
SECONDS_PER_TARGET="${DDS_FUZZ_SECONDS:-60}"
JOBS="${DDS_FUZZ_JOBS:-2}"
ALL_TARGETS=(fuzz_wire_message fuzz_bson)
if [[ $# -gt 0 ]]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi

for tool in clang-14 clang++-14 cmake ninja; do
  command -v "$tool" >/dev/null || { echo "fuzz.sh: $tool not found" >&2; exit 2; }
done

mkdir -p "$BUILD_DIR"
CC=clang-14 CXX=clang++-14 cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDDS_BUILD_FUZZ=ON -DDDS_BUILD_TESTS=ON \
  -DDDS_BUILD_BENCH=OFF >"$BUILD_DIR/fuzz-cmake.log" 2>&1 || {
  cat "$BUILD_DIR/fuzz-cmake.log" >&2
  exit 2
}
ninja -C "$BUILD_DIR" -j "$JOBS" "${TARGETS[@]}"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

status=0
for target in "${TARGETS[@]}"; do
  work="$(mktemp -d "${TMPDIR:-/tmp}/dds-fuzz-$target.XXXXXX")"
  artifacts="$BUILD_DIR/fuzz-artifacts/$target"
  mkdir -p "$artifacts"
  if [[ -d "$ROOT/tests/fuzz/corpus/$target" ]]; then
    cp -r "$ROOT/tests/fuzz/corpus/$target/." "$work/"
  fi
  echo "== $target: ${SECONDS_PER_TARGET}s (corpus copy in $work)"
  if "$BUILD_DIR/bin/$target" "$work" -max_total_time="$SECONDS_PER_TARGET" \
      -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" 2>"$work.log"; then
    tail -n 12 "$work.log"
    rm -f "$work.log"
    echo "== $target: OK"
  else
    tail -n 60 "$work.log"
    echo "== $target: FAILED (log: $work.log, artifacts: $artifacts)" >&2
    status=1
  fi
  rm -rf "$work"
done
exit "$status"
