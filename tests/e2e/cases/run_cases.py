#!/usr/bin/python3
"""Runs the data-driven conformance cases (tests/e2e/cases/**/*.test) over the wire with pymongo 3.11.

The format is described in README.md next to this file. Every case talks to a real server through the
driver: a ddsd that this script starts (tests/e2e/py/ddsd_launcher.py; $DDSD or build/bin/ddsd), or any
server given with --uri (a real mongod, to confirm an expectation). Results are compared type-strictly
and in field order by comparing BSON bytes: 1 (int32), 1.0 (double) and {"$numberLong": "1"} differ.

Usage: /usr/bin/python3 tests/e2e/cases/run_cases.py [--uri URI] [-k SUBSTRING] [-v] [FILE_OR_DIR ...]
Prints PASS/FAIL per file, each failure with file:line, expected and got, and a total line; exits 1 on
any failure, including a case listed in known-differences.txt that passes (so the list only shrinks).
"""
import argparse
import base64
import collections
import json
import math
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e", "py"))

import bson  # noqa: E402
import pymongo  # noqa: E402
from bson import json_util  # noqa: E402
from bson.binary import Binary  # noqa: E402
from bson.codec_options import CodecOptions  # noqa: E402
from bson.dbref import DBRef  # noqa: E402
from bson.int64 import Int64  # noqa: E402
from bson.raw_bson import RawBSONDocument  # noqa: E402
from bson.regex import Regex  # noqa: E402
from bson.son import SON  # noqa: E402
from bson.timestamp import Timestamp  # noqa: E402
from pymongo.errors import OperationFailure  # noqa: E402

# Replies are kept as raw BSON so that comparisons see the exact types and field order.
RAW = CodecOptions(document_class=RawBSONDocument, tz_aware=True)
DECODED = CodecOptions(document_class=SON, tz_aware=True)
JSON_OPTS = json_util.JSONOptions(tz_aware=True, document_class=SON,
                                  json_mode=json_util.JSONMode.CANONICAL)


# --- Extended JSON ---------------------------------------------------------------------------------

def _object_pairs_hook(pairs):
    """json_util's hook, minus its legacy guesses that would change what a case means: {"$regex": ...}
    stays a query operator (regex values are written {"$regularExpression": ...}), {"$ref": ...} stays a
    document and {"$undefined": true} is rejected (pymongo cannot send undefined)."""
    doc = SON(pairs)
    if "$regex" in doc or "$ref" in doc:
        return doc
    if "$undefined" in doc:
        raise ValueError("$undefined cannot be sent by pymongo")
    if "$type" in doc and "$binary" not in doc:
        return doc  # the $type query operator
    return json_util.object_hook(doc, JSON_OPTS)


def parse_json(text):
    return json.loads(text, object_pairs_hook=_object_pairs_hook)


_DECODER = json.JSONDecoder(object_pairs_hook=_object_pairs_hook)


def parse_json_prefix(text, pos):
    """Parses one JSON value starting at text[pos:] (after spaces); returns (value, end)."""
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return _DECODER.raw_decode(text, pos)


def to_bytes(doc):
    """BSON bytes of a parsed expected document (or of a raw reply document)."""
    if isinstance(doc, RawBSONDocument):
        return doc.raw
    return bson.encode(doc)


def value_bytes(value):
    """BSON bytes of a single value, for a type-strict comparison of two values."""
    return bson.encode({"v": value})


def fmt(value):
    """Prints a value in the case format: 1 is int32, 1.0 double, {"$numberLong": "1"} int64."""
    if isinstance(value, RawBSONDocument):
        value = bson.decode(value.raw, DECODED)
    if isinstance(value, (dict, SON)):
        return "{" + ", ".join("%s: %s" % (json.dumps(k), fmt(v)) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Int64):
        return '{"$numberLong": "%d"}' % value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return '{"$numberDouble": "%s"}' % ("NaN" if math.isnan(value) else
                                                 ("Infinity" if value > 0 else "-Infinity"))
        text = repr(value)
        return text if ("." in text or "e" in text) else text + ".0"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bytes):
        return '{"$binary": {"base64": "%s", "subType": "00"}}' % base64.b64encode(value).decode()
    if isinstance(value, DBRef):
        return fmt(value.as_doc())
    return json_util.dumps(value, json_options=JSON_OPTS)


