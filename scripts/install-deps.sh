#!/usr/bin/env bash
# Installs everything DDS needs to build and test on Debian 12: apt packages, then the npm packages of
# the end-to-end tests (tests/e2e/package.json + package-lock.json, with `npm ci`).
# Idempotent and fast when everything is present: dpkg-query decides what is missing, `apt-get update`
# runs only when something is, and `npm ci` runs only when node_modules does not match the lock file.
# Nothing is downloaded from anywhere but the Debian and npm registries.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

APT_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  clang-14 libclang-rt-14-dev
  librocksdb-dev libjemalloc-dev libboost-dev libboost-system-dev
  libsnappy-dev libzstd-dev zlib1g-dev libpcre2-dev libssl-dev libsqlite3-dev
  nlohmann-json3-dev libcli11-dev libyaml-cpp-dev libspdlog-dev
  libmongoc-dev libbson-dev
  python3 python3-pymongo python3-pytest
  libgtest-dev libgmock-dev libbenchmark-dev
  procps
)

log() { echo "[install-deps] $*"; }

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  SUDO="sudo"
fi

# Node.js: keep an existing node >= 18 (e.g. NodeSource's, which bundles npm); otherwise Debian's.
node_major() {
  command -v node >/dev/null 2>&1 || { echo 0; return; }
  node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/' || echo 0
}
if [[ $(node_major) -lt 18 ]]; then
  APT_PACKAGES+=(nodejs)
fi
if ! command -v npm >/dev/null 2>&1; then
  APT_PACKAGES+=(npm)
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "installed" ]]; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]})); then
  log "installing apt packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  log "apt packages: all ${#APT_PACKAGES[@]} present"
fi

# npm packages for tests/e2e (mongodb driver 7.x, mongosh 2.x). `npm ci` wipes and reinstalls
# node_modules, so skip it when the installed tree was made from the current lock file.
E2E="$ROOT/tests/e2e"
stamp="$E2E/node_modules/.dds-lock.sha256"
want=$(sha256sum "$E2E/package-lock.json" | cut -d' ' -f1)
have=$(cat "$stamp" 2>/dev/null || true)
if [[ "$want" != "$have" || ! -x "$E2E/node_modules/.bin/mongosh" || ! -d "$E2E/node_modules/mongodb" ]]; then
  log "npm ci in tests/e2e"
  # --ignore-scripts: the optional native add-ons of mongosh would call node-gyp, which downloads
  # Node headers from outside the registries; mongosh and the driver work without them.
  (cd "$E2E" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
else
  log "npm packages: tests/e2e/node_modules matches package-lock.json"
fi
