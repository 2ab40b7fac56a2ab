"""The $collStats and $indexStats aggregation stages with pymongo 3.11 (shapes of mongod 7.0's
document_source_coll_stats.cpp / CommonMongodProcessInterface::getIndexStats; usage counting as
jstests/core/index_stats.js checks it: finds, updates, deletes, findAndModify, count, distinct and
aggregate tick the index their executed plan used; explain does not).
"""
import datetime

import pytest
from bson import Int64
from pymongo.errors import OperationFailure

from ddsd_launcher import AUTH_ROOT_PWD, AUTH_ROOT_USER, connect


def index_stats(coll):
    return {d["name"]: d for d in coll.aggregate([{"$indexStats": {}}])}


def ops(coll, name):
    doc = index_stats(coll).get(name)
    return None if doc is None else doc["accesses"]["ops"]


def agg_error(db, pipeline, coll="c"):
    with pytest.raises(OperationFailure) as ei:
        db.command("aggregate", coll, pipeline=pipeline, cursor={})
    return ei.value


def test_index_stats_shape(db, ddsd):
    c = db.c
    c.insert_many([{"a": i, "b": i} for i in range(5)])
    c.create_index([("a", 1)], name="a_1")
    c.create_index([("b", -1), ("a", 1)], name="b_-1_a_1", sparse=True)
    docs = list(c.aggregate([{"$indexStats": {}}]))
    assert [d["name"] for d in docs] == ["_id_", "a_1", "b_-1_a_1"]
    for d in docs:
        assert list(d.keys()) == ["name", "key", "host", "accesses", "spec"]
        assert d["host"].endswith(":%d" % ddsd.port)
        assert list(d["accesses"].keys()) == ["ops", "since"]
        assert isinstance(d["accesses"]["ops"], Int64)
        assert d["accesses"]["ops"] == 0
        assert isinstance(d["accesses"]["since"], datetime.datetime)
        assert d["spec"]["name"] == d["name"]
        assert d["spec"]["key"] == d["key"]
    assert docs[1]["key"] == {"a": 1}
    assert docs[2]["spec"]["sparse"] is True
    # A new index counts from its creation.
    created = docs[1]["accesses"]["since"]
    assert created >= docs[0]["accesses"]["since"]


def test_index_stats_counts_executed_plans_not_explain(db):
    c = db.c
    c.insert_many([{"_id": i, "a": i, "b": i % 3} for i in range(50)])
    c.create_index([("a", 1)], name="a_1")
    c.create_index([("b", 1)], name="b_1")
    assert ops(c, "a_1") == 0

    c.find_one({"a": 3})
    assert ops(c, "a_1") == 1
    list(c.find({"a": {"$gt": 10}}).batch_size(2))  # getMore continues the same execution
    assert ops(c, "a_1") == 2
    # explain (any verbosity) never counts.
    c.find({"a": 4}).explain()
    db.command("explain", {"find": "c", "filter": {"a": 4}}, verbosity="executionStats")
    db.command("explain", {"count": "c", "query": {"a": 4}})
    db.command("aggregate", "c", pipeline=[{"$match": {"a": 4}}], explain=True)
    assert ops(c, "a_1") == 2
    # count (COUNT_SCAN), distinct, aggregate, update, delete, findAndModify.
    assert c.count_documents({"a": {"$lt": 5}}) == 5
    assert ops(c, "a_1") == 3
    assert db.command("count", "c", query={"a": 7})["n"] == 1
    assert ops(c, "a_1") == 4
    assert c.distinct("b", {"b": 1}) == [1]
    assert ops(c, "b_1") == 1
    assert len(list(c.aggregate([{"$match": {"a": {"$in": [1, 2]}}}]))) == 2
    assert ops(c, "a_1") == 5
    c.update_one({"a": 8}, {"$set": {"x": 1}})
    assert ops(c, "a_1") == 6
    c.delete_one({"a": 9})
    assert ops(c, "a_1") == 7
    c.find_one_and_update({"a": 10}, {"$set": {"x": 2}})
    assert ops(c, "a_1") == 8
    # An $or over two indexes ticks both.
    c.find_one({"$or": [{"a": 20}, {"b": 2}]})
    stats = index_stats(c)
    assert stats["a_1"]["accesses"]["ops"] == 9
    assert stats["b_1"]["accesses"]["ops"] == 2
    # A collection scan ticks no index; point lookups by _id tick _id_ (mongod's IDHACK).
    assert ops(c, "_id_") == 0
    c.find_one({"x": 2})
    assert ops(c, "_id_") == 0
    c.find_one({"_id": 5})
    c.update_one({"_id": 6}, {"$set": {"y": 1}})
    c.delete_one({"_id": 7})
    assert ops(c, "_id_") == 3
    # $indexStats itself does not count.
    assert ops(c, "a_1") == 9


