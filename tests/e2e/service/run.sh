#!/usr/bin/env bash
# End-to-end tests of dds-service against real ddsd processes. Exits non-zero on failure.
#   DDS_BUILD_DIR  build dir holding bin/dds-service and bin/ddsd (default: <repo>/build)
#   extra args are passed to unittest (e.g. test_service.StatusMatrixTest)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
export DDS_BUILD_DIR="${DDS_BUILD_DIR:-$repo/build}"
for bin in dds-service ddsd; do
  if [[ ! -x "$DDS_BUILD_DIR/bin/$bin" ]]; then
    echo "run.sh: $DDS_BUILD_DIR/bin/$bin is missing; build it first" >&2
    exit 2
  fi
done
cd "$here"
if [[ $# -gt 0 ]]; then
  exec /usr/bin/python3 -m unittest -v "$@"
fi
exec /usr/bin/python3 -m unittest -v test_service