# --- the case file parser --------------------------------------------------------------------------

Case = collections.namedtuple("Case", "path line kind args expected")


class CaseFileError(Exception):
    pass


class Reader:
    """Splits a .test file into directives; each keeps its line number and following block."""

    def __init__(self, path, text):
        self.path = path
        self.lines = text.split("\n")
        self.i = 0

    def error(self, line_no, msg):
        return CaseFileError("%s:%d: %s" % (self.path, line_no, msg))

    def blocks(self):
        """Yields (line_no, header_line, body_lines[(line_no, text)]) for every directive."""
        lines = self.lines
        n = len(lines)
        i = 0
        while i < n:
            text = lines[i].strip()
            if not text or text.startswith("#"):
                i += 1
                continue
            start = i + 1
            header = text
            body = []
            i += 1
            while i < n and lines[i].strip():
                if not lines[i].strip().startswith("#"):
                    body.append((i + 1, lines[i].strip()))
                i += 1
            yield start, header, body


_FIND_OPTIONS = ("sort", "projection", "skip", "limit", "hint", "collation", "options")


def parse_options(reader, line_no, rest, allowed):
    """Parses `kw <json> kw <json> ...` into an ordered dict."""
    out = SON()
    pos = 0
    while True:
        while pos < len(rest) and rest[pos].isspace():
            pos += 1
        if pos >= len(rest):
            return out
        m = re.match(r"[A-Za-z]+", rest[pos:])
        if not m or m.group(0) not in allowed:
            raise reader.error(line_no, "unexpected %r (expected one of %s)" % (rest[pos:pos + 20], ", ".join(allowed)))
        kw = m.group(0)
        if kw in out:
            raise reader.error(line_no, "%s given twice" % kw)
        try:
            out[kw], pos = parse_json_prefix(rest, pos + len(kw))
        except ValueError as e:
            raise reader.error(line_no, "bad JSON after %s: %s" % (kw, e))


def parse_json_args(reader, line_no, rest, count_min, count_max):
    args = []
    pos = 0
    while True:
        while pos < len(rest) and rest[pos].isspace():
            pos += 1
        if pos >= len(rest):
            break
        try:
            value, pos = parse_json_prefix(rest, pos)
        except ValueError as e:
            raise reader.error(line_no, "bad JSON argument %d: %s" % (len(args) + 1, e))
        args.append(value)
    if not count_min <= len(args) <= count_max:
        raise reader.error(line_no, "expected %d to %d JSON arguments, got %d" % (count_min, count_max, len(args)))
    return args


def parse_expected(reader, body, kind):
    """The block after ----: `error <CodeName> ["message part"]`, or documents, or for writes
    `result <json>` / `value <json>` lines first and then the collection's documents."""
    exp = {"error": None, "message": None, "docs": [], "result": None, "value": None, "has_value": False,
           "docs_given": False}
    for line_no, text in body:
        if text.startswith("error ") or text == "error":
            parts = text.split(None, 2)
            if len(parts) < 2 or exp["error"] or exp["docs"]:
                raise reader.error(line_no, "`error <CodeName>` comes first and once")
            exp["error"] = parts[1]
            if len(parts) == 3:
                try:
                    exp["message"] = parse_json(parts[2])
                except ValueError as e:
                    raise reader.error(line_no, "bad message string: %s" % e)
            continue
        if kind in ("update", "delete", "findAndModify", "insert") and re.match(r"(result|value)\s", text):
            word, rest = text.split(None, 1)
            if exp["docs"]:
                raise reader.error(line_no, "%s must come before the collection's documents" % word)
            try:
                value = parse_json(rest)
            except ValueError as e:
                raise reader.error(line_no, "bad JSON: %s" % e)
            if word == "result":
                exp["result"] = value
            else:
                exp["value"] = value
                exp["has_value"] = True
            continue
        try:
            doc = parse_json(text)
        except ValueError as e:
            raise reader.error(line_no, "bad JSON document: %s" % e)
        if not isinstance(doc, dict):
            raise reader.error(line_no, "expected a document")
        exp["docs"].append((line_no, doc))
        exp["docs_given"] = True
    if exp["error"] and (exp["result"] is not None or exp["has_value"]):
        raise reader.error(body[0][0], "`error` cannot be combined with result/value")
    if kind == "command" and not exp["error"] and len(exp["docs"]) != 1:
        raise reader.error(body[0][0] if body else 0, "command expects one reply document or an error")
    if kind == "findAndModify" and not exp["error"] and not exp["has_value"]:
        raise reader.error(body[0][0] if body else 0, "findAndModify expects a `value <doc or null>` line")
    return exp


