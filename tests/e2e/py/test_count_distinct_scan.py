"""COUNT_SCAN and DISTINCT_SCAN (issue #4): count with a filter its index bounds answer exactly counts
index keys (COUNT -> COUNT_SCAN, no document read); distinct over an index led by its key seeks past
each value (PROJECTION_COVERED -> DISTINCT_SCAN). Explain shapes follow mongod 7.0 (explain.cpp
statsToBSON for COUNT_SCAN's startKey/endKey indexBounds; jstests/core/distinct_multikey.js and
distinct_compound_index.js for which distincts use DISTINCT_SCAN); results always equal a collection
scan's ({$natural: 1} hint).
"""
import bson
from bson import Int64


def same(a, b):
    """Type-strict equality that treats NaN as equal to itself (compares the BSON bytes)."""
    return bson.encode({"v": a}) == bson.encode({"v": b})


def stages(plan):
    out = []
    while plan is not None:
        out.append(plan["stage"])
        plan = plan.get("inputStage")
    return out


def stage(plan, name):
    while plan is not None:
        if plan["stage"] == name:
            return plan
        plan = plan.get("inputStage")
    return None


def explain_count(db, query, **extra):
    cmd = {"count": "c", "query": query}
    cmd.update(extra)
    return db.command("explain", cmd, verbosity="executionStats")


def explain_distinct(db, key, query, coll="c"):
    return db.command("explain", {"distinct": coll, "key": key, "query": query},
                      verbosity="executionStats")


def count(db, query, **extra):
    return db.command("count", "c", query=query, **extra)["n"]


def distinct(db, key, query, coll="c", **extra):
    return db.command("distinct", coll, key=key, query=query, **extra)["values"]


def fill(db):
    docs = []
    for i in range(600):
        doc = {"_id": i, "a": i % 50, "b": i % 7, "c": "s%02d" % (i % 13)}
        if i % 3 == 0:
            doc["a"] = float(doc["a"])
        if i % 5 == 0:
            doc["a"] = Int64(doc["a"])
        if i % 97 == 0:
            del doc["a"]
        docs.append(doc)
    docs.append({"_id": 1000, "a": None, "b": 1})
    docs.append({"_id": 1001, "a": float("nan"), "b": 2})
    db.c.insert_many(docs)


def test_count_scan_explain_and_results(db):
    fill(db)
    queries = [{"a": {"$gt": 10}}, {"a": 7}, {"a": {"$gte": 3, "$lt": 9}}, {"a": {"$lt": 4}},
               {"a": 7, "b": {"$gt": 2}}, {"a": {"$in": [1, 2, 3]}}, {"a": 7, "c": "s07"},
               {"a": None}]
    want = {str(q): count(db, q) for q in queries}
    db.c.create_index([("a", 1)])
    db.c.create_index([("a", 1), ("b", -1)])
    for q in queries:
        assert count(db, q) == want[str(q)], q
        assert count(db, q, hint={"$natural": 1}) == want[str(q)], q

    e = explain_count(db, {"a": {"$gt": 10}})
    win = e["queryPlanner"]["winningPlan"]
    assert stages(win) == ["COUNT", "COUNT_SCAN"]
    cs = win["inputStage"]
    assert cs["keyPattern"] == {"a": 1} and cs["indexName"] == "a_1"
    assert cs["isMultiKey"] is False and cs["multiKeyPaths"] == {"a": []}
    assert cs["indexVersion"] == 2
    assert cs["indexBounds"] == {"startKey": {"a": 10}, "startKeyInclusive": False,
                                 "endKey": {"a": float("inf")}, "endKeyInclusive": True}
    st = e["executionStats"]
    assert st["totalDocsExamined"] == 0
    assert st["totalKeysExamined"] == want[str({"a": {"$gt": 10}})]
    assert st["executionStages"]["nCounted"] == want[str({"a": {"$gt": 10}})]
    assert st["executionStages"]["inputStage"]["keysExamined"] == st["totalKeysExamined"]

    # Points then a range on a descending field: start/end keys in index order.
    cs = stage(explain_count(db, {"a": 7, "b": {"$gt": 2}})["queryPlanner"]["winningPlan"],
               "COUNT_SCAN")
    assert cs is not None and cs["indexName"] == "a_1_b_-1"
    assert cs["indexBounds"] == {"startKey": {"a": 7, "b": float("inf")},
                                 "startKeyInclusive": True, "endKey": {"a": 7, "b": 2},
                                 "endKeyInclusive": False}

    # $in (several intervals): COUNT over an IXSCAN without FETCH; still no document read.
    e = explain_count(db, {"a": {"$in": [1, 2, 3]}})
    assert stages(e["queryPlanner"]["winningPlan"]) == ["COUNT", "IXSCAN"]
    assert e["executionStats"]["totalDocsExamined"] == 0

    # A residual predicate needs the documents.
    e = explain_count(db, {"a": 7, "c": "s07"})
    assert "COUNT_SCAN" not in stages(e["queryPlanner"]["winningPlan"])
    assert "FETCH" in stages(e["queryPlanner"]["winningPlan"])

    # skip / limit are the COUNT stage's.
    n = count(db, {"a": {"$gt": 10}}, skip=5, limit=20)
    assert n == min(20, want[str({"a": {"$gt": 10}})] - 5)
    e = explain_count(db, {"a": {"$gt": 10}}, skip=5, limit=20)
    assert stages(e["queryPlanner"]["winningPlan"]) == ["COUNT", "COUNT_SCAN"]
    assert e["executionStats"]["executionStages"]["nCounted"] == n
    assert e["executionStats"]["executionStages"]["nSkipped"] == 5


