"""Collection document validation through pymongo 3.11 (compat §2.2/§2.3): the errInfo and
writeErrors shapes a driver sees (mongod 5.0+ DocumentValidationFailure details), bulk writes,
findAndModify's error reply, the warn action's log line (id 20294), the internal-database refusal
and the bypassDocumentValidation privilege under --auth. The per-operator details are covered by
tests/e2e/cases/validation/*.test."""
import json
import time

import pytest

import pymongo
from bson.objectid import ObjectId
from pymongo import InsertOne, ReplaceOne, UpdateOne
from pymongo.errors import BulkWriteError, OperationFailure, WriteError

from ddsd_launcher import AUTH_ROOT_PWD as ROOT_PWD, AUTH_ROOT_USER as ROOT_USER

QTY_DETAILS = {"operatorName": "$gte", "specifiedAs": {"qty": {"$gte": 0}},
               "reason": "comparison failed", "consideredValue": -1}


def make_validated(db, name="c", **options):
    db.create_collection(name, validator={"qty": {"$gte": 0}}, **options)
    return db[name]


def test_insert_many_reports_err_info_per_document(db):
    c = make_validated(db)
    with pytest.raises(BulkWriteError) as e:
        c.insert_many([{"_id": 1, "qty": 1}, {"_id": 2, "qty": -1}, {"_id": 3, "qty": 1}])
    details = e.value.details
    assert details["nInserted"] == 1
    assert len(details["writeErrors"]) == 1
    err = details["writeErrors"][0]
    assert err["index"] == 1
    assert err["code"] == 121
    assert err["errmsg"] == "Document failed validation"
    assert err["errInfo"] == {"failingDocumentId": 2, "details": QTY_DETAILS}
    assert [d["_id"] for d in c.find().sort("_id", 1)] == [1]

    # Unordered: every failing document has its own entry.
    with pytest.raises(BulkWriteError) as e:
        c.insert_many([{"_id": 10, "qty": -1}, {"_id": 11, "qty": 1}, {"_id": 12, "qty": -1}],
                      ordered=False)
    details = e.value.details
    assert details["nInserted"] == 1
    assert [(w["index"], w["errInfo"]["failingDocumentId"]) for w in details["writeErrors"]] == \
        [(0, 10), (2, 12)]


def test_server_generated_id_is_the_failing_document_id(db):
    c = make_validated(db)
    reply = db.command("insert", "c", documents=[{"qty": -1}])
    assert reply["n"] == 0
    info = reply["writeErrors"][0]["errInfo"]
    assert isinstance(info["failingDocumentId"], ObjectId)
    assert info["details"] == QTY_DETAILS
    assert c.count_documents({}) == 0


def test_bulk_write_mixes_inserts_updates_and_replacements(db):
    c = make_validated(db)
    c.insert_one({"_id": 1, "qty": 1})
    with pytest.raises(BulkWriteError) as e:
        c.bulk_write([InsertOne({"_id": 2, "qty": 2}),
                      UpdateOne({"_id": 1}, {"$set": {"qty": -1}}),
                      ReplaceOne({"_id": 2}, {"qty": -1}),
                      UpdateOne({"_id": 3}, {"$set": {"qty": -1}}, upsert=True),
                      UpdateOne({"_id": 1}, {"$inc": {"qty": 5}})], ordered=False)
    details = e.value.details
    assert details["nInserted"] == 1
    assert details["nModified"] == 1
    assert [w["index"] for w in details["writeErrors"]] == [1, 2, 3]
    for w in details["writeErrors"]:
        assert w["code"] == 121
        assert w["errmsg"] == "Plan executor error during update :: caused by :: Document failed validation"
        assert w["errInfo"]["details"] == QTY_DETAILS
    assert [w["errInfo"]["failingDocumentId"] for w in details["writeErrors"]] == [1, 2, 3]
    assert list(c.find().sort("_id", 1)) == [{"_id": 1, "qty": 6}, {"_id": 2, "qty": 2}]

    # The same bulk with bypass_document_validation goes through.
    c.bulk_write([UpdateOne({"_id": 1}, {"$set": {"qty": -1}})], bypass_document_validation=True)
    assert c.find_one({"_id": 1}) == {"_id": 1, "qty": -1}


def test_update_one_raises_write_error_with_err_info(db):
    c = make_validated(db)
    c.insert_one({"_id": 1, "qty": 1})
    with pytest.raises(WriteError) as e:
        c.update_one({"_id": 1}, {"$set": {"qty": -1}})
    assert e.value.code == 121
    assert e.value.details["errInfo"] == {"failingDocumentId": 1, "details": QTY_DETAILS}


