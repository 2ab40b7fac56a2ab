"""Crash and restart: every acknowledged write survives kill -9 of ddsd (with and without j: true),
and data is intact after a clean shutdown (shutdown command, SIGTERM). Each test has its own ddsd
(fixture fresh_ddsd) and restarts it on the same dbpath."""
import os
import subprocess
import threading
import time

import pymongo
import pytest
from pymongo.errors import AutoReconnect, ConnectionFailure, PyMongoError

from ddsd_launcher import DDSD, free_port


def _client(d):
    return pymongo.MongoClient(d.uri, serverSelectionTimeoutMS=2000, connectTimeoutMS=2000,
                               socketTimeoutMS=5000, maxPoolSize=16)


def _kill9_under_load(d, threads, seconds, step):
    """Runs step(t, n) for n = 1, 2, ... on `threads` threads until ddsd is killed -9 after
    `seconds`. A thread stops at its first failing step: a connection error is the kill (that
    step's write is unacknowledged), any other error fails the test."""
    stop = threading.Event()
    errors = []

    def worker(t):
        n = 0
        while not stop.is_set():
            n += 1
            try:
                step(t, n)
            except (ConnectionFailure, AutoReconnect, PyMongoError):
                return  # the server was killed under us
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))
                return

    workers = [threading.Thread(target=worker, args=(t,), daemon=True) for t in range(threads)]
    for w in workers:
        w.start()
    time.sleep(seconds)
    d.kill9()
    stop.set()
    for w in workers:
        w.join(30)
    assert not errors, errors


def _load(d, threads, seconds, write_concern, batch=1):
    """Inserts from `threads` threads until ddsd is killed after `seconds`; returns acked _ids."""
    client = _client(d)
    coll = client.crash.get_collection("load", write_concern=write_concern)
    coll.insert_one({"_id": "warmup"})
    acked = [[] for _ in range(threads)]

    def step(t, n):
        ids = ["t%d-%d" % (t, (n - 1) * batch + k) for k in range(batch)]
        if batch == 1:
            coll.insert_one({"_id": ids[0], "t": t, "pad": "x" * 200})
        else:
            coll.insert_many([{"_id": i, "t": t, "pad": "x" * 200} for i in ids])
        acked[t].extend(ids)  # only once the write was acknowledged

    try:
        _kill9_under_load(d, threads, seconds, step)
    finally:
        client.close()
    return ["warmup"] + [i for per in acked for i in per]


def _verify_present(d, ids):
    client = _client(d)
    try:
        present = set(doc["_id"] for doc in client.crash.load.find({}, {"_id": 1}))
    finally:
        client.close()
    missing = [i for i in ids if i not in present]
    assert not missing, "%d of %d acknowledged _ids lost after kill -9, e.g. %s" % (
        len(missing), len(ids), missing[:10])
    return len(present)


def test_kill9_during_concurrent_inserts(fresh_ddsd):
    d = fresh_ddsd.start()
    ids = _load(d, threads=6, seconds=2.0, write_concern=pymongo.WriteConcern(w=1))
    assert len(ids) > 100, "the load inserted too little to be meaningful: %d" % len(ids)
    d.restart()
    n = _verify_present(d, ids)
    print("kill -9 (w:1): %d acknowledged, %d present after restart" % (len(ids), n))


def test_kill9_during_insert_many_batches(fresh_ddsd):
    d = fresh_ddsd.start()
    ids = _load(d, threads=3, seconds=2.0, write_concern=pymongo.WriteConcern(w=1), batch=100)
    assert len(ids) > 300
    d.restart()
    _verify_present(d, ids)


def test_kill9_during_indexed_writes_leaves_indexes_consistent(fresh_ddsd):
    """Inserts, updates and deletes on a collection with a unique, a multikey and a compound index
    while ddsd is killed: after the restart every index holds exactly its documents' keys
    (validate checks both ways) and index scans count what a collection scan counts."""
    d = fresh_ddsd.start()
    client = _client(d)
    coll = client.crash.indexed
    coll.create_index("u", unique=True)
    coll.create_index("tags")
    coll.create_index([("t", 1), ("n", -1)])
    def step(t, n):
        _id = "w%d-%d" % (t, n)
        coll.insert_one({"_id": _id, "u": _id, "t": t, "n": n,
                         "tags": ["a%d" % (n % 7), "b%d" % (n % 5)]})
        if n % 3 == 0:
            coll.update_one({"_id": "w%d-%d" % (t, n - 1)},
                            {"$set": {"n": -n}, "$push": {"tags": "x"}})
        if n % 5 == 0:
            coll.delete_one({"_id": "w%d-%d" % (t, n - 2)})

    try:
        _kill9_under_load(d, 4, 2.0, step)
    finally:
        client.close()
    d.restart()
    client = _client(d)
    try:
        coll = client.crash.indexed
        total = coll.count_documents({})
        assert total > 50, "the load wrote too little to be meaningful: %d" % total
        report = client.crash.command("validate", "indexed")
        assert report["valid"], report
        assert report["keysPerIndex"]["u_1"] == total
        assert report["keysPerIndex"]["t_1_n_-1"] == total
        for hint in ("u_1", "t_1_n_-1"):
            assert coll.count_documents({"t": {"$gte": 0}}, hint=hint) == total
        assert (coll.count_documents({"tags": {"$in": ["a1", "x"]}}, hint="tags_1") ==
                coll.count_documents({"tags": {"$in": ["a1", "x"]}}, hint=[("$natural", 1)]))
    finally:
        client.close()