def parse_file(path, rel):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    reader = Reader(rel, text)
    steps = []
    for line_no, header, body in reader.blocks():
        word, _, rest = header.partition(" ")
        rest = rest.strip()
        if word == "setup":
            coll = rest.split()[0] if rest else ""
            if not coll or len(rest.split()) != 1:
                raise reader.error(line_no, "setup <collection>")
            docs = []
            for ln, t in body:
                try:
                    docs.append(parse_json(t))
                except ValueError as e:
                    raise reader.error(ln, "bad JSON document: %s" % e)
            steps.append(Case(rel, line_no, "setup", {"coll": coll, "docs": docs}, None))
            continue
        if word == "index":
            coll, _, json_part = rest.partition(" ")
            args = parse_json_args(reader, line_no, json_part, 1, 2)
            if body:
                raise reader.error(line_no, "index takes no block")
            steps.append(Case(rel, line_no, "index", {"coll": coll, "keys": args[0],
                                                      "options": args[1] if len(args) > 1 else {}}, None))
            continue
        # Cases: header, then ----, then the expected block.
        sep = [k for k, (ln, t) in enumerate(body) if t == "----"]
        if len(sep) != 1:
            raise reader.error(line_no, "a case needs exactly one ---- line after its directive")
        if sep[0] != 0:
            raise reader.error(body[0][0], "the directive must fit on one line (found text before ----)")
        expected_body = body[1:]
        if word in ("find", "aggregate"):
            coll, _, after = rest.partition(" ")
            try:
                first, pos = parse_json_prefix(after, 0)
            except ValueError as e:
                raise reader.error(line_no, "bad JSON: %s" % e)
            if word == "find":
                opts = parse_options(reader, line_no, after[pos:], _FIND_OPTIONS)
                args = {"coll": coll, "filter": first, "opts": opts}
            else:
                opts = parse_options(reader, line_no, after[pos:], ("options",))
                args = {"coll": coll, "pipeline": first, "opts": opts}
        elif word == "command":
            args = {"cmd": parse_json_args(reader, line_no, rest, 1, 1)[0]}
        elif word == "update":
            coll, _, json_part = rest.partition(" ")
            a = parse_json_args(reader, line_no, json_part, 2, 3)
            args = {"coll": coll, "q": a[0], "u": a[1], "options": a[2] if len(a) > 2 else {}}
        elif word == "delete":
            coll, _, json_part = rest.partition(" ")
            a = parse_json_args(reader, line_no, json_part, 1, 2)
            args = {"coll": coll, "q": a[0], "options": a[1] if len(a) > 1 else {}}
        elif word == "insert":
            coll, _, json_part = rest.partition(" ")
            a = parse_json_args(reader, line_no, json_part, 1, 2)
            if not isinstance(a[0], list):
                raise reader.error(line_no, "insert <coll> <array of documents> [<options>]")
            args = {"coll": coll, "docs": a[0], "options": a[1] if len(a) > 1 else {}}
        elif word == "findAndModify":
            coll, _, json_part = rest.partition(" ")
            args = {"coll": coll, "fields": parse_json_args(reader, line_no, json_part, 1, 1)[0]}
        else:
            raise reader.error(line_no, "unknown directive %r" % word)
        steps.append(Case(rel, line_no, word, args, parse_expected(reader, expected_body, word)))
    return steps


# --- running ---------------------------------------------------------------------------------------

class Failure(Exception):
    pass


def error_names():
    """code -> codeName from the team's copy of MongoDB's table (writeErrors carry no codeName)."""
    names = {}
    path = os.path.join(ROOT, "src", "common", "error_codes.def")
    try:
        with open(path) as f:
            for line in f:
                m = re.match(r"\s*X\((-?\d+),\s*(\w+)", line)
                if m:
                    names[int(m.group(1))] = m.group(2)
    except OSError:
        pass
    return names


CODE_NAMES = error_names()


def code_name(code, given=None):
    if given:
        return given
    return CODE_NAMES.get(code, "Location%d" % code)


