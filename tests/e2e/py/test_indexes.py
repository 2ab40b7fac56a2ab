"""Secondary indexes end to end (issue #4): createIndexes/listIndexes/dropIndexes semantics, unique
rules, planner use (explain), TTL deletion, unique build failure, crash during an index build.

Run: DDSD=build-index/bin/ddsd /usr/bin/python3 -m pytest tests/e2e/py/test_indexes.py
"""
import datetime
import threading
import time

import pymongo
import pytest
from pymongo.errors import DuplicateKeyError, OperationFailure

from ddsd_launcher import Ddsd


def winning_stages(plan):
    """Stage names from the root of a winningPlan down its first inputs."""
    out = []
    while plan:
        out.append(plan["stage"])
        plan = plan.get("inputStage") or (plan.get("inputStages") or [None])[0]
    return out


def kill9_during(d, action, after=0.3):
    """Starts `action` (a command to ddsd) in a thread and kills ddsd -9 `after` seconds later;
    the action's error (the connection dies with the server) is expected and ignored."""
    def run():
        try:
            action()
        except Exception:
            pass

    t = threading.Thread(target=run)
    t.start()
    time.sleep(after)
    d.kill9()
    t.join(10)


def test_create_list_drop(db):
    c = db.items
    assert c.create_index([("a", 1)]) == "a_1"
    assert c.create_index([("a", 1), ("b", -1)], unique=True) == "a_1_b_-1"
    specs = {s["name"]: s for s in c.list_indexes()}
    assert set(specs) == {"_id_", "a_1", "a_1_b_-1"}
    assert specs["a_1_b_-1"]["unique"] is True
    assert dict(specs["a_1_b_-1"]["key"]) == {"a": 1, "b": -1}
    # Idempotent re-creation.
    res = db.command("createIndexes", "items", indexes=[{"key": {"a": 1}, "name": "a_1"}])
    assert res["note"] == "all indexes already exist"
    with pytest.raises(OperationFailure) as e:
        db.command("createIndexes", "items", indexes=[{"key": {"a": 1}, "name": "other"}])
    assert e.value.code == 85
    with pytest.raises(OperationFailure) as e:
        db.command("createIndexes", "items", indexes=[{"key": {"z": 1}, "name": "a_1"}])
    assert e.value.code == 86
    with pytest.raises(OperationFailure) as e:
        c.create_index([("t", "text")])
    assert e.value.code == 238
    c.drop_index("a_1")
    with pytest.raises(OperationFailure) as e:
        c.drop_index("a_1")
    assert e.value.code == 27
    db.command("dropIndexes", "items", index="*")
    assert [s["name"] for s in c.list_indexes()] == ["_id_"]


def test_index_limit(db):
    c = db.many
    for i in range(63):
        c.create_index([("f%d" % i, 1)])
    with pytest.raises(OperationFailure) as e:
        c.create_index([("g", 1)])
    assert e.value.code == 67


def test_unique_insert_update_and_null_rules(db):
    c = db.u
    c.create_index([("email", 1)], unique=True)
    c.insert_one({"_id": 1, "email": "x@y"})
    with pytest.raises(DuplicateKeyError) as e:
        c.insert_one({"_id": 2, "email": "x@y"})
    assert e.value.details["keyPattern"] == {"email": 1}
    assert e.value.details["keyValue"] == {"email": "x@y"}
    assert "index: email_1 dup key: { email: \"x@y\" }" in e.value.details["errmsg"]
    c.insert_one({"_id": 3})  # missing counts as null: only one
    with pytest.raises(DuplicateKeyError):
        c.insert_one({"_id": 4, "email": None})
    c.insert_one({"_id": 5, "email": "z@y"})
    with pytest.raises(DuplicateKeyError):
        c.update_one({"_id": 5}, {"$set": {"email": "x@y"}})
    # The failed statement left no trace: the old key still works, the new one is free.
    assert c.find_one({"email": "z@y"})["_id"] == 5
    c.delete_one({"_id": 1})
    c.update_one({"_id": 5}, {"$set": {"email": "x@y"}})
    assert c.find_one({"email": "x@y"})["_id"] == 5


