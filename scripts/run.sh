#!/usr/bin/env bash
# Builds DDS (RelWithDebInfo, ccache) and starts the main job in the foreground. This is the README's
# first command: on a fresh Debian 12 machine it installs the dependencies too.
#   PORT        port to listen on (default 27017)
#   DDS_DBPATH  data directory, created when missing (default ./data/db)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD="${DDS_BUILD_DIR:-$ROOT/build}"
# ccache: share hits between clones in different folders (CI builds a fresh clone elsewhere).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"

bash scripts/install-deps.sh
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
ninja -C "$BUILD" ddsd

# The main job. For now that is ddsd itself; once dds-service exists (the service issue), start it here
# instead (it manages ddsd instances), e.g.:
#   exec "$BUILD/bin/dds-service" ...
exec "$BUILD/bin/ddsd" --dbpath "${DDS_DBPATH:-./data/db}" --port "${PORT:-27017}" --bind_ip 127.0.0.1