class CommandError(Exception):
    def __init__(self, code, name, msg):
        super().__init__("%s (%s): %s" % (name, code, msg))
        self.code = code
        self.name = name
        self.msg = msg


def run_command(db, cmd):
    """Runs a command; returns the raw reply, or raises CommandError (ok: 0)."""
    try:
        return db.command(cmd, codec_options=RAW)
    except OperationFailure as e:
        details = e.details or {}
        code = e.code if e.code is not None else -1
        raise CommandError(code, code_name(code, details.get("codeName")), details.get("errmsg", str(e)))


def cursor_all(db, reply):
    """All documents of a cursor reply (firstBatch and getMores)."""
    cursor = reply["cursor"]
    docs = list(cursor["firstBatch"])
    cid = cursor["id"]
    ns = cursor["ns"]
    coll = ns.split(".", 1)[1]
    while cid:
        more = run_command(db, SON([("getMore", Int64(cid)), ("collection", coll)]))
        docs.extend(more["cursor"]["nextBatch"])
        cid = more["cursor"]["id"]
    return docs


def check_error(case, err):
    exp = case.expected
    if not exp["error"]:
        raise Failure("expected success, got error %s" % err)
    if err.name != exp["error"] and str(err.code) != exp["error"]:
        raise Failure("expected error %s, got %s" % (exp["error"], err))
    if exp["message"] is not None and exp["message"] not in err.msg:
        raise Failure("expected an error message containing %r, got %r" % (exp["message"], err.msg))


def compare_docs(expected, got, ordered, what="result"):
    exp_bytes = [to_bytes(d) for _, d in expected]
    got_bytes = [to_bytes(d) for d in got]
    if ordered:
        same = exp_bytes == got_bytes
    else:
        same = collections.Counter(exp_bytes) == collections.Counter(got_bytes)
    if same:
        return
    lines = ["%s differs (%s):" % (what, "in order" if ordered else "as a multiset")]
    lines.append("  expected:")
    lines += ["    " + fmt(d) for _, d in expected] or ["    (nothing)"]
    lines.append("  got:")
    lines += ["    " + fmt(d) for d in got] or ["    (nothing)"]
    raise Failure("\n".join(lines))


def same_value(a, b):
    return value_bytes(a) == value_bytes(b)


def check_subset(expected, reply, what="reply"):
    """Every expected top-level field is in the reply with the same value (type-strict and exact below
    the top level); `ok` compares numerically."""
    for key, value in expected.items():
        if key not in reply:
            raise Failure("%s has no field %r; expected %s\n  got: %s" % (what, key, fmt(value), fmt(reply)))
        got = reply[key]
        if key == "ok":
            if not isinstance(got, (int, float)) or float(got) != float(value):
                raise Failure("%s ok is %s, expected %s" % (what, fmt(got), fmt(value)))
            continue
        if not same_value(value, got):
            raise Failure("%s field %r differs\n  expected: %s\n  got:      %s\n  reply: %s"
                          % (what, key, fmt(value), fmt(got), fmt(reply)))


def collection_docs(db, coll):
    reply = run_command(db, SON([("find", coll), ("filter", {}), ("sort", {"_id": 1})]))
    return cursor_all(db, reply)


def write_error(reply):
    errs = reply.get("writeErrors")
    if errs:
        e = errs[0]
        return CommandError(e["code"], code_name(e["code"], e.get("codeName")), e.get("errmsg", ""))
    wce = reply.get("writeConcernError")
    if wce:
        return CommandError(wce["code"], code_name(wce["code"], wce.get("codeName")), wce.get("errmsg", ""))
    return None


# Fields of the options JSON of update/delete/insert that belong to the command, not to the statement.
_COMMAND_LEVEL = ("let", "bypassDocumentValidation", "ordered", "writeConcern", "comment")


def split_options(options):
    stmt, cmd = SON(), SON()
    for k, v in options.items():
        (cmd if k in _COMMAND_LEVEL else stmt)[k] = v
    return stmt, cmd