def test_index_stats_reset_on_drop_and_hide(db):
    c = db.c
    c.insert_one({"a": 1})
    c.create_index([("a", 1)], name="a_1")
    c.find_one({"a": 1})
    assert ops(c, "a_1") == 1
    # collMod hidden re-registers the index (mongod resets its counter); a hidden index is unused.
    db.command("collMod", "c", index={"name": "a_1", "hidden": True})
    assert ops(c, "a_1") == 0
    assert index_stats(c)["a_1"]["spec"]["hidden"] is True
    c.find_one({"a": 1})
    assert ops(c, "a_1") == 0
    db.command("collMod", "c", index={"name": "a_1", "hidden": False})
    c.find_one({"a": 1})
    assert ops(c, "a_1") == 1
    # Dropped, then recreated: no entry, then a fresh one at 0.
    c.drop_index("a_1")
    assert ops(c, "a_1") is None
    c.create_index([("a", 1)], name="a_1")
    assert ops(c, "a_1") == 0


def test_index_stats_rest_of_pipeline_and_missing_collection(db):
    c = db.c
    c.insert_one({"a": 1})
    c.create_index([("a", 1)], name="a_1")
    c.create_index([("b", 1)], name="b_1")
    c.find_one({"a": 1})
    out = list(c.aggregate([
        {"$indexStats": {}},
        {"$match": {"name": {"$ne": "_id_"}}},
        {"$project": {"_id": 0, "name": 1, "used": "$accesses.ops"}},
        {"$sort": {"name": -1}},
    ]))
    assert out == [{"name": "b_1", "used": 0}, {"name": "a_1", "used": 1}]
    # mongod answers an empty result for a missing collection.
    assert list(db.missing.aggregate([{"$indexStats": {}}])) == []


def test_index_stats_errors(db):
    db.c.insert_one({"a": 1})
    e = agg_error(db, [{"$indexStats": {"x": 1}}])
    assert e.code == 28803
    assert e.details["errmsg"] == "The $indexStats stage specification must be an empty object"
    assert agg_error(db, [{"$indexStats": 1}]).code == 28803
    e = agg_error(db, [{"$match": {}}, {"$indexStats": {}}])
    assert e.code == 40602
    assert e.details["errmsg"] == "$indexStats is only valid as the first stage in a pipeline."
    e = agg_error(db, [{"$facet": {"x": [{"$indexStats": {}}]}}])
    assert e.code == 40600
    e = agg_error(db, [{"$indexStats": {}}, {"$indexStats": {}}])
    assert e.code == 40602
    e = agg_error(db, [{"$collStats": {}}, {"$indexStats": {}}])
    assert e.code == 40602
    # {aggregate: 1} needs a collection for them.
    with pytest.raises(OperationFailure) as ei:
        db.command("aggregate", 1, pipeline=[{"$indexStats": {}}], cursor={})
    assert ei.value.code == 73


