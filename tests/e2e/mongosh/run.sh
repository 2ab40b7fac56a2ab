#!/usr/bin/env bash
# mongosh 2.x end-to-end tests: start a real ddsd, then
#   1. mongosh's full interactive startup on a pseudo-terminal: a clean greeting with
#      "Using MongoDB: 7.0.x", then --eval with nothing on stderr;
#   2. an interactive-style session fed on stdin (shell helpers: show dbs, use, show collections);
#   3. every tests/e2e/mongosh/*.js script run with --eval (assertions via require('assert'));
#   4. a TLS connection (--tls --tlsCAFile) to a second ddsd in preferTLS;
#   5. authentication against a ddsd --auth (auth.sh).
# Exit status is non-zero if any check failed.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/../lib/ddsd.sh"
MONGOSH="${MONGOSH:-$HERE/../node_modules/.bin/mongosh}"
[[ -x "$MONGOSH" ]] || { echo "mongosh not found at $MONGOSH (run scripts/install-deps.sh)" >&2; exit 1; }

ddsd_start || exit 1
# mongosh keeps its config/history under $HOME: give it a throwaway one; no telemetry, no update check.
export HOME="$DDSD_TMP/home" CI=1 MONGOSH_FORCE_DISABLE_TELEMETRY_FOR_TESTING=1
mkdir -p "$HOME"

pass=0
fail=0
check() {  # check NAME: records the result of the previous command's assertions in $ok
  if ((ok)); then
    echo "ok - $1"
    pass=$((pass + 1))
  else
    echo "not ok - $1"
    fail=$((fail + 1))
  fi
}

# 1. Startup as a person sees it: an interactive session on a pseudo-terminal (script(1)), which runs
#    mongosh's whole startup sequence (buildInfo, getParameter, getLog startupWarnings,
#    listDatabases, listCollections, hello ...) and prints the greeting.
out="$DDSD_TMP/startup.out"
printf 'db.version()\nexit\n' |
  timeout 60 script -qec "'$MONGOSH' '${DDSD_URI}test' --norc" /dev/null >"$out.raw" 2>&1
rc=$?
# Strip terminal control sequences and carriage returns.
sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b\][^\x07]*\x07//g' -e 's/\r//g' "$out.raw" >"$out"
ok=1
((rc == 0)) || { echo "mongosh exited $rc"; ok=0; }
grep -qE '^Using MongoDB:[[:space:]]+7\.0\.[0-9]+$' "$out" || { echo "no 'Using MongoDB: 7.0.x' line"; ok=0; }
grep -qE '^7\.0\.[0-9]+$' "$out" || { echo "db.version() did not print 7.0.x"; ok=0; }
# Anything the server makes mongosh print: errors, the non-genuine banner, startup warnings.
# (mongosh's own notices about telemetry and its Node.js version are not the server's business.)
if grep -qiE 'error|non-genuine|startup warnings|server generated|exception' "$out"; then
  echo "server-caused error/warning text in the interactive startup:"; ok=0
fi
((ok)) || { echo "--- terminal output"; cat "$out"; }
check "mongosh interactive startup: clean greeting, 'Using MongoDB: 7.0.x'"

# 1b. --eval, the scripted form: no output on stderr at all.
out="$DDSD_TMP/eval.out"
err="$DDSD_TMP/eval.err"
timeout 60 "$MONGOSH" "${DDSD_URI}test" --norc --eval 'print("VERSION=" + db.version())' >"$out" 2>"$err"
rc=$?
ok=1
((rc == 0)) || { echo "mongosh exited $rc"; ok=0; }
if [[ -s "$err" ]]; then echo "stderr not empty:"; cat "$err"; ok=0; fi
grep -qE '^VERSION=7\.0\.' "$out" || { echo "db.version() does not start with 7.0"; ok=0; }
if grep -qiE 'error|non-genuine|MongoServerError|MongoNetworkError' "$out"; then
  echo "unexpected error text in --eval output"; ok=0
fi
((ok)) || { echo "--- stdout"; cat "$out"; }
check "mongosh --eval connects cleanly and db.version() starts with 7.0"

