"""CRUD through pymongo 3.11 (Debian python3-pymongo) against a real ddsd: connect, insert, find with
filter/sort/projection, getMore across many batches, update, delete, findAndModify, count,
listCollections, drop."""
import datetime
import uuid

import bson
import pymongo
import pytest
from bson.decimal128 import Decimal128
from bson.int64 import Int64
from bson.objectid import ObjectId
from pymongo import monitoring


def test_handshake_and_build_info(client):
    assert client.admin.command("ping")["ok"] == 1.0
    ismaster = client.admin.command("ismaster")
    assert ismaster["ismaster"] is True
    assert ismaster["maxWireVersion"] == 21
    assert ismaster["minWireVersion"] == 0
    assert "topologyVersion" not in ismaster
    assert "setName" not in ismaster
    info = client.server_info()
    assert info["version"].startswith("7.0.")
    assert info["versionArray"][:2] == [7, 0]


def test_insert_and_find_one(db):
    r = db.c.insert_one({"a": 1})
    assert isinstance(r.inserted_id, ObjectId)
    assert db.c.find_one({"_id": r.inserted_id}) == {"_id": r.inserted_id, "a": 1}
    r = db.c.insert_many([{"_id": i, "v": i * 2} for i in range(10)])
    assert r.inserted_ids == list(range(10))
    assert db.c.find_one({"_id": 7})["v"] == 14
    assert db.c.find_one({"_id": 70}) is None


def test_bson_types_round_trip(db):
    doc = {
        "_id": "t",
        "i32": 7,
        "i64": Int64(1 << 40),
        "dbl": 2.25,
        "dec": Decimal128("123.4500"),
        "str": "naïve",
        "bin": b"\x00\x01\x02",  # subtype 0 decodes to bytes in Python 3
        "md5": bson.Binary(b"0123456789abcdef", 5),
        "user": bson.Binary(b"\xff\x00", 0x80),
        "date": datetime.datetime(2024, 1, 2, 3, 4, 5, 678000),
        "ts": bson.Timestamp(1700000000, 3),
        "re": bson.Regex("^ab", "i"),
        "minkey": bson.MinKey(),
        "maxkey": bson.MaxKey(),
        "nul": None,
        "arr": [1, [2, [3]], {"x": None}],
        "sub": {"deep": {"er": True}},
    }
    db.c.insert_one(doc)
    got = db.c.find_one({"_id": "t"})
    assert got == doc
    assert list(got.keys()) == list(doc.keys()), "field order must be kept"
    assert isinstance(got["i64"], Int64)
    # UUID (binary subtype 4): compare the raw bytes, whatever pymongo's UUID representation.
    u = uuid.UUID("0123456789abcdef0123456789abcdef")
    db.c.insert_one({"_id": "u", "u": bson.Binary(u.bytes, 4)})
    raw = db.c.find_one({"_id": "u"})["u"]
    assert (raw.bytes if isinstance(raw, uuid.UUID) else bytes(raw)) == u.bytes


def test_find_filter_sort_projection(db):
    db.c.insert_many([
        {"_id": 1, "a": 5, "b": "x", "arr": [1, 2], "sub": {"k": 1}},
        {"_id": 2, "a": 3, "b": "y", "arr": [3], "sub": {"k": 2}},
        {"_id": 3, "a": 9, "b": "x", "sub": [{"k": 1}, {"k": 3}]},
        {"_id": 4, "a": None, "b": "z"},
        {"_id": 5, "b": "x"},
    ])
    ids = lambda cur: [d["_id"] for d in cur]  # noqa: E731
    assert ids(db.c.find({"a": {"$gte": 5}}).sort("a", pymongo.DESCENDING)) == [3, 1]
    assert ids(db.c.find({"b": {"$ne": "x"}}).sort("_id", 1)) == [2, 4]
    assert ids(db.c.find({"a": {"$in": [3, 9]}}).sort("_id", 1)) == [2, 3]
    assert ids(db.c.find({"a": {"$nin": [3, 9]}}).sort("_id", 1)) == [1, 4, 5]
    assert ids(db.c.find({"a": None}).sort("_id", 1)) == [4, 5]
    assert ids(db.c.find({"a": {"$exists": True}}).sort("_id", 1)) == [1, 2, 3, 4]
    assert ids(db.c.find({"$and": [{"b": "x"}, {"a": {"$lt": 6}}]})) == [1]
    assert ids(db.c.find({"$nor": [{"b": "x"}, {"a": 3}]})) == [4]
    assert ids(db.c.find({"a": {"$not": {"$gt": 4}}}).sort("_id", 1)) == [2, 4, 5]
    assert ids(db.c.find({"arr": 2})) == [1]
    assert ids(db.c.find({"sub.k": 1}).sort("_id", 1)) == [1, 3]
    assert ids(db.c.find({"sub.k": 3})) == [3]
    assert ids(db.c.find().sort([("b", 1), ("_id", -1)])) == [5, 3, 1, 2, 4]
    assert ids(db.c.find().sort("_id", 1).skip(2).limit(2)) == [3, 4]
    assert list(db.c.find({"_id": 1}, {"a": 1})) == [{"_id": 1, "a": 5}]
    assert list(db.c.find({"_id": 1}, {"a": 1, "_id": 0})) == [{"a": 5}]
    assert list(db.c.find({"_id": 1}, {"arr": 0, "sub": 0, "b": 0})) == [{"_id": 1, "a": 5}]
    assert list(db.c.find({"_id": 2}, {"sub.k": 1, "_id": 0})) == [{"sub": {"k": 2}}]