def test_unique_lookups_are_point_reads_and_survive_a_restart():
    """A unique index keys its entries by the value alone: an equality on every key field reads
    one entry (keysExamined 1 on a hit, 0 on a miss), multikey and compound included; the rules
    and the entries are the same after a restart, and validate finds them consistent."""
    d = Ddsd().start()
    try:
        client = pymongo.MongoClient(d.uri, serverSelectionTimeoutMS=5000)
        c = client.uq.people
        c.create_index([("email", 1)], unique=True)
        c.create_index([("tags", 1)], unique=True)
        c.create_index([("org", 1), ("n", -1)], unique=True)
        c.insert_many([{"_id": i, "email": "u%d@x" % i, "tags": ["t%d" % i, "s%d" % i],
                        "org": i % 3, "n": i} for i in range(30)])

        def keys_examined(flt):
            return c.find(flt).explain()["executionStats"]["totalKeysExamined"]

        assert c.find_one({"email": "u7@x"})["_id"] == 7
        assert keys_examined({"email": "u7@x"}) == 1
        assert keys_examined({"email": "nobody"}) == 0
        assert keys_examined({"email": {"$in": ["u1@x", "u2@x", "nobody"]}}) == 2
        assert sorted(d["_id"] for d in c.find({"email": {"$in": ["u1@x", "u2@x", "no"]}})) == [1, 2]
        assert c.find_one({"tags": "s9"})["_id"] == 9
        assert keys_examined({"org": 2, "n": 11}) == 1
        assert [d["_id"] for d in c.find({"org": 2}).sort("n", -1).limit(3)] == [29, 26, 23]
        with pytest.raises(DuplicateKeyError):
            c.insert_one({"_id": 100, "tags": ["new", "t3"]})
        # A key moves to another document once its holder lets go of it.
        c.update_one({"_id": 3}, {"$set": {"email": "moved@x"}})
        c.insert_one({"_id": 101, "email": "u3@x"})
        client.close()
        d.restart()
        client = pymongo.MongoClient(d.uri, serverSelectionTimeoutMS=5000)
        c = client.uq.people
        assert c.find_one({"email": "u3@x"})["_id"] == 101
        assert c.find_one({"email": "moved@x"})["_id"] == 3
        with pytest.raises(DuplicateKeyError):
            c.insert_one({"_id": 102, "email": "u3@x"})
        with pytest.raises(DuplicateKeyError):
            c.update_one({"_id": 4}, {"$set": {"org": 2, "n": 11}})
        c.delete_one({"_id": 11})
        c.update_one({"_id": 4}, {"$set": {"org": 2, "n": 11}})
        assert keys_examined({"org": 2, "n": 11}) == 1
        res = client.uq.command("validate", "people")
        assert res["valid"] is True, res
        assert res["keysPerIndex"]["email_1"] == 30
        assert res["keysPerIndex"]["tags_1"] == 59  # 29 documents x 2 tags, null for _id 101
        client.close()
    finally:
        d.stop()
        d.cleanup()


def test_reindex_rebuilds_every_index_in_place(db):
    c = db.re
    c.create_index([("email", 1)], unique=True)
    c.create_index([("tags", 1), ("n", -1)], name="tags_n")
    c.create_index([("at", 1)], expireAfterSeconds=3600, sparse=True)
    c.insert_many([{"_id": i, "email": "u%d@x" % i, "tags": ["a%d" % (i % 3), "b"], "n": i}
                   for i in range(50)])
    before = list(c.list_indexes())
    res = db.command("reIndex", "re")
    assert res["ok"] == 1.0
    assert res["nIndexesWas"] == 4 and res["nIndexes"] == 4
    assert [s["name"] for s in res["indexes"]] == ["_id_", "email_1", "tags_n", "at_1"]
    assert [dict(s) for s in res["indexes"]] == [dict(s) for s in before]
    assert [dict(s) for s in c.list_indexes()] == [dict(s) for s in before]
    # Every index answers as before: unique rule, multikey compound bounds, validate.
    with pytest.raises(DuplicateKeyError):
        c.insert_one({"_id": 100, "email": "u3@x"})
    assert [d["_id"] for d in c.find({"tags": "a1"}).sort("n", -1).limit(2)] == [49, 46]
    plan = c.find({"email": "u9@x"}).explain()
    assert winning_stages(plan["queryPlanner"]["winningPlan"])[-1] == "IXSCAN"
    assert plan["executionStats"]["totalKeysExamined"] == 1
    v = db.command("validate", "re")
    assert v["valid"] is True and v["keysPerIndex"]["tags_n"] == 100, v
    with pytest.raises(OperationFailure) as e:
        db.command("reIndex", "absent")
    assert e.value.code == 26
    with pytest.raises(OperationFailure) as e:
        db.command("reIndex", "re", bogus=1)
    assert e.value.code == 40415