def test_count_scan_multikey_counts_documents_once(db):
    db.c.insert_many([{"_id": i, "a": [i % 4, i % 4 + 1, i % 4 + 2]} for i in range(40)] +
                     [{"_id": 100, "a": []}, {"_id": 101}])
    q = {"a": {"$gte": 2}}
    want = count(db, q)
    db.c.create_index("a")
    assert count(db, q) == want
    e = explain_count(db, q)
    cs = stage(e["queryPlanner"]["winningPlan"], "COUNT_SCAN")
    assert cs is not None and cs["isMultiKey"] is True
    assert e["executionStats"]["totalKeysExamined"] > want
    assert e["executionStats"]["totalDocsExamined"] == 0
    # Two ranges on a multikey field cannot be intersected: not exact, the documents decide.
    q2 = {"a": {"$gt": 1, "$lt": 3}}
    assert count(db, q2) == count(db, q2, hint={"$natural": 1})
    assert "COUNT_SCAN" not in stages(explain_count(db, q2)["queryPlanner"]["winningPlan"])


def test_sparse_and_partial_indexes_only_when_they_hold_every_match(db):
    db.c.insert_many([{"_id": 1, "a": 1, "s": 1}, {"_id": 2, "a": 2}, {"_id": 3, "a": 3, "s": None},
                      {"_id": 4, "s": 5}, {"_id": 5, "a": 5, "s": 7}])
    db.c.create_index("s", sparse=True)
    db.c.create_index("a", partialFilterExpression={"a": {"$gt": 2}})
    for q, index_used in [({"s": {"$gte": 1}}, "s_1"), ({"s": None}, None),
                          ({"a": {"$gt": 3}}, "a_1"), ({"a": {"$gt": 0}}, None)]:
        assert count(db, q) == count(db, q, hint={"$natural": 1}), q
        win = explain_count(db, q)["queryPlanner"]["winningPlan"]
        cs = stage(win, "COUNT_SCAN")
        if index_used is None:
            assert cs is None, (q, win)
        else:
            assert cs is not None and cs["indexName"] == index_used, (q, win)
    # mongod never uses a partial index for DISTINCT_SCAN.
    assert distinct(db, "a", {}) == [1, 2, 3, 5]
    assert "DISTINCT_SCAN" not in stages(explain_distinct(db, "a", {})["queryPlanner"]["winningPlan"])
    assert distinct(db, "s", {}) == [None, 1, 5, 7]
    win = explain_distinct(db, "s", {})["queryPlanner"]["winningPlan"]
    assert stages(win) == ["PROJECTION_COVERED", "DISTINCT_SCAN"]