class _GetMoreCounter(monitoring.CommandListener):
    def __init__(self):
        self.get_mores = 0

    def started(self, event):
        if event.command_name == "getMore":
            self.get_mores += 1

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def test_get_more_many_batches(ddsd, db):
    db.c.insert_many([{"_id": i, "pad": "p" * 100} for i in range(1000)])
    counter = _GetMoreCounter()
    c2 = pymongo.MongoClient(ddsd.uri, event_listeners=[counter], serverSelectionTimeoutMS=5000)
    try:
        got = [d["_id"] for d in c2[db.name].c.find().sort("_id", 1).batch_size(10)]
    finally:
        c2.close()
    assert got == list(range(1000))
    assert counter.get_mores >= 99
    # Default first batch (101) then the rest.
    assert len(list(db.c.find({"_id": {"$gte": 500}}))) == 500


def test_cursor_kill(db):
    db.c.insert_many([{"_id": i} for i in range(100)])
    res = db.command("find", "c", batchSize=3)
    cid = res["cursor"]["id"]
    assert isinstance(cid, Int64) and cid != 0
    assert res["cursor"]["ns"] == db.name + ".c"
    assert len(res["cursor"]["firstBatch"]) == 3
    nxt = db.command("getMore", cid, collection="c", batchSize=5)
    assert [d["_id"] for d in nxt["cursor"]["nextBatch"]] == [3, 4, 5, 6, 7]
    killed = db.command("killCursors", "c", cursors=[cid])
    assert killed["cursorsKilled"] == [cid]
    with pytest.raises(pymongo.errors.OperationFailure) as e:
        db.command("getMore", cid, collection="c")
    assert e.value.code == 43


def test_update(db):
    db.c.insert_many([{"_id": 1, "a": 1, "b": 2}, {"_id": 2, "a": 1}, {"_id": 3, "a": 5}])
    r = db.c.update_one({"_id": 1}, {"$set": {"x.y": "z"}, "$unset": {"b": ""}, "$inc": {"a": 2}})
    assert (r.matched_count, r.modified_count) == (1, 1)
    assert db.c.find_one({"_id": 1}) == {"_id": 1, "a": 3, "x": {"y": "z"}}
    r = db.c.update_many({"a": {"$lt": 5}}, {"$inc": {"a": 100}})
    assert (r.matched_count, r.modified_count) == (2, 2)
    r = db.c.replace_one({"_id": 3}, {"only": True})
    assert r.modified_count == 1
    assert db.c.find_one({"_id": 3}) == {"_id": 3, "only": True}
    r = db.c.update_one({"_id": 42}, {"$set": {"u": 1}}, upsert=True)
    assert r.upserted_id == 42
    r = db.c.replace_one({"name": "new"}, {"name": "new", "v": 2}, upsert=True)
    assert isinstance(r.upserted_id, ObjectId)
    assert db.c.count_documents({}) == 5


def test_delete(db):
    db.c.insert_many([{"_id": i, "even": i % 2 == 0} for i in range(10)])
    assert db.c.delete_one({"even": True}).deleted_count == 1
    assert db.c.delete_many({"even": True}).deleted_count == 4
    assert db.c.delete_many({"nothing": 1}).deleted_count == 0
    assert sorted(d["_id"] for d in db.c.find()) == [1, 3, 5, 7, 9]


