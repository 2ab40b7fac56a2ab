"""Many clients at once: 1000 idle connections, stalled half-messages and a client that never reads
its replies must not stall another client."""
import socket
import struct
import time

import bson
import pymongo

from ddsd_launcher import op_msg, raise_nofile_limit, recv_message


def _timed_ops(coll, n):
    worst = 0.0
    t0 = time.monotonic()
    for i in range(n):
        s = time.monotonic()
        coll.insert_one({"i": i})
        coll.find_one({"i": i})
        worst = max(worst, time.monotonic() - s)
    return time.monotonic() - t0, worst


def test_1000_idle_connections_do_not_stall_another_client(ddsd, client):
    raise_nofile_limit(4096)
    coll = client.py_conn.idle
    base_total, _ = _timed_ops(coll, 50)
    rss_before = ddsd.rss_kb()
    socks = []
    try:
        ping = op_msg(bson.BSON.encode({"ping": 1, "$db": "admin"}))
        for _ in range(1000):
            s = socket.create_connection(("127.0.0.1", ddsd.port), timeout=10)
            s.sendall(ping)
            socks.append(s)
        for s in socks:
            assert recv_message(s), "an idle connection was closed"
        rss_after = ddsd.rss_kb()
        total, worst = _timed_ops(coll, 200)
        print("1000 idle conns: RSS %d -> %d KiB (+%.1f MiB); 200 insert+find pairs in %.3fs "
              "(50 before: %.3fs), worst pair %.3fs"
              % (rss_before, rss_after, (rss_after - rss_before) / 1024, total, base_total, worst))
        assert worst < 1.0, "one operation took %.3fs with 1000 idle connections open" % worst
        assert total < 20.0
        # The idle connections are still usable.
        for s in socks[::97]:
            s.sendall(ping)
            assert recv_message(s)
    finally:
        for s in socks:
            s.close()
    assert ddsd.alive()


def test_stalled_and_non_reading_clients_do_not_stall_others(ddsd, client):
    coll = client.py_conn.stall
    coll.insert_many([{"_id": i, "pad": "x" * 1000} for i in range(2000)])
    stalled = []
    try:
        # Half a header, half a body: the server must wait on these without blocking anyone.
        for cut in (3, 10, 20, 40):
            s = socket.create_connection(("127.0.0.1", ddsd.port), timeout=10)
            s.sendall(op_msg(bson.BSON.encode({"ping": 1, "$db": "admin"}))[:cut])
            stalled.append(s)
        # A client that asks for ~2 MB replies over and over and never reads them.
        s = socket.create_connection(("127.0.0.1", ddsd.port), timeout=10)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.setblocking(False)
        req = op_msg(bson.BSON.encode({"find": "stall", "batchSize": 2000, "$db": "py_conn"}))
        for _ in range(20):
            try:
                s.send(req)
            except BlockingIOError:
                break
        stalled.append(s)
        time.sleep(0.2)
        total, worst = _timed_ops(client.py_conn.other, 100)
        assert worst < 1.0, "an operation took %.3fs next to stalled clients" % worst
        c2 = pymongo.MongoClient(ddsd.uri, serverSelectionTimeoutMS=5000)
        try:
            assert c2.py_conn.stall.count_documents({}) == 2000
        finally:
            c2.close()
    finally:
        for s in stalled:
            s.close()
    assert ddsd.alive()
