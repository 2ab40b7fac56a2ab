"""The plan cache seen from a client (issue #4): $planCacheStats lists the plan choices the
multi-planner cached for a collection, planCacheClear drops them (all, or one query shape), and
an index change makes them go (as jstests/core/plan_cache_clear.js and plan_cache_stats.js check
mongod).
"""
import datetime

import pytest
from bson import Int64
from pymongo.errors import OperationFailure

from ddsd_launcher import AUTH_ROOT_PWD, AUTH_ROOT_USER, connect


def entries(coll):
    return list(coll.aggregate([{"$planCacheStats": {}}]))


def shapes(coll):
    return sorted(repr(e["createdFromQuery"]["query"]) for e in entries(coll))


@pytest.fixture
def coll(db):
    c = db.plan_cache
    c.insert_many([{"_id": i, "a": i % 3, "b": i, "c": i % 5} for i in range(60)])
    # Two indexes leading with a: finds on a are multi-planned, and the choice is cached.
    c.create_index([("a", 1)])
    c.create_index([("a", 1), ("b", 1)])
    return c


def test_stats_show_each_multi_planned_shape(coll):
    assert entries(coll) == []
    assert len(list(coll.find({"a": 1, "b": 4}))) == 1
    assert len(list(coll.find({"a": 2}).sort("b", -1))) == 20
    # One entry per shape: another value of a cached shape reuses the entry.
    assert len(list(coll.find({"a": 0, "b": 3}))) == 1
    # A single candidate is never cached (nothing to choose).
    assert len(list(coll.find({"c": 1}))) == 12
    got = {repr(e["createdFromQuery"]["query"]): e for e in entries(coll)}
    assert sorted(got) == [repr({"a": 1, "b": 4}), repr({"a": 2})]
    e = got[repr({"a": 1, "b": 4})]
    assert e["createdFromQuery"] == {"query": {"a": 1, "b": 4}, "sort": {}, "projection": {}}
    assert e["version"] == "1" and e["isActive"] is True and e["indexFilterSet"] is False
    assert isinstance(e["works"], Int64) and e["works"] >= 1
    assert isinstance(e["timeOfCreation"], datetime.datetime)
    assert isinstance(e["estimatedSizeBytes"], Int64) and e["estimatedSizeBytes"] > 0
    assert len(e["candidatePlanScores"]) == 2
    assert e["candidatePlanScores"] == sorted(e["candidatePlanScores"], reverse=True)
    assert e["candidatePlanScores"][0] > 1
    assert ":" in e["host"]
    # The cached plan is the plan explain shows as the winner of the same query.
    explain = coll.find({"a": 1, "b": 4}).explain()["queryPlanner"]
    assert e["cachedPlan"] == explain["winningPlan"]
    assert e["planCacheKey"] == explain["planCacheKey"]
    assert e["queryHash"] == explain["queryHash"]
    sorted_entry = got[repr({"a": 2})]
    assert sorted_entry["createdFromQuery"]["sort"] == {"b": -1}
    # The rest of the pipeline runs over the entries.
    [n] = coll.aggregate([{"$planCacheStats": {}}, {"$match": {"createdFromQuery.sort": {}}},
                          {"$count": "n"}])
    assert n == {"n": 1}


def test_clear_one_shape_or_all(coll):
    coll.find_one({"a": 1, "b": 4})
    coll.find_one({"a": 1, "b": {"$gt": 3}})
    list(coll.find({"a": 1}, {"_id": 0, "a": 1}))
    assert len(entries(coll)) == 3
    db = coll.database
    # Values do not matter, only the shape; a shape nobody ran is a no-op.
    assert db.command("planCacheClear", coll.name, query={"a": 99, "b": 100})["ok"] == 1
    assert shapes(coll) == sorted([repr({"a": 1}), repr({"a": 1, "b": {"$gt": 3}})])
    db.command("planCacheClear", coll.name, query={"nope": 1})
    assert len(entries(coll)) == 2
    # The projection is part of the shape.
    db.command("planCacheClear", coll.name, query={"a": 5})
    assert len(entries(coll)) == 2
    db.command("planCacheClear", coll.name, query={"a": 5}, projection={"_id": 0, "a": 1})
    assert shapes(coll) == [repr({"a": 1, "b": {"$gt": 3}})]
    db.command("planCacheClear", coll.name)
    assert entries(coll) == []
    # The next run plans again and caches again.
    coll.find_one({"a": 1, "b": 4})
    assert len(entries(coll)) == 1