def test_find_one_and_update_error_reply_carries_err_info(db):
    c = make_validated(db)
    c.insert_one({"_id": 1, "qty": 1})
    with pytest.raises(OperationFailure) as e:
        c.find_one_and_update({"_id": 1}, {"$set": {"qty": -1}})
    assert e.value.code == 121
    details = e.value.details
    assert details["codeName"] == "DocumentValidationFailure"
    assert details["errmsg"] == \
        "Plan executor error during findAndModify :: caused by :: Document failed validation"
    assert details["errInfo"] == {"failingDocumentId": 1, "details": QTY_DETAILS}
    assert c.find_one({"_id": 1}) == {"_id": 1, "qty": 1}
    # (pymongo 3.11's find_one_and_update has no bypass_document_validation argument.)
    reply = c.database.command("findAndModify", "c", query={"_id": 1},
                               update={"$set": {"qty": -1}}, new=True,
                               bypassDocumentValidation=True)
    assert reply["value"] == {"_id": 1, "qty": -1}


def test_warn_action_logs_20294_and_lets_the_write_through(ddsd, db):
    c = make_validated(db, validationAction="warn")
    c.insert_one({"_id": 1, "qty": -1})
    assert c.find_one({"_id": 1}) == {"_id": 1, "qty": -1}
    ns = "%s.c" % db.name
    found = None
    deadline = time.monotonic() + 5
    while found is None and time.monotonic() < deadline:
        with open(ddsd.log_path) as f:
            for line in f:
                if '"id":20294' not in line.replace(" ", ""):
                    continue
                entry = json.loads(line)
                if entry["attr"].get("namespace") == ns:
                    found = entry
        if found is None:
            time.sleep(0.1)
    assert found is not None, "no 20294 line for %s" % ns
    assert found["s"] == "W"
    assert found["c"] == "STORAGE"
    assert found["msg"] == "Document would fail validation"
    assert found["attr"]["errInfo"] == {"failingDocumentId": 1, "details": QTY_DETAILS}
    assert found["attr"]["document"] == {"_id": 1, "qty": -1}


def test_oversized_details_are_replaced_by_a_note(db):
    db.create_collection("big", validator={"s": {"$type": "int"}})
    big = "x" * (13 * 1024 * 1024)
    with pytest.raises(WriteError) as e:
        db.big.insert_one({"_id": 1, "s": big})
    assert e.value.code == 121
    assert e.value.details["errInfo"] == {"failingDocumentId": 1,
                                          "note": "detailed error was too large"}


def test_concurrent_writers_share_one_validator(client, db):
    import threading
    db.create_collection("conc", validator={"$jsonSchema": {
        "required": ["qty"], "properties": {"qty": {"bsonType": "int", "minimum": 0}}}})
    errors = []

    def writer(t):
        coll = client[db.name].conc
        for i in range(100):
            try:
                coll.insert_one({"_id": t * 1000 + i, "qty": i if i % 2 == 0 else -i})
                assert i % 2 == 0
            except WriteError as e:
                if i % 2 == 0 or e.code != 121:
                    errors.append(e)

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert db.conc.count_documents({}) == 8 * 50
    assert db.conc.count_documents({"qty": {"$lt": 0}}) == 0


def test_internal_databases_refuse_validators(client):
    for name in ("admin", "config"):
        with pytest.raises(OperationFailure) as e:
            client[name].command("create", "validated_coll", validator={"a": {"$exists": True}})
        assert e.value.code == 72, e.value.details
        assert e.value.details["errmsg"] == (
            "Document validators are not allowed on collection %s.validated_coll in the %s "
            "internal database" % (name, name))


def test_collection_without_validator_is_untouched(db):
    # No validator: every document goes in, bypass or not.
    db.plain.insert_many([{"_id": i, "qty": -i} for i in range(5)])
    db.plain.insert_one({"_id": 9, "qty": -9}, bypass_document_validation=True)
    assert db.plain.count_documents({}) == 6


# --- bypassDocumentValidation needs its privilege under --auth -------------------------------


def test_bypass_requires_the_bypass_document_validation_action(authd):
    root = pymongo.MongoClient(authd.uri, username=ROOT_USER, password=ROOT_PWD,
                               serverSelectionTimeoutMS=5000)
    try:
        root.v.create_collection("c", validator={"qty": {"$gte": 0}})
        root.v.command("createUser", "writer", pwd="pw", roles=["readWrite"])
        root.v.command("createUser", "admin", pwd="pw", roles=["readWrite", "dbAdmin"])
        writer = pymongo.MongoClient(authd.uri, username="writer", password="pw", authSource="v",
                                     serverSelectionTimeoutMS=5000)
        admin = pymongo.MongoClient(authd.uri, username="admin", password="pw", authSource="v",
                                    serverSelectionTimeoutMS=5000)
        try:
            writer.v.c.insert_one({"_id": 1, "qty": 1})
            with pytest.raises(OperationFailure) as e:
                writer.v.c.insert_one({"_id": 2, "qty": -1}, bypass_document_validation=True)
            assert e.value.code == 13, e.value.details
            with pytest.raises(WriteError) as e:
                writer.v.c.insert_one({"_id": 2, "qty": -1})
            assert e.value.code == 121
            # dbAdmin grants bypassDocumentValidation.
            admin.v.c.insert_one({"_id": 2, "qty": -1}, bypass_document_validation=True)
            assert admin.v.c.count_documents({}) == 2
        finally:
            writer.close()
            admin.close()
    finally:
        root.close()