def test_collmod_converts_an_index_to_unique(db):
    c = db.conv
    c.create_index([("sku", 1)])
    c.insert_many([{"_id": i, "sku": "s%d" % (i % 40)} for i in range(50)])
    db.command("collMod", "conv", index={"keyPattern": {"sku": 1}, "prepareUnique": True})
    with pytest.raises(DuplicateKeyError):
        c.insert_one({"_id": 100, "sku": "s1"})
    with pytest.raises(OperationFailure) as e:
        db.command("collMod", "conv", index={"name": "sku_1", "unique": True})
    assert e.value.code == 359
    assert len(e.value.details["violations"]) == 10
    c.delete_many({"_id": {"$gte": 40}})
    res = db.command("collMod", "conv", index={"name": "sku_1", "unique": True})
    assert res["unique_new"] is True
    spec = {s["name"]: s for s in c.list_indexes()}["sku_1"]
    assert spec["unique"] is True and "prepareUnique" not in spec
    # The converted index reads an equality with one point read, as one created unique.
    ex = c.find({"sku": "s7"}).explain()["executionStats"]
    assert ex["nReturned"] == 1 and ex["totalKeysExamined"] == 1
    with pytest.raises(DuplicateKeyError):
        c.insert_one({"_id": 101, "sku": "s7"})
    v = db.command("validate", "conv")
    assert v["valid"] is True and v["keysPerIndex"]["sku_1"] == 40, v


def test_queries_use_indexes_and_agree(db):
    c = db.q
    c.insert_many([{"_id": i, "a": i % 10, "b": i, "tags": [i % 3, i % 5]} for i in range(200)])
    c.create_index([("a", 1), ("b", -1)])
    c.create_index([("tags", 1)])
    docs = list(c.find({"a": 3}).sort("b", -1).limit(5))
    assert [d["_id"] for d in docs] == [193, 183, 173, 163, 153]
    plan = c.find({"a": 3}).sort("b", -1).limit(5).explain()
    stages = winning_stages(plan["queryPlanner"]["winningPlan"])
    assert "IXSCAN" in stages and "SORT" not in stages
    assert plan["executionStats"]["totalKeysExamined"] <= 6
    assert c.count_documents({"tags": 4}) == len([i for i in range(200) if i % 5 == 4 or i % 3 == 4])
    assert sorted(c.distinct("a", {"b": {"$lt": 30}})) == list(range(10))
    covered = c.find({"a": {"$gt": 7}}, {"a": 1, "b": 1, "_id": 0}).explain()
    assert winning_stages(covered["queryPlanner"]["winningPlan"])[0] == "PROJECTION_COVERED"
    assert covered["executionStats"]["totalDocsExamined"] == 0
    with pytest.raises(OperationFailure) as e:
        list(c.find({"a": 1}).hint("nope"))
    assert e.value.code == 2
    # Writes through the planner.
    assert c.update_many({"a": 1}, {"$set": {"x": 1}}).modified_count == 20
    assert c.delete_many({"tags": 0, "a": 0}).deleted_count == len(
        [i for i in range(200) if i % 10 == 0 and (i % 3 == 0 or i % 5 == 0)])
    assert c.find_one_and_update({"a": 2}, {"$inc": {"b": 1000}}, sort=[("b", -1)])["_id"] == 192


def test_unique_build_failure_leaves_nothing(db):
    c = db.dups
    c.insert_many([{"_id": i, "k": i % 50} for i in range(100)])
    with pytest.raises(OperationFailure) as e:
        c.create_index([("k", 1)], unique=True)
    assert e.value.code == 11000
    assert [s["name"] for s in c.list_indexes()] == ["_id_"]
    assert c.count_documents({}) == 100
    stats = db.command("collStats", "dups")
    assert stats["nindexes"] == 1


def test_compact_frees_deleted_data_and_keeps_the_rest(db):
    c = db.compacted
    c.create_index("k")
    pad = "p" * 2000  # incompressible enough: a random-ish tail per document
    for start in range(0, 6000, 1000):
        c.insert_many([{"_id": i, "k": i % 97, "pad": pad + str(i * 7919)}
                       for i in range(start, start + 1000)])
    c.delete_many({"_id": {"$gte": 100}})
    reply = db.command("compact", "compacted")
    assert reply["ok"] == 1.0
    assert isinstance(reply["bytesFreed"], int) and reply["bytesFreed"] > 0
    # What is left is intact, through the collection and through the index.
    assert c.count_documents({}) == 100
    assert sorted(d["_id"] for d in c.find({"k": 5}, hint="k_1")) == [5]
    assert c.find_one({"_id": 99})["pad"] == pad + str(99 * 7919)
    # A second compact has (almost) nothing left to free, and still answers a number.
    assert isinstance(db.command("compact", "compacted")["bytesFreed"], int)

    with pytest.raises(OperationFailure) as e:
        db.command("compact", "missing")
    assert e.value.code == 26
    with pytest.raises(OperationFailure) as e:
        db.command({"compact": "compacted", "bogus": 1})
    assert e.value.code == 40415
    assert db.command({"compact": "compacted", "force": True})["ok"] == 1.0