def test_coll_stats_shapes(db, ddsd):
    c = db.c
    c.insert_many([{"a": i, "pad": "x" * 100} for i in range(20)])
    c.create_index([("a", 1)], name="a_1")
    doc = list(c.aggregate([{"$collStats": {}}]))
    assert len(doc) == 1
    assert list(doc[0].keys()) == ["ns", "host", "localTime"]
    assert doc[0]["ns"] == db.name + ".c"
    assert doc[0]["host"].endswith(":%d" % ddsd.port)
    assert isinstance(doc[0]["localTime"], datetime.datetime)

    [doc] = c.aggregate([{"$collStats": {
        "latencyStats": {}, "storageStats": {}, "count": {}, "queryExecStats": {}}}])
    assert list(doc.keys()) == ["ns", "host", "localTime", "latencyStats", "storageStats",
                                "count", "queryExecStats"]
    assert list(doc["latencyStats"].keys()) == ["reads", "writes", "commands", "transactions"]
    for kind in doc["latencyStats"].values():
        assert list(kind.keys()) == ["latency", "ops"]
        assert isinstance(kind["latency"], Int64) and isinstance(kind["ops"], Int64)
    # The insert and the earlier aggregate (a read) are counted; createIndexes is a command.
    assert doc["latencyStats"]["writes"]["ops"] == 1
    assert doc["latencyStats"]["reads"]["ops"] == 1
    assert doc["latencyStats"]["commands"]["ops"] == 1
    assert doc["latencyStats"]["transactions"] == {"latency": 0, "ops": 0}
    s = doc["storageStats"]
    assert s["count"] == 20 and doc["count"] == 20
    # Exactly what the collStats command reports after its ns.
    cmd = db.command("collStats", "c")
    assert [k for k in cmd.keys() if k not in ("ns", "ok")] == list(s.keys())
    for k in ("size", "count", "avgObjSize", "nindexes", "capped", "scaleFactor"):
        assert s[k] == cmd[k], k
    assert s["nindexes"] == 2
    assert set(s["indexSizes"].keys()) == {"_id_", "a_1"}
    assert s["size"] > 20 * 100
    assert doc["queryExecStats"] == {"collectionScans": {"total": 0, "nonTailable": 0}}

    # Histograms add an array of the non-empty buckets (mongod's bounds) to each section.
    [doc] = c.aggregate([{"$collStats": {"latencyStats": {"histograms": True}}}])
    writes = doc["latencyStats"]["writes"]
    assert list(writes.keys()) == ["histogram", "latency", "ops"]
    assert len(writes["histogram"]) == 1 and writes["histogram"][0]["count"] == 1
    bounds = [0, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3072, 4096, 6144, 8192, 12288,
              16384, 24576, 32768, 49152, 65536, 98304, 131072, 196608, 262144, 393216, 524288,
              786432, 1048576, 1572864, 2097152, 4194304, 8388608, 16777216]
    assert writes["histogram"][0]["micros"] in bounds
    assert doc["latencyStats"]["transactions"] == {"histogram": [], "latency": 0, "ops": 0}
    # scale divides the sizes.
    [doc] = c.aggregate([{"$collStats": {"storageStats": {"scale": 1024}}}])
    assert doc["storageStats"]["scaleFactor"] == 1024
    assert doc["storageStats"]["size"] == pytest.approx(s["size"] / 1024)


def test_coll_stats_query_exec_stats_count_collection_scans(db):
    c = db.c
    c.insert_many([{"a": i} for i in range(10)])
    c.create_index([("a", 1)], name="a_1")

    def scans():
        [doc] = c.aggregate([{"$collStats": {"queryExecStats": {}}}])
        return doc["queryExecStats"]["collectionScans"]["total"]

    assert scans() == 0
    list(c.find({"b": 1}))
    assert scans() == 1
    c.find_one({"a": 1})       # index scan
    c.find_one({"_id": 1})     # point lookup
    c.find({"b": 2}).explain()  # explain
    assert scans() == 1
    list(c.aggregate([{"$match": {"b": 1}}]))
    assert scans() == 2


def test_coll_stats_latency_counts_and_drop(db):
    c = db.c

    def latency():
        [doc] = c.aggregate([{"$collStats": {"latencyStats": {}}}])
        return {k: v["ops"] for k, v in doc["latencyStats"].items()}

    c.insert_one({"a": 1})                      # write
    c.update_one({"a": 1}, {"$set": {"b": 1}})  # write
    c.find_one({"a": 1})                        # read
    cursor = db.command("find", "c", batchSize=0)  # read
    db.command("getMore", cursor["cursor"]["id"], collection="c")  # read
    c.count_documents({})                       # aggregate: read
    db.command("listIndexes", "c")              # command
    assert latency() == {"reads": 4, "writes": 2, "commands": 1, "transactions": 0}
    # The $collStats aggregate itself counts as a read afterwards.
    assert latency()["reads"] == 5
    c.drop()
    assert latency()["reads"] == 0


