#!/usr/bin/env bash
# libmongoc end-to-end test: starts a real ddsd and runs the crud_test program (built by
# scripts/test.sh with pkg-config libmongoc-1.0) against it, then again over TLS, then auth.sh
# (auth_test against a ddsd --auth).
# Usage: run.sh PATH/TO/crud_test
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/../lib/ddsd.sh"
BIN="${1:?usage: run.sh PATH/TO/crud_test}"
[[ -x "$BIN" ]] || { echo "crud_test not built at $BIN" >&2; exit 1; }
ddsd_start || exit 1
"$BIN" "mongodb://127.0.0.1:$DDSD_PORT/?appname=dds-e2e-c&serverSelectionTimeoutMS=5000"
rc=$?
# The same program over TLS (libmongoc on OpenSSL), against a ddsd in preferTLS with test
# certificates made by the openssl CLI.
if ((rc == 0)); then
  echo "# over TLS (tls=true&tlsCAFile=...)"
  CERTS="$DDSD_TMP/certs"
  bash "$HERE/../lib/make_test_certs.sh" "$CERTS" || exit 1
  ddsd_stop
  ddsd_start --tlsMode preferTLS --tlsCertificateKeyFile "$CERTS/server.pem" || exit 1
  "$BIN" "mongodb://127.0.0.1:$DDSD_PORT/?appname=dds-e2e-c-tls&serverSelectionTimeoutMS=5000&tls=true&tlsCAFile=$CERTS/ca.pem"
  rc=$?
fi
if ((rc != 0)); then
  echo "--- ddsd log tail"
  tail -n 20 "$DDSD_LOG"
fi
# Authentication (auth_test, built next to crud_test) against a ddsd --auth of its own.
if ((rc == 0)); then
  echo "# authentication (auth.sh)"
  bash "$HERE/auth.sh" "$(dirname "$BIN")/auth_test"
  rc=$?
fi
exit $rc