def test_server_status_reports_the_storage_engine(db, client):
    db.metrics.insert_many([{"_id": i, "pad": "x" * 1000} for i in range(2000)])
    db.command("compact", "metrics")  # flushes the memtable: at least one SST file exists
    rocks = client.admin.command("serverStatus")["rocksdb"]
    assert rocks["block-cache-capacity"] == 256 << 20  # the default cacheSizeGB (0.25)
    assert 0 < rocks["block-cache-usage"] <= rocks["block-cache-capacity"]
    assert rocks["compaction-pending"] in (0, 1) and rocks["background-errors"] == 0
    assert rocks["estimate-num-keys"] >= 2000
    assert len(rocks["num-files-at-level"]) == 7 and sum(rocks["num-files-at-level"]) >= 1
    assert rocks["total-sst-files-size"] > 0


def test_ttl_deletes_expired_documents():
    d = Ddsd(extra_args=["--setParameter", "ttlMonitorSleepSecs=1"]).start()
    try:
        client = pymongo.MongoClient(d.uri, serverSelectionTimeoutMS=5000)
        c = client.ttl.events
        old = datetime.datetime.utcnow() - datetime.timedelta(hours=1)
        new = datetime.datetime.utcnow() + datetime.timedelta(hours=1)
        c.insert_many([{"_id": 1, "at": old}, {"_id": 2, "at": new}, {"_id": 3, "at": "never"},
                       {"_id": 4, "at": [new, old]}])
        c.create_index([("at", 1)], expireAfterSeconds=0)
        deadline = time.time() + 15
        while time.time() < deadline and c.count_documents({}) != 2:
            time.sleep(0.2)
        assert sorted(doc["_id"] for doc in c.find()) == [2, 3]
        client.close()
    finally:
        d.stop()
        d.cleanup()


def test_crash_during_index_build_leaves_no_or_complete_index():
    d = Ddsd().start()
    try:
        client = pymongo.MongoClient(d.uri, serverSelectionTimeoutMS=5000)
        c = client.crash.big
        pad = "x" * 500
        for start in range(0, 200000, 10000):
            c.insert_many([{"_id": i, "k": i, "pad": pad} for i in range(start, start + 10000)],
                          ordered=False)

        kill9_during(d, lambda: c.create_index([("k", 1)]))
        client.close()
        d.restart()
        client = pymongo.MongoClient(d.uri, serverSelectionTimeoutMS=5000)
        c = client.crash.big
        names = [s["name"] for s in c.list_indexes()]
        assert names in (["_id_"], ["_id_", "k_1"])
        if "k_1" in names:
            assert c.count_documents({"k": {"$gte": 0}}, hint="k_1") == 200000
        c.create_index([("k", 1)])
        assert c.count_documents({"k": {"$gte": 0}}, hint="k_1") == 200000
        client.close()
    finally:
        d.stop()
        d.cleanup()


def test_crash_during_reindex_leaves_the_old_or_the_new_indexes():
    d = Ddsd().start()
    try:
        client = pymongo.MongoClient(d.uri, serverSelectionTimeoutMS=5000)
        c = client.crash.re
        c.create_index([("k", 1)], unique=True)
        c.create_index([("g", 1)])
        pad = "x" * 300
        for start in range(0, 200000, 10000):
            c.insert_many([{"_id": i, "k": i, "g": i % 7, "pad": pad}
                           for i in range(start, start + 10000)], ordered=False)
        before = [dict(s) for s in c.list_indexes()]

        kill9_during(d, lambda: client.crash.command("reIndex", "re"))
        client.close()
        d.restart()
        client = pymongo.MongoClient(d.uri, serverSelectionTimeoutMS=5000)
        c = client.crash.re
        assert [dict(s) for s in c.list_indexes()] == before
        v = client.crash.command("validate", "re")
        assert v["valid"] is True, v
        assert v["keysPerIndex"] == {"_id_": 200000, "k_1": 200000, "g_1": 200000}
        with pytest.raises(DuplicateKeyError):
            c.insert_one({"_id": -1, "k": 5})
        assert c.count_documents({"g": 3}, hint="g_1") == len(range(3, 200000, 7))
        client.close()
    finally:
        d.stop()
        d.cleanup()


def fill(db, name, n):
    """n documents {_id: i, a: i, s: "x<i>"} made server-side ($documents, $range, $out)."""
    list(db.aggregate([
        {"$documents": [{}]},
        {"$project": {"a": {"$range": [0, n]}}},
        {"$unwind": "$a"},
        {"$project": {"_id": "$a", "a": "$a", "s": {"$concat": ["x", {"$toString": "$a"}]}}},
        {"$out": name},
    ]))