def test_kill9_with_journaled_writes(fresh_ddsd):
    d = fresh_ddsd.start()
    ids = _load(d, threads=8, seconds=2.0, write_concern=pymongo.WriteConcern(w=1, j=True))
    assert len(ids) > 20
    d.restart()
    n = _verify_present(d, ids)
    print("kill -9 (j:true, 8 threads): %d acknowledged in 2 s, %d present after restart" % (len(ids), n))


def test_repeated_crashes(fresh_ddsd):
    d = fresh_ddsd.start()
    all_ids = []
    for _ in range(3):
        client = _client(d)
        coll = client.crash.load
        round_ids = []
        for _ in range(200):
            r = coll.insert_one({"pad": "y"})
            round_ids.append(r.inserted_id)
        client.close()
        all_ids.extend(round_ids)
        d.kill9()
        d.restart()
    _verify_present(d, all_ids)


def _populate(d):
    client = _client(d)
    db = client.restart
    db.a.insert_many([{"_id": i, "v": "v%d" % i, "sub": {"n": i}} for i in range(500)])
    db.a.update_many({"_id": {"$lt": 100}}, {"$set": {"updated": True}})
    db.a.delete_many({"_id": {"$gte": 450}})
    db.create_collection("empty_one")
    db.b.insert_one({"_id": "x"})
    db.b.rename("b2")
    client.drop_database("gone")
    client.gone.t.insert_one({})
    client.drop_database("gone")
    client.close()


def _check_populated(d):
    client = _client(d)
    try:
        db = client.restart
        assert db.a.count_documents({}) == 450
        assert db.a.count_documents({"updated": True}) == 100
        assert db.a.find_one({"_id": 7}) == {"_id": 7, "v": "v7", "sub": {"n": 7}, "updated": True}
        assert sorted(db.list_collection_names()) == ["a", "b2", "empty_one"]
        assert db.b2.find_one() == {"_id": "x"}
        assert [i["name"] for i in db.a.list_indexes()] == ["_id_"]
        assert "gone" not in client.list_database_names()
        # Still writable, and _id uniqueness survived the restart.
        with pytest.raises(pymongo.errors.DuplicateKeyError):
            db.a.insert_one({"_id": 7})
        db.a.insert_one({"_id": 1000})
    finally:
        client.close()


def test_restart_after_shutdown_command(fresh_ddsd):
    d = fresh_ddsd.start()
    _populate(d)
    client = _client(d)
    try:
        client.admin.command("shutdown")
    except (AutoReconnect, ConnectionFailure):
        pass  # the server closes the connection as it goes down
    finally:
        client.close()
    code = d.wait_exit(30)
    assert code == 0, "ddsd exited %s after the shutdown command\n%s" % (code, d.log_tail())
    d.restart()
    _check_populated(d)


def test_restart_after_sigterm(fresh_ddsd):
    d = fresh_ddsd.start()
    _populate(d)
    code = d.stop(timeout=30)
    assert code == 0, "ddsd exited %s on SIGTERM\n%s" % (code, d.log_tail())
    d.restart()
    _check_populated(d)
    d.stop()
    d.restart()
    _check_populated_again(d)


def _check_populated_again(d):
    client = _client(d)
    try:
        assert client.restart.a.count_documents({}) == 451
    finally:
        client.close()


def test_second_ddsd_on_same_dbpath_is_refused(fresh_ddsd):
    d = fresh_ddsd.start()
    proc = subprocess.run([DDSD, "--port", str(free_port()), "--bind_ip", "127.0.0.1", "--dbpath", d.dbpath],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
    assert proc.returncode != 0, "a second ddsd started on a dbpath in use"
    assert d.alive()
    client = _client(d)
    try:
        assert client.admin.command("ping")["ok"] == 1.0
    finally:
        client.close()


def test_dbpath_is_created(fresh_ddsd):
    assert not os.path.exists(fresh_ddsd.dbpath)
    d = fresh_ddsd.start()
    assert os.path.isdir(d.dbpath)