def test_distinct_scan_explain_and_results(db):
    fill(db)
    cases = [("a", {}), ("a", {"a": {"$gte": 40}}), ("b", {"a": 7}), ("a", {"b": 3}),
             ("c", {}), ("b", {"a": {"$in": [1, 2]}})]
    want = {str(c): distinct(db, *c) for c in cases}
    db.c.create_index([("a", 1), ("b", 1)])
    db.c.create_index([("a", 1)])
    for c in cases:
        assert same(distinct(db, *c), want[str(c)]), c

    e = explain_distinct(db, "a", {})
    win = e["queryPlanner"]["winningPlan"]
    assert stages(win) == ["PROJECTION_COVERED", "DISTINCT_SCAN"]
    assert win["transformBy"] == {"_id": 0, "a": 1}
    ds = win["inputStage"]
    assert ds["indexName"] == "a_1"  # the index with the fewest fields
    assert ds["direction"] == "forward"
    assert ds["indexBounds"] == {"a": ["[MinKey, MaxKey]"]}
    st = e["executionStats"]
    assert st["totalDocsExamined"] == 0
    # One key per distinct value (plus the entries of documents missing the field).
    assert st["totalKeysExamined"] <= len(want[str(("a", {}))]) + 8

    e = explain_distinct(db, "b", {"a": 7})
    win = e["queryPlanner"]["winningPlan"]
    assert stages(win) == ["PROJECTION_COVERED", "DISTINCT_SCAN"]
    assert win["inputStage"]["indexName"] == "a_1_b_1"
    assert e["executionStats"]["totalKeysExamined"] <= len(want[str(("b", {"a": 7}))]) + 1

    # The filter is on another field: no DISTINCT_SCAN (mongod: a filter the bounds do not answer).
    assert "DISTINCT_SCAN" not in stages(
        explain_distinct(db, "a", {"b": 3})["queryPlanner"]["winningPlan"])
    # No index led by the key: a collection scan, as mongod (distinct_compound_index.js).
    assert stages(explain_distinct(db, "b", {})["queryPlanner"]["winningPlan"]) == ["COLLSCAN"]


def test_distinct_multikey(db):
    # jstests/core/distinct_multikey.js
    db.c.insert_many([{"a": [1, 2, 3]}, {"a": [2, 3, 4]}, {"a": [5, 6, 7]}, {"a": []}, {"a": [[8]]}])
    want_all = distinct(db, "a", {})
    want_q = distinct(db, "a", {"a": 3})
    db.c.create_index("a")
    assert distinct(db, "a", {}) == want_all == [1, 2, 3, 4, 5, 6, 7, [8]]
    assert distinct(db, "a", {"a": 3}) == want_q == [1, 2, 3, 4]
    win = explain_distinct(db, "a", {})["queryPlanner"]["winningPlan"]
    assert stages(win) == ["PROJECTION_COVERED", "DISTINCT_SCAN"]
    win = explain_distinct(db, "a", {"a": 3})["queryPlanner"]["winningPlan"]
    assert stages(win) == ["FETCH", "IXSCAN"]


def test_count_without_filter_is_a_fast_count(db):
    db.c.insert_many([{"_id": i} for i in range(25)])
    e = db.command("explain", {"count": "c", "query": {}, "skip": 5, "limit": 100},
                   verbosity="executionStats")
    assert e["queryPlanner"]["winningPlan"] == {"stage": "RECORD_STORE_FAST_COUNT"}
    st = e["executionStats"]
    assert st["totalDocsExamined"] == 0 and st["totalKeysExamined"] == 0
    assert st["executionStages"] == {
        "stage": "RECORD_STORE_FAST_COUNT", "nReturned": 0, "executionTimeMillisEstimate": 0,
        "works": 1, "advanced": 0, "needTime": 0, "needYield": 0, "saveState": 0,
        "restoreState": 0, "isEOF": 1, "nCounted": 20, "nSkipped": 5}
    assert count(db, {}, skip=5, limit=100) == 20
    # With a hint the planner answers (mongod: no fast count with a hint): a full COUNT_SCAN.
    db.c.create_index("x")
    e = explain_count(db, {}, hint="x_1")
    assert stages(e["queryPlanner"]["winningPlan"]) == ["COUNT", "COUNT_SCAN"]