def run_write(db, case):
    a = case.args
    exp = case.expected
    kind = case.kind
    try:
        if kind == "update":
            stmt, cmd_opts = split_options(a["options"])
            cmd = SON([("update", a["coll"]), ("updates", [SON([("q", a["q"]), ("u", a["u"])] + list(stmt.items()))])])
        elif kind == "delete":
            stmt, cmd_opts = split_options(a["options"])
            if "limit" not in stmt:
                stmt["limit"] = 0
            cmd = SON([("delete", a["coll"]), ("deletes", [SON([("q", a["q"])] + list(stmt.items()))])])
        elif kind == "insert":
            cmd_opts = a["options"]
            cmd = SON([("insert", a["coll"]), ("documents", a["docs"])])
        else:  # findAndModify
            cmd_opts = a["fields"]
            cmd = SON([("findAndModify", a["coll"])])
        cmd.update(cmd_opts)
        reply = run_command(db, cmd)
        err = write_error(reply) if kind != "findAndModify" else None
        if err:
            raise err
    except CommandError as err:
        check_error(case, err)
        if exp["docs_given"]:
            compare_docs(exp["docs"], collection_docs(db, a["coll"]), True, "collection after the error")
        return
    if exp["error"]:
        raise Failure("expected error %s, got success: %s" % (exp["error"], fmt(reply)))
    if exp["result"] is not None:
        check_subset(exp["result"], reply, "write reply")
    if kind == "findAndModify":
        got = reply.get("value")
        want = exp["value"]
        if (want is None) != (got is None) or (want is not None and to_bytes(want) != to_bytes(got)):
            raise Failure("findAndModify value differs\n  expected: %s\n  got:      %s" % (fmt(want), fmt(got)))
    compare_docs(exp["docs"], collection_docs(db, a["coll"]), True, "collection after the write")


def has_sort_stage(pipeline):
    return any(isinstance(s, dict) and "$sort" in s for s in pipeline)


def run_case(db, case):
    a = case.args
    exp = case.expected
    if case.kind in ("update", "delete", "insert", "findAndModify"):
        return run_write(db, case)
    try:
        if case.kind == "find":
            cmd = SON([("find", a["coll"]), ("filter", a["filter"])])
            opts = a["opts"]
            for k in ("sort", "projection", "skip", "limit", "hint", "collation"):
                if k in opts:
                    cmd[k] = opts[k]
            cmd.update(opts.get("options", {}))
            docs = cursor_all(db, run_command(db, cmd))
            ordered = "sort" in opts
        elif case.kind == "aggregate":
            cmd = SON([("aggregate", a["coll"]), ("pipeline", a["pipeline"]), ("cursor", {})])
            cmd.update(a["opts"].get("options", {}))
            docs = cursor_all(db, run_command(db, cmd))
            ordered = isinstance(a["pipeline"], list) and has_sort_stage(a["pipeline"])
        else:  # command
            reply = run_command(db, a["cmd"])
    except CommandError as err:
        return check_error(case, err)
    if exp["error"]:
        got = fmt(reply) if case.kind == "command" else "\n    ".join(fmt(d) for d in docs)
        raise Failure("expected error %s, got success:\n    %s" % (exp["error"], got))
    if case.kind == "command":
        return check_subset(exp["docs"][0][1], reply)
    compare_docs(exp["docs"], docs, ordered)


def run_setup(db, step):
    a = step.args
    db.drop_collection(a["coll"])
    if step.kind == "setup":
        if a["docs"]:
            reply = run_command(db, SON([("insert", a["coll"]), ("documents", a["docs"])]))
            err = write_error(reply)
            if err:
                raise Failure("setup insert failed: %s" % err)
    return


def run_index(db, step):
    a = step.args
    spec = SON([("key", a["keys"])])
    opts = SON(a["options"])
    if "name" not in opts:
        opts["name"] = "_".join("%s_%s" % (k, v) for k, v in a["keys"].items())
    spec.update(opts)
    try:
        run_command(db, SON([("createIndexes", a["coll"]), ("indexes", [spec])]))
    except CommandError as e:
        raise Failure("index creation failed: %s" % e)


def db_name_for(rel):
    name = "cases_" + re.sub(r"[^A-Za-z0-9_]", "_", rel[:-len(".test")] if rel.endswith(".test") else rel)
    return name[:60]


def load_known(path):
    """known-differences.txt: `<file>:<line> <reason>` per line; # comments."""
    known = {}
    if not os.path.exists(path):
        return known
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            loc, _, reason = line.partition(" ")
            if not re.match(r".+:\d+$", loc) or not reason.strip():
                raise SystemExit("%s:%d: expected `<file>:<line> <reason>`" % (path, n))
            known[loc] = reason.strip()
    return known


