"""dds-service benchmarks (issue 6):
  1. create-instance job to `normal` (target <= 2 s), over N real creates;
  2. GET /instances p99 with 1000 instances stored (target <= 10 ms).

For (2) the 1000 instance records are written into the metadata database while the service is
stopped, as `createfail` instances (so no 1000 ddsd processes are needed and the supervisor leaves
them alone); the list path reads and renders them exactly like live ones.

Run: DDS_BUILD_DIR=build /usr/bin/python3 tests/e2e/service/bench_service.py
"""
import json
import os
import sqlite3
import statistics
import time
import uuid
import http.client

from dds_harness import Service


def create_latency(svc, n=5):
    times = []
    for i in range(n):
        t0 = time.time()
        c = svc.create_instance("bench-create-%d" % i)
        job = svc.wait_job(c["job_id"])
        assert job["status"] == "Completed", job
        svc.wait_status(c["id"], "normal")
        times.append(time.time() - t0)
        svc.wait_job(svc.request("DELETE", svc.p("/instances/" + c["id"])).json["job_id"])
    return times


def fill(svc, count):
    db = sqlite3.connect(os.path.join(svc.data_dir, "metadata.sqlite"))
    now = int(time.time() * 1000)
    spec = {"datastore": {"type": "DDS-Community", "version": "4.0", "storage_engine": "rocksDB"},
            "region": "local", "availability_zone": "local", "security_group_id": "sg",
            "flavor": [{"type": "single", "num": "1", "size": "10",
                        "spec_code": "dds.mongodb.s6.large.4.single"}],
            "volume_size": 10, "spec_code": "dds.mongodb.s6.large.4.single",
            "backup_strategy": {"start_time": "00:00-01:00", "keep_days": 7}, "ssl_option": "1",
            "tags": [{"key": "bench", "value": "yes"}], "enterprise_project_id": "0"}
    for i in range(count):
        iid = uuid.uuid4().hex + "in02"
        nid = uuid.uuid4().hex + "no02"
        db.execute("INSERT INTO instances (id, project_id, name, status, mode, port, vpc_id, "
                   "subnet_id, actions, spec, fail_reason, created, updated) VALUES "
                   "(?, ?, ?, 'createfail', 'Single', ?, 'vpc', 'subnet', '[]', ?, 'bench', ?, ?)",
                   (iid, svc.project_id, "bench-%04d" % i, 40000 + i, json.dumps(spec), now + i,
                    now + i))
        db.execute("INSERT INTO nodes (id, instance_id, name, type, status, role, port, pid, dir, "
                   "spec_code) VALUES (?, ?, ?, 'single', 'abnormal', 'unknown', ?, 0, ?, ?)",
                   (nid, iid, "bench-%04d_single_node_1" % i, 40000 + i, "/nonexistent",
                    "dds.mongodb.s6.large.4.single"))
    db.commit()
    db.close()


def list_latency(svc, n=300, query=""):
    conn = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=30)
    times = []
    path = svc.p("/instances" + query)
    headers = {"X-Auth-Token": svc.token()}
    for _ in range(n):
        # Raw read: the client's own JSON parsing is not part of the service's latency.
        t0 = time.perf_counter()
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        body = r.read()
        times.append(time.perf_counter() - t0)
        assert r.status == 200 and body
    conn.close()
    times.sort()
    return times


def main():
    svc = Service().start()
    try:
        ct = create_latency(svc)
        print("create->normal seconds: %s (max %.2f, target 2.0)" %
              (", ".join("%.2f" % t for t in ct), max(ct)))
        svc.token()
        svc.stop()
        fill(svc, 1000)
        svc.start()
        for query in ["", "?limit=10", "?id=nonexistent"]:
            t = list_latency(svc, query=query)
            p50 = t[len(t) // 2] * 1000
            p99 = t[int(len(t) * 0.99) - 1] * 1000
            print("GET /instances%s with 1000 stored: p50 %.2f ms, p99 %.2f ms (target p99 10 ms)"
                  % (query, p50, p99))
    finally:
        svc.cleanup()


if __name__ == "__main__":
    main()