def test_coll_stats_rest_of_pipeline(db):
    db.c.insert_many([{"a": i} for i in range(3)])
    out = list(db.c.aggregate([
        {"$collStats": {"count": {}, "storageStats": {}}},
        {"$project": {"_id": 0, "n": "$count", "idx": "$storageStats.nindexes"}},
    ]))
    assert out == [{"n": 3, "idx": 1}]
    out = list(db.c.aggregate([{"$collStats": {}}, {"$match": {"ns": "nope"}}]))
    assert out == []


def test_coll_stats_missing_collection(db):
    # Without sections that need the collection, mongod answers the document anyway.
    [doc] = db.missing.aggregate([{"$collStats": {"latencyStats": {}}}])
    assert doc["ns"] == db.name + ".missing"
    assert doc["latencyStats"]["reads"]["ops"] == 0
    for section in ("storageStats", "count", "queryExecStats"):
        e = agg_error(db, [{"$collStats": {section: {}}}], coll="missing")
        assert e.code == 26, section
        assert e.details["codeName"] == "NamespaceNotFound"
        assert e.details["errmsg"] == (
            "Unable to retrieve %s in $collStats stage :: caused by :: Collection [%s.missing] "
            "not found." % (section, db.name))


def test_coll_stats_errors(db):
    db.c.insert_one({"a": 1})
    e = agg_error(db, [{"$collStats": 1}])
    assert e.code == 5447000
    assert e.details["errmsg"].startswith("$collStats must take a nested object but found: ")
    e = agg_error(db, [{"$collStats": {"bogus": {}}}])
    assert e.code == 40415
    assert e.details["errmsg"] == "BSON field '$collStats.bogus' is an unknown field."
    assert agg_error(db, [{"$collStats": {"count": 1}}]).code == 14
    assert agg_error(db, [{"$collStats": {"latencyStats": {"x": True}}}]).code == 40415
    assert agg_error(db, [{"$collStats": {"storageStats": {"scale": 0}}}]).code == 51024
    # storageStats is not strict: unknown fields are ignored.
    [doc] = db.c.aggregate([{"$collStats": {"storageStats": {"whatever": 1}}}])
    assert doc["storageStats"]["count"] == 1
    e = agg_error(db, [{"$match": {}}, {"$collStats": {}}])
    assert e.code == 40602
    assert e.details["errmsg"] == "$collStats is only valid as the first stage in a pipeline."
    assert agg_error(db, [{"$facet": {"x": [{"$collStats": {}}]}}]).code == 40600
    with pytest.raises(OperationFailure) as ei:
        db.command("aggregate", 1, pipeline=[{"$collStats": {}}], cursor={})
    assert ei.value.code == 73


# ---- authorization ----


def test_stats_stages_authorization(authd):
    with connect(authd, AUTH_ROOT_USER, AUTH_ROOT_PWD) as root:
        root.sdb.c.insert_one({"a": 1})
        root.sdb.command("createUser", "reader", pwd="pw", roles=["read"])
        root.admin.command("createUser", "monitor", pwd="pw", roles=["clusterMonitor"])
    with connect(authd, "reader", "pw", "sdb") as reader, \
            connect(authd, "monitor", "pw", "admin") as monitor:
        # read grants collStats but not indexStats; clusterMonitor grants both, but not find.
        [doc] = reader.sdb.c.aggregate([{"$collStats": {"count": {}}}])
        assert doc["count"] == 1
        with pytest.raises(OperationFailure) as ei:
            list(reader.sdb.c.aggregate([{"$indexStats": {}}]))
        assert ei.value.code == 13
        assert [d["name"] for d in monitor.sdb.c.aggregate([{"$indexStats": {}}])] == ["_id_"]
        [doc] = monitor.sdb.c.aggregate([{"$collStats": {"storageStats": {}}}])
        assert doc["storageStats"]["count"] == 1
        with pytest.raises(OperationFailure) as ei:
            monitor.sdb.c.find_one()
        assert ei.value.code == 13
