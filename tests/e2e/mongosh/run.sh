#!/usr/bin/env bash
# mongosh 2.x end-to-end tests: start a real ddsd, then
#   1. mongosh's full startup (no --quiet): connects with no error/warning output and reports
#      "Using MongoDB: 7.0.x";
#   2. an interactive-style session fed on stdin (shell helpers: show dbs, use, show collections);
#   3. every tests/e2e/mongosh/*.js script run with --eval (assertions via require('assert')).
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

# 1. Startup, as a person would see it (greeting included).
out="$DDSD_TMP/startup.out"
err="$DDSD_TMP/startup.err"
timeout 60 "$MONGOSH" "${DDSD_URI}test" --norc --eval 'print("VERSION=" + db.version())' >"$out" 2>"$err"
rc=$?
ok=1
((rc == 0)) || { echo "mongosh exited $rc"; ok=0; }
if [[ -s "$err" ]]; then echo "stderr not empty:"; cat "$err"; ok=0; fi
grep -qE '^Using MongoDB:[[:space:]]+7\.0\.' "$out" || { echo "no 'Using MongoDB: 7.0.x' line"; ok=0; }
grep -qE '^VERSION=7\.0\.' "$out" || { echo "db.version() does not start with 7.0"; ok=0; }
if grep -qiE 'error|warning|non-genuine|MongoServerError|MongoNetworkError' "$out"; then
  echo "unexpected error/warning text in startup output:"; ok=0
fi
((ok)) || { echo "--- stdout"; cat "$out"; }
check "mongosh startup connects cleanly and reports MongoDB 7.0"

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
grep -qE '^people$' "$out" || { echo "show collections missing 'people'"; ok=0; }
grep -qE '^shelltest ' "$out" || { echo "show dbs missing 'shelltest'"; ok=0; }
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

if ((fail)); then
  echo "--- ddsd log tail"
  tail -n 20 "$DDSD_LOG"
fi
echo "mongosh: $pass passed, $fail failed"
((fail == 0))
