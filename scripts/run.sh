#!/usr/bin/env bash
# Builds DDS (RelWithDebInfo, ccache) and starts the main job in the foreground: dds-service, the
# DDS v3 management API on 127.0.0.1:8080, which creates and watches ddsd instances. This is the
# README's first command: on a fresh Debian 12 machine it installs the dependencies too.
#   DDS_ADMIN_PASSWORD  password of the bootstrap administrator `admin` (first start only; when
#                       unset, one is generated into <data dir>/admin-password, mode 0600)
#   DDS_DATA_DIR        the service's data directory, created when missing (default ./dds-data)
#   DDS_LISTEN          HTTP listener (default 127.0.0.1:8080)
#   DDS_MAIN=ddsd       run a bare ddsd instead (PORT, default 27017; DDS_DBPATH, default ./data/db)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD="${DDS_BUILD_DIR:-$ROOT/build}"
# ccache: share hits between clones in different folders (CI builds a fresh clone elsewhere).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"

bash scripts/install-deps.sh
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
ninja -C "$BUILD" ddsd dds-service

if [[ "${DDS_MAIN:-service}" == ddsd ]]; then
  exec "$BUILD/bin/ddsd" --dbpath "${DDS_DBPATH:-./data/db}" --port "${PORT:-27017}" --bind_ip 127.0.0.1
fi
# dds-service starts instances with the ddsd built beside it (build/bin/ddsd).
exec "$BUILD/bin/dds-service" --data-dir "${DDS_DATA_DIR:-./dds-data}" \
  --listen "${DDS_LISTEN:-127.0.0.1:8080}"