def test_index_changes_drop_the_cached_choices(coll):
    coll.find_one({"a": 1, "b": 4})
    assert len(entries(coll)) == 1
    coll.create_index([("b", 1)])
    assert entries(coll) == []
    coll.find_one({"a": 1, "b": 4})
    assert len(entries(coll)) == 1
    coll.drop_index("b_1")
    assert entries(coll) == []
    coll.find_one({"a": 1, "b": 4})
    coll.database.command("collMod", coll.name, index={"name": "a_1", "hidden": True})
    assert entries(coll) == []


def test_a_cached_plan_that_overruns_is_replanned(db):
    c = db.overrun
    c.insert_many([{"_id": i, "a": i % 2, "b": i} for i in range(400)])
    c.create_index([("a", 1)])
    c.create_index([("b", 1)])
    query = {"a": 1, "b": {"$lt": 5}}

    def cached_index():
        [e] = entries(c)
        return e["cachedPlan"]["inputStage"]["indexName"]

    assert len(list(c.find(query))) == 2
    assert cached_index() == "b_1"
    # b < 5 now holds for 1000 more documents, none with a = 1: the cached b_1 plan does far more
    # than 10x its trial's works, so running it drops the entry and the next run chooses again.
    c.insert_many([{"_id": i, "a": 0, "b": i % 5} for i in range(400, 1400)])
    assert len(list(c.find(query))) == 2
    assert entries(c) == []
    assert len(list(c.find(query))) == 2
    assert cached_index() == "a_1"


def test_errors(coll):
    db = coll.database

    def clear_error(**fields):
        with pytest.raises(OperationFailure) as ei:
            db.command("planCacheClear", coll.name, **fields)
        return ei.value.code, str(ei.value.details["errmsg"])

    # Without a query, a sort/projection/collation must not clear everything by mistake.
    assert clear_error(sort={"a": 1}) == (
        2, "sort, projection, or collation provided without query")
    assert clear_error(projection={"a": 1})[0] == 2
    assert clear_error(query=5) == (2, "required field query must be an object")
    assert clear_error(query={}, sort=3) == (2, "optional field sort must be an object")
    assert clear_error(query={}, projection="x") == (
        2, "optional field projection must be an object")
    code, message = clear_error(query={"$bogus": 1})
    assert code == 2 and "$bogus" in message
    # Clearing a collection that does not exist always succeeds, whatever else is asked.
    assert db.command("planCacheClear", "nope", sort={"a": 1})["ok"] == 1

    def stats_error(pipeline, name=coll.name):
        with pytest.raises(OperationFailure) as ei:
            db.command("aggregate", name, pipeline=pipeline, cursor={})
        return ei.value.code

    assert stats_error([{"$planCacheStats": 1}]) == 9
    assert stats_error([{"$planCacheStats": {"bogus": 1}}]) == 9
    assert stats_error([{"$match": {}}, {"$planCacheStats": {}}]) == 40602
    assert stats_error([{"$planCacheStats": {}}], name="nope") == 50933
    assert list(coll.aggregate([{"$planCacheStats": {"allHosts": False}}])) == []


def test_authorization(authd):
    with connect(authd, AUTH_ROOT_USER, AUTH_ROOT_PWD) as root:
        root.pdb.c.insert_one({"a": 1})
        root.pdb.command("createUser", "reader", pwd="pw", roles=["read"])
        root.pdb.command("createUser", "admin", pwd="pw", roles=["dbAdmin"])
    with connect(authd, "reader", "pw", "pdb") as reader, \
            connect(authd, "admin", "pw", "pdb") as admin:
        # read has planCacheRead, not planCacheWrite; dbAdmin has both.
        assert list(reader.pdb.c.aggregate([{"$planCacheStats": {}}])) == []
        with pytest.raises(OperationFailure) as ei:
            reader.pdb.command("planCacheClear", "c")
        assert ei.value.code == 13
        assert admin.pdb.command("planCacheClear", "c")["ok"] == 1
        assert list(admin.pdb.c.aggregate([{"$planCacheStats": {}}])) == []