def catch_running(client, action, is_target, on_seen=None, before_retry=None, attempts=3):
    """Runs `action` in a thread until its operation shows in currentOp (is_target(op)), then
    on_seen(op) if given, and returns (the op as currentOp showed it, the action's error or None).
    An action that ended before it was seen is retried after before_retry() (a loaded machine)."""
    for _ in range(attempts):
        outcome = {}

        def run():
            try:
                action()
            except OperationFailure as e:
                outcome["error"] = e

        t = threading.Thread(target=run)
        t.start()
        seen = None
        while t.is_alive() and seen is None:
            for op in client.admin.command("currentOp")["inprog"]:
                if is_target(op):
                    seen = op
                    if on_seen:
                        on_seen(op)
                    break
            time.sleep(0.002)
        t.join(60)
        if seen is not None:
            return seen, outcome.get("error")
        if before_retry:
            before_retry()
    pytest.fail("the operation always ended before currentOp showed it")


def kill_op(client):
    return lambda op: client.admin.command("killOp", op=op["opid"])


def building(coll_name):
    return lambda op: op.get("command", {}).get("createIndexes") == coll_name


TWO_INDEXES = [{"key": {"s": 1}, "name": "s_1"}, {"key": {"a": -1, "s": 1}, "name": "a_-1_s_1"}]


def filled_for_build(db, name, n=300000):
    """Fills db.name with n documents (fill) and returns (the collection, a function that builds
    TWO_INDEXES on it)."""
    fill(db, name, n)
    return db[name], lambda: db.command("createIndexes", name, indexes=TWO_INDEXES)


def test_kill_op_stops_an_index_build_and_leaves_nothing(db, client):
    coll, build = filled_for_build(db, "killed_build")

    _, err = catch_running(client, build, building("killed_build"), on_seen=kill_op(client),
                           before_retry=lambda: coll.drop_indexes())
    assert err is not None and err.code == 11601, err
    assert sorted(coll.index_information()) == ["_id_"]
    assert db.command("validate", "killed_build")["valid"] is True
    # Nothing was left behind: the same build runs to the end afterwards.
    build()
    assert sorted(coll.index_information()) == ["_id_", "a_-1_s_1", "s_1"]
    assert coll.find_one({"s": "x123"}, {"_id": 1}) == {"_id": 123}
    assert db.command("validate", "killed_build")["nIndexes"] == 3


def test_kill_op_stops_a_collection_scan(db, client):
    fill(db, "killed_scan", 300000)

    def scan():
        # A blocking sort over every document: nothing is returned before the whole scan.
        return list(db.killed_scan.find({"s": {"$regex": "^x"}}).sort("s", -1).limit(1))

    _, err = catch_running(client, scan,
                           lambda op: op.get("command", {}).get("find") == "killed_scan",
                           on_seen=kill_op(client))
    assert err is not None and err.code == 11601, err
    assert db.killed_scan.count_documents({}) == 300000