def test_find_and_modify(db):
    db.c.insert_many([{"_id": 1, "n": 1}, {"_id": 2, "n": 5}])
    from pymongo import ReturnDocument
    assert db.c.find_one_and_update({"_id": 1}, {"$inc": {"n": 1}}) == {"_id": 1, "n": 1}
    assert db.c.find_one_and_update({"_id": 1}, {"$inc": {"n": 1}},
                                    return_document=ReturnDocument.AFTER) == {"_id": 1, "n": 3}
    assert db.c.find_one_and_update({}, {"$set": {"top": True}}, sort=[("n", -1)],
                                    projection={"_id": 1}, return_document=ReturnDocument.AFTER) == {"_id": 2}
    assert db.c.find_one_and_replace({"_id": 2}, {"r": 1}, return_document=ReturnDocument.AFTER) == {"_id": 2, "r": 1}
    assert db.c.find_one_and_update({"_id": 3}, {"$set": {"u": 1}}, upsert=True,
                                    return_document=ReturnDocument.AFTER) == {"_id": 3, "u": 1}
    assert db.c.find_one_and_delete({"_id": 1}) == {"_id": 1, "n": 3}
    assert db.c.find_one_and_delete({"_id": 1}) is None
    raw = db.command("findAndModify", "c", query={"_id": 99}, update={"$set": {"a": 1}}, upsert=True, new=True)
    assert raw["value"] == {"_id": 99, "a": 1}
    assert raw["lastErrorObject"]["updatedExisting"] is False
    assert raw["lastErrorObject"]["upserted"] == 99


def test_counts_and_distinct(db):
    db.c.insert_many([{"_id": i, "g": i % 4, "t": ["a", "b"] if i % 2 else "a"} for i in range(40)])
    assert db.c.count_documents({}) == 40
    assert db.c.count_documents({"g": 3}) == 10
    assert db.c.count_documents({}, skip=35) == 5
    assert db.c.count_documents({}, limit=7) == 7
    assert db.c.estimated_document_count() == 40
    assert db.command("count", "c", query={"g": {"$lte": 1}})["n"] == 20
    assert sorted(db.c.distinct("g")) == [0, 1, 2, 3]
    assert sorted(db.c.distinct("t")) == ["a", "b"]
    assert db.nothere.count_documents({}) == 0


def test_aggregate_count_pipeline(db):
    db.c.insert_many([{"_id": i, "k": i % 3} for i in range(30)])
    res = list(db.c.aggregate([{"$match": {"k": 1}}, {"$group": {"_id": 1, "n": {"$sum": 1}}}]))
    assert res == [{"_id": 1, "n": 10}]
    res = list(db.c.aggregate([{"$match": {}}, {"$skip": 5}, {"$limit": 10}, {"$count": "total"}]))
    assert res == [{"total": 10}]


def test_collections_and_databases(client, db):
    db.create_collection("made")
    db.other.insert_one({"x": 1})
    names = sorted(db.list_collection_names())
    assert names == ["made", "other"]
    info = list(db.list_collections(filter={"name": "made"}))
    assert len(info) == 1 and info[0]["type"] == "collection"
    assert [i["name"] for i in db.other.list_indexes()] == ["_id_"]
    db.other.rename("renamed")
    assert sorted(db.list_collection_names()) == ["made", "renamed"]
    assert db.renamed.find_one({}, {"_id": 0}) == {"x": 1}
    db.drop_collection("made")
    assert db.list_collection_names() == ["renamed"]
    dbs = {d["name"]: d for d in client.list_databases()}
    assert db.name in dbs
    assert "sizeOnDisk" in dbs[db.name] and "empty" in dbs[db.name]
    client.drop_database(db.name)
    assert db.name not in client.list_database_names()


def test_write_errors_and_codes(db):
    db.c.insert_one({"_id": 1})
    with pytest.raises(pymongo.errors.DuplicateKeyError) as e:
        db.c.insert_one({"_id": 1})
    assert e.value.code == 11000
    assert e.value.details["keyPattern"] == {"_id": 1}
    assert e.value.details["keyValue"] == {"_id": 1}
    with pytest.raises(pymongo.errors.BulkWriteError) as e:
        db.c.insert_many([{"_id": 2}, {"_id": 1}, {"_id": 3}], ordered=False)
    details = e.value.details
    assert details["nInserted"] == 2
    assert [w["index"] for w in details["writeErrors"]] == [1]
    with pytest.raises(pymongo.errors.OperationFailure) as e:
        db.command("definitelyNotACommand")
    assert e.value.code == 59
    assert e.value.details["codeName"] == "CommandNotFound"
    with pytest.raises(pymongo.errors.OperationFailure) as e:
        list(db.c.find({"a": {"$nope": 1}}))
    assert e.value.code == 2
    with pytest.raises(pymongo.errors.OperationFailure) as e:
        db.client["x" * 64].c.insert_one({})
    assert e.value.code == 73


def test_write_concern_journal(db):
    wc = pymongo.WriteConcern(w=1, j=True)
    r = db.get_collection("c", write_concern=wc).insert_one({"_id": "j"})
    assert r.acknowledged
    assert db.c.find_one({"_id": "j"}) == {"_id": "j"}