def collect(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            for dirpath, _, names in os.walk(p):
                files += [os.path.join(dirpath, n) for n in names if n.endswith(".test")]
        else:
            files.append(p)
    return sorted(set(os.path.abspath(f) for f in files))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*", help="case files or folders (default: every .test under %s)" % HERE)
    ap.add_argument("--uri", help="run against this server instead of starting a ddsd")
    ap.add_argument("-k", dest="filter", help="only files whose path contains this")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every case")
    ap.add_argument("--known", default=os.path.join(HERE, "known-differences.txt"))
    ap.add_argument("--no-known", action="store_true", help="ignore known-differences.txt (e.g. against mongod)")
    args = ap.parse_args()

    files = collect(args.paths or [HERE])
    if args.filter:
        files = [f for f in files if args.filter in f]
    known = {} if args.no_known else load_known(args.known)
    seen_known = set()

    server = None
    uri = args.uri
    if not uri:
        from ddsd_launcher import Ddsd
        server = Ddsd().start()
        uri = server.uri
    client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=10000)
    totals = collections.Counter()
    t0 = time.monotonic()
    try:
        for path in files:
            rel = os.path.relpath(path, HERE)
            if rel.startswith(".."):
                rel = path
            try:
                steps = parse_file(path, rel)
            except (CaseFileError, OSError) as e:
                print("FAIL %s (does not parse)\n  %s" % (rel, e))
                totals["failed_files"] += 1
                totals["failed"] += 1
                continue
            db_name = db_name_for(rel)
            client.drop_database(db_name)
            db = client[db_name]
            counts = collections.Counter()
            messages = []
            for step in steps:
                loc = "%s:%d" % (rel, step.line)
                try:
                    if step.kind == "setup":
                        run_setup(db, step)
                        continue
                    if step.kind == "index":
                        run_index(db, step)
                        continue
                    run_case(db, step)
                    ok, why = True, None
                except Failure as e:
                    ok, why = False, str(e)
                except CommandError as e:
                    ok, why = False, "unexpected error %s" % e
                except Exception as e:  # a driver error is a failed case too, not a crash of the runner
                    ok, why = False, "%s: %s" % (type(e).__name__, e)
                if step.kind in ("setup", "index"):
                    # A broken setup fails the file; the cases after it still run and report.
                    counts["failed"] += 1
                    messages.append("  %s: %s" % (loc, why))
                    continue
                counts["cases"] += 1
                if loc in known:
                    seen_known.add(loc)
                    if ok:
                        counts["failed"] += 1
                        messages.append("  %s: passes but is listed in known-differences.txt (%s); remove it"
                                        % (loc, known[loc]))
                    else:
                        counts["known"] += 1
                        if args.verbose:
                            messages.append("  %s: known difference: %s" % (loc, known[loc]))
                    continue
                if ok:
                    counts["passed"] += 1
                    if args.verbose:
                        messages.append("  %s: ok" % loc)
                else:
                    counts["failed"] += 1
                    messages.append("  %s: %s" % (loc, why.replace("\n", "\n    ")))
            status = "FAIL" if counts["failed"] else "PASS"
            extra = ", %d known differences" % counts["known"] if counts["known"] else ""
            print("%s %s (%d cases%s)" % (status, rel, counts["cases"], extra))
            for m in messages:
                print(m)
            totals.update(counts)
            totals["files"] += 1
            if counts["failed"]:
                totals["failed_files"] += 1
            client.drop_database(db_name)
    finally:
        client.close()
        if server is not None:
            alive = server.alive()
            server.cleanup()
            if not alive:
                print("ddsd died during the cases:\n" + server.log_tail())
                totals["failed"] += 1
    # Listed cases that no longer exist (or were not run) make the list stale only when all files ran.
    if not args.paths and not args.filter and not args.no_known:
        for loc in sorted(set(known) - seen_known):
            print("known-differences.txt lists %s, which is not a case" % loc)
            totals["failed"] += 1
    print("TOTAL %d files, %d cases: %d passed, %d known differences, %d failed (%.1fs)"
          % (totals["files"], totals["cases"], totals["passed"], totals["known"], totals["failed"],
             time.monotonic() - t0))
    return 1 if totals["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