def test_current_op_shows_how_far_an_index_build_got(db, client):
    coll, build = filled_for_build(db, "watched_build")

    def scanning(op):
        return building("watched_build")(op) and "progress" in op

    op, err = catch_running(client, build, scanning, before_retry=lambda: coll.drop_indexes())
    assert err is None
    progress = op["progress"]
    assert progress["total"] == 300000
    assert 0 <= progress["done"] <= 300000
    assert op["msg"] == "Index Build: scanning collection: %d/300000 %d%%" % (
        progress["done"], progress["done"] * 100 // 300000)
    assert sorted(coll.index_information()) == ["_id_", "a_-1_s_1", "s_1"]


def scanning_build_of(coll_name):
    # Progress shows once the build's indexes are in the catalog and the scan runs.
    return lambda op: building(coll_name)(op) and "progress" in op


@pytest.mark.parametrize("index", [["s_1", "a_-1_s_1"], ["a_-1_s_1", "s_1"], "*"])
def test_dropping_the_indexes_being_built_aborts_the_build(db, client, index):
    coll, build = filled_for_build(db, "aborted_build")
    coll.create_index([("a", 1)])
    dropped = {}

    def drop(op):
        dropped["reply"] = db.command("dropIndexes", "aborted_build", index=index)

    _, err = catch_running(client, build, scanning_build_of("aborted_build"), on_seen=drop,
                           before_retry=lambda: db.command("dropIndexes", "aborted_build",
                                                           index=["s_1", "a_-1_s_1"]))
    # mongod's answers: the build's client learns why it stopped; the drop succeeds.
    assert err is not None and err.code == 276, err
    assert err.details["codeName"] == "IndexBuildAborted"
    assert "dropIndexes command" in err.details["errmsg"]
    assert dropped["reply"]["ok"] == 1
    assert dropped["reply"]["nIndexesWas"] == 4
    expected = ["_id_"] if index == "*" else ["_id_", "a_1"]
    assert sorted(coll.index_information()) == expected
    assert db.command("validate", "aborted_build")["valid"] is True
    build()
    assert sorted(coll.index_information()) == sorted(expected + ["a_-1_s_1", "s_1"])
    assert coll.find_one({"s": "x123"}, {"_id": 1}) == {"_id": 123}


def test_dropping_part_of_a_build_is_refused_and_the_build_goes_on(db, client):
    coll, build = filled_for_build(db, "partly_dropped")
    refused = {}

    def drop_one(op):
        with pytest.raises(OperationFailure) as e:
            db.command("dropIndexes", "partly_dropped", index="s_1")
        refused["error"] = e.value

    _, err = catch_running(client, build, scanning_build_of("partly_dropped"), on_seen=drop_one,
                           before_retry=lambda: coll.drop_indexes())
    assert err is None
    assert refused["error"].code == 27
    assert refused["error"].details["errmsg"] == "can't drop unfinished index with name: s_1"
    assert sorted(coll.index_information()) == ["_id_", "a_-1_s_1", "s_1"]


@pytest.mark.parametrize("how", ["drop", "dropDatabase", "renameCollection"])
def test_dropping_the_collection_aborts_its_index_builds(client, how):
    db = client["abort_on_" + how.lower()]
    db.client.drop_database(db.name)
    fill(db, "victim", 300000)

    def build():
        return db.command("createIndexes", "victim", indexes=TWO_INDEXES)

    def drop(op):
        if how == "drop":
            db.drop_collection("victim")
        elif how == "dropDatabase":
            db.client.drop_database(db.name)
        else:
            db.other.insert_one({"_id": 1})
            client.admin.command("renameCollection", db.name + ".other",
                                 to=db.name + ".victim", dropTarget=True)

    _, err = catch_running(client, build, scanning_build_of("victim"), on_seen=drop,
                           before_retry=lambda: db.victim.drop_indexes())
    assert err is not None and err.code == 276, err
    if how == "renameCollection":
        assert list(db.victim.find()) == [{"_id": 1}]
        assert sorted(db.victim.index_information()) == ["_id_"]
    else:
        assert "victim" not in db.list_collection_names()
    # The same names build on a new collection from scratch.
    db.drop_collection("victim")
    fill(db, "victim", 1000)
    build()
    assert db.command("validate", "victim")["keysPerIndex"] == {
        "_id_": 1000, "s_1": 1000, "a_-1_s_1": 1000}
    client.drop_database(db.name)


def test_writers_go_on_while_an_index_is_built(db, client):
    coll, build = filled_for_build(db, "busy_build")
    during = {}

    def early_in_the_scan(op):
        return scanning_build_of("busy_build")(op) and op["progress"]["done"] < 150000

    def write(op):
        coll.update_one({"_id": 5}, {"$set": {"s": "moved"}})  # scanned already, or not
        coll.update_one({"_id": 299990}, {"$set": {"s": "moved too"}})
        coll.delete_one({"_id": 6})
        coll.insert_one({"_id": -1, "a": -1, "s": "new"})
        ops = client.admin.command("currentOp")["inprog"]
        during["still_building"] = any(building("busy_build")(o) for o in ops)

    _, err = catch_running(client, build, early_in_the_scan, on_seen=write,
                           before_retry=lambda: coll.drop_indexes())
    assert err is None
    assert during["still_building"], "the writes waited for the build"
    v = db.command("validate", "busy_build")
    assert v["valid"] is True, v
    assert v["keysPerIndex"] == {"_id_": 300000, "s_1": 300000, "a_-1_s_1": 300000}
    for s, ids in [("moved", [5]), ("x5", []), ("x6", []), ("new", [-1]),
                   ("moved too", [299990]), ("x299990", []), ("x7", [7])]:
        assert [d["_id"] for d in coll.find({"s": s}, {"_id": 1}).hint("s_1")] == ids, s
    assert [d["_id"] for d in coll.find({"a": -1}, {"_id": 1}).hint("a_-1_s_1")] == [-1]


def test_creating_an_index_being_built_waits_for_that_build(db, client):
    coll, build = filled_for_build(db, "joined_build")
    second = {}

    def build_again(op):
        second["reply"] = db.command("createIndexes", "joined_build", indexes=TWO_INDEXES[:1])
        # It returned once the first build was complete: the index is ready and listed.
        second["listed"] = sorted(coll.index_information())

    _, err = catch_running(client, build, scanning_build_of("joined_build"), on_seen=build_again,
                           before_retry=lambda: coll.drop_indexes())
    assert err is None
    assert second["reply"]["note"] == "all indexes already exist"
    assert second["reply"]["numIndexesBefore"] == second["reply"]["numIndexesAfter"] == 3
    assert second["listed"] == ["_id_", "a_-1_s_1", "s_1"]


def test_an_index_built_under_random_writes_matches_its_documents(db, client):
    """Writers update (scalars and arrays), delete and insert on three connections for the whole
    build; afterwards validate finds every entry right, and index and collection scans agree."""
    import random
    fill(db, "stormy_build", 200000)
    stop = threading.Event()
    counts = []
    errors = []

    def writer(seed):
        rng = random.Random(seed)
        c = pymongo.MongoClient(client.address[0], client.address[1]).get_database(db.name)
        coll = c.stormy_build
        n = 0
        try:
            while not stop.is_set():
                i = rng.randrange(200000)
                op = rng.randrange(5)
                if op == 0:
                    coll.update_one({"_id": i}, {"$set": {"a": rng.randrange(1000)}})
                elif op == 1:
                    coll.update_one({"_id": i}, {"$set": {"s": "y%d" % rng.randrange(1000)}})
                elif op == 2:
                    coll.update_one({"_id": i}, {"$set": {"a": [rng.randrange(1000), -i]}})
                elif op == 3:
                    coll.delete_one({"_id": i})
                else:
                    coll.insert_one({"_id": 1000000 * (seed + 1) + n, "a": rng.randrange(1000),
                                     "s": "z%d" % n})
                n += 1
        except Exception as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)
        finally:
            counts.append(n)
            c.client.close()

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(3)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.2)
        db.command("createIndexes", "stormy_build", indexes=TWO_INDEXES)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    assert not errors, errors
    assert sum(counts) > 100, counts
    v = db.command("validate", "stormy_build")
    assert v["valid"] is True, v
    total = db.stormy_build.count_documents({})
    assert v["keysPerIndex"]["s_1"] == total
    coll = db.stormy_build
    for s in ["x5", "x77777", "y1", "y500", "z3"]:
        by_index = sorted(d["_id"] for d in coll.find({"s": s}, {"_id": 1}).hint("s_1"))
        by_scan = sorted(d["_id"] for d in coll.find({"s": s}, {"_id": 1}).hint([("$natural", 1)]))
        assert by_index == by_scan, s
    for a in [3, 999, -5]:
        by_index = sorted(d["_id"] for d in coll.find({"a": a}, {"_id": 1}).hint("a_-1_s_1"))
        by_scan = sorted(d["_id"] for d in coll.find({"a": a}, {"_id": 1}).hint([("$natural", 1)]))
        assert by_index == by_scan, a