# 2. A session on stdin: the REPL path, shell helpers included.
out="$DDSD_TMP/repl.out"
err="$DDSD_TMP/repl.err"
timeout 60 "$MONGOSH" "${DDSD_URI}" --norc --quiet >"$out" 2>"$err" <<'JS'
use shelltest
db.people.insertOne({name: "ada", born: 1815})
db.people.find({}, {_id: 0})
show collections
show dbs
print("COUNT=" + db.people.countDocuments())
JS
rc=$?
ok=1
((rc == 0)) || { echo "mongosh exited $rc"; ok=0; }
if [[ -s "$err" ]]; then echo "stderr not empty:"; cat "$err"; ok=0; fi
grep -q "switched to db shelltest" "$out" || { echo "no 'switched to db'"; ok=0; }
grep -q "name: 'ada'" "$out" || { echo "find output missing"; ok=0; }
grep -qE '(^|> )people$' "$out" || { echo "show collections missing 'people'"; ok=0; }
grep -qE '(^|> )shelltest ' "$out" || { echo "show dbs missing 'shelltest'"; ok=0; }
grep -q "COUNT=1" "$out" || { echo "count wrong"; ok=0; }
if grep -qE 'MongoServerError|MongoNetworkError|SyntaxError|TypeError' "$out"; then echo "error in output"; ok=0; fi
((ok)) || { echo "--- stdout"; cat "$out"; }
check "mongosh REPL session: use, insertOne, find, show collections, show dbs"

# 3. Scripts.
for script in "$HERE"/*.js; do
  name="$(basename "$script" .js)"
  out="$DDSD_TMP/$name.out"
  err="$DDSD_TMP/$name.err"
  timeout 120 "$MONGOSH" "${DDSD_URI}mongosh_$name" --norc --quiet --eval "$(cat "$script")" >"$out" 2>"$err"
  rc=$?
  ok=1
  ((rc == 0)) || { echo "mongosh exited $rc"; ok=0; }
  if [[ -s "$err" ]]; then echo "stderr not empty:"; cat "$err"; ok=0; fi
  grep -q "^DONE $name\$" "$out" || { echo "script did not reach its end marker"; ok=0; }
  ((ok)) || { echo "--- stdout"; cat "$out"; }
  check "mongosh script $name.js"
done

# 4. TLS: mongosh --tls --tlsCAFile against a ddsd in preferTLS (test certificates from the
#    openssl CLI); the same command without --tls still works on that port.
CERTS="$DDSD_TMP/certs"
bash "$HERE/../lib/make_test_certs.sh" "$CERTS" || exit 1
ddsd_stop
ddsd_start --tlsMode preferTLS --tlsCertificateKeyFile "$CERTS/server.pem" || exit 1
out="$DDSD_TMP/tls.out"
err="$DDSD_TMP/tls.err"
timeout 60 "$MONGOSH" "${DDSD_URI}mongosh_tls" --tls --tlsCAFile "$CERTS/ca.pem" --norc --quiet \
  --eval 'db.t.insertOne({_id: 1, v: "tls"}); print("TLS=" + db.t.findOne({_id: 1}).v)' >"$out" 2>"$err"
rc=$?
ok=1
((rc == 0)) || { echo "mongosh exited $rc"; ok=0; }
if [[ -s "$err" ]]; then echo "stderr not empty:"; cat "$err"; ok=0; fi
grep -q "^TLS=tls$" "$out" || { echo "no TLS=tls line"; ok=0; }
((ok)) || { echo "--- stdout"; cat "$out"; }
check "mongosh --tls --tlsCAFile: insert and find over TLS"

# 5. Authentication: auth.sh starts a ddsd --auth of its own and prints its own checks.
ok=1
bash "$HERE/auth.sh" || ok=0
check "mongosh authentication (auth.sh)"

if ((fail)); then
  echo "--- ddsd log tail"
  tail -n 20 "$DDSD_LOG"
fi
echo "mongosh: $pass passed, $fail failed"
((fail == 0))