def test_lookup_finds_what_a_find_finds_through_an_index_or_a_hash(db):
    """$lookup probes an index on the foreign field when one serves the equality (mongod's indexed
    loop join), else hashes one scan of the foreign collection by the field's values (hash join);
    either way each input document gets what a collection-scan find of its equality returns."""
    import random
    from bson.decimal128 import Decimal128
    from bson.int64 import Int64
    rng = random.Random(5)
    atoms = [1, 1.0, Int64(1), Decimal128("1"), 2, 2.5, "a", "A", None, True, 0, -0.0, {"x": 1},
             {"x": 1.0}, [], [1, 2], [[1, 2]], [None], {"b": 1}, [{"b": 1}, {"b": [2, 3]}],
             [{"c": 1}], [1, {"b": 2}], [3, "a"]]
    foreign = []
    for i in range(300):
        doc = {"_id": i, "k": i % 7}
        r = rng.random()
        if r < 0.45:
            doc["f"] = rng.choice(atoms)
        elif r < 0.9:
            doc["a"] = rng.choice(atoms)
        foreign.append(doc)
    db.lookup_indexed.insert_many(foreign)
    for key in ["f", "a.b", "a"]:
        db.lookup_indexed.create_index(key)
    db.lookup_plain.insert_many(foreign)
    local = [{"_id": i, "l": v} for i, v in enumerate(atoms)] + [{"_id": 100}, {"_id": 101, "l": 35}]
    db.lookup_local.insert_many(local)

    def run(frm, foreign_field, extra=None):
        stage = {"from": frm, "localField": "l", "foreignField": foreign_field, "as": "m"}
        stage.update(extra or {})
        out = db.lookup_local.aggregate([{"$lookup": stage}, {"$sort": {"_id": 1}}])
        return [(d["_id"], sorted(m["_id"] for m in d["m"])) for d in out]

    def expected(foreign_field, extra_filter=None):
        out = []
        for d in local:
            l = d.get("l")
            values = l if isinstance(l, list) else [l]
            if not values:
                out.append((d["_id"], []))
                continue
            q = {"$or": [{foreign_field: {"$eq": v}} for v in values]}
            if extra_filter:
                q = {"$and": [q, extra_filter]}
            found = db.lookup_plain.find(q, {"_id": 1}).hint([("$natural", 1)])
            out.append((d["_id"], sorted(f["_id"] for f in found)))
        return out

    for field in ["f", "a.b", "a", "a.c", "a.0", "_id"]:
        want = expected(field)
        assert run("lookup_plain", field) == want, field
        assert run("lookup_indexed", field) == want, field
    assert any(len(ids) > 3 for _, ids in expected("f"))  # values do match across types
    assert dict(run("lookup_plain", "_id"))[101] == [35]
    # The concise form with a sub-pipeline.
    sub = {"pipeline": [{"$match": {"k": {"$gte": 2}}}]}
    want = expected("f", {"k": {"$gte": 2}})
    assert run("lookup_indexed", "f", sub) == want
    assert run("lookup_plain", "f", sub) == want
    stats = {s["name"]: s["accesses"]["ops"]
             for s in db.lookup_indexed.aggregate([{"$indexStats": {}}])}
    assert stats["f_1"] > 0 and stats["a.b_1"] > 0


def test_lookup_with_an_expr_equality_pipeline_finds_what_the_pipeline_finds(db):
    """The let/pipeline form whose $match starts with $expr {$eq: ["$f", "$$v"]} probes an index
    on f (or a hash of one scan) for candidates; the sub-pipeline still decides."""
    from bson.int64 import Int64
    values = [1, 1.0, Int64(1), 2, "a", None, [1, 2], {"x": 1}, True, [], [None]]
    foreign = [{"_id": i, "f": values[i % len(values)], "k": i % 3} for i in range(120)]
    foreign += [{"_id": 500 + i, "k": i} for i in range(5)]  # no f
    db.xl_indexed.insert_many(foreign)
    db.xl_indexed.create_index("f")
    db.xl_plain.insert_many(foreign)
    local = [{"_id": i, "l": v} for i, v in enumerate(values)] + [{"_id": 99}]
    db.xl_local.insert_many(local)
    for match in [{"$expr": {"$eq": ["$f", "$$v"]}},
                  {"$expr": {"$and": [{"$eq": ["$$v", "$f"]}, {"$gte": ["$k", 1]}]}},
                  {"$expr": {"$eq": ["$f", "$$v"]}, "k": {"$lt": 2}}]:
        pipeline = [{"$match": match}, {"$project": {"_id": 1}}]

        def run(frm):
            out = db.xl_local.aggregate([
                {"$lookup": {"from": frm, "let": {"v": "$l"}, "pipeline": pipeline, "as": "m"}},
                {"$sort": {"_id": 1}}])
            return [(d["_id"], sorted(m["_id"] for m in d["m"])) for d in out]

        want = []
        for d in local:
            bound = {"$literal": d.get("l")}
            sub = [{"$match": {"$expr": {"$let": {"vars": {"v": bound}, "in": match["$expr"]}}}}]
            if "k" in match:
                sub.append({"$match": {"k": match["k"]}})
            want.append((d["_id"], sorted(f["_id"] for f in db.xl_plain.aggregate(sub))))
        assert run("xl_plain") == want, match
        assert run("xl_indexed") == want, match
    stats = {s["name"]: s["accesses"]["ops"] for s in db.xl_indexed.aggregate([{"$indexStats": {}}])}
    assert stats["f_1"] > 0


def test_graph_lookup_by_hash_follows_the_graph(db):
    """$graphLookup finds each level's documents through a hash of connectToField's values; the
    result is the breadth-first search a direct reading of the documents gives."""
    import random
    rng = random.Random(11)
    names = list(range(40)) + ["n%d" % i for i in range(40)]
    nodes = []
    for i in range(300):
        name = rng.choice(names)
        parent = rng.choice(names) if rng.random() < 0.7 else [rng.choice(names), rng.choice(names)]
        nodes.append({"_id": i, "name": [name, float(i % 3)] if i % 10 == 0 else name,
                      "parent": parent})
    db.graph_nodes.insert_many(nodes)
    starts = [{"_id": i, "s": rng.choice(names)} for i in range(30)]
    db.graph_starts.insert_many(starts)

    def values(v):
        return v if isinstance(v, list) else [v]

    def bfs(start, max_depth):
        found, frontier, depth = {}, values(start), 0
        while frontier and (max_depth is None or depth <= max_depth):
            nxt = []
            for n in nodes:
                if n["_id"] not in found and any(v in values(n["name"]) for v in frontier):
                    found[n["_id"]] = depth
                    nxt.extend(values(n["parent"]))
            frontier, depth = nxt, depth + 1
        return sorted(found.items())

    for max_depth in [None, 0, 2]:
        stage = {"from": "graph_nodes", "startWith": "$s", "connectFromField": "parent",
                 "connectToField": "name", "as": "g", "depthField": "d"}
        if max_depth is not None:
            stage["maxDepth"] = max_depth
        out = db.graph_starts.aggregate([{"$graphLookup": stage}, {"$sort": {"_id": 1}}])
        got = [(d["_id"], sorted((g["_id"], g["d"]) for g in d["g"])) for d in out]
        assert got == [(s["_id"], bfs(s["s"], max_depth)) for s in starts], max_depth
        assert sum(len(g) for _, g in got) > 100
