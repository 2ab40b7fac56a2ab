"""Wire-level companion of bench_indexes (issue #4): find by _id vs find by an indexed field, and
insert_many throughput with 3 secondary indexes vs none, through pymongo against a running ddsd.

  /usr/bin/python3 bench/bench_indexes_wire.py --uri mongodb://127.0.0.1:27017 [--docs N]
"""
import argparse
import random
import time

import pymongo


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", default="mongodb://127.0.0.1:27017")
    ap.add_argument("--docs", type=int, default=200000)
    ap.add_argument("--queries", type=int, default=20000)
    args = ap.parse_args()
    client = pymongo.MongoClient(args.uri)
    db = client.bench_indexes_wire
    db.plain.drop()
    db.idx3.drop()
    db.idx3.create_index("g")
    db.idx3.create_index("s")
    db.idx3.create_index("r")
    pad = "p" * 900
    rng = random.Random(1)
    times = {"plain": 0.0, "idx3": 0.0}
    for base in range(0, args.docs, 1000):
        batch = [{"_id": i, "k": i * 7 + 3, "g": i % 1000, "s": "user-%d" % rng.randrange(10**6),
                  "r": rng.randrange(10**9), "pad": pad} for i in range(base, base + 1000)]
        for name in ("plain", "idx3"):
            start = time.perf_counter()
            db[name].insert_many(batch, ordered=False)
            times[name] += time.perf_counter() - start
    print("insert_many, no secondary index : %.0f docs/s" % (args.docs / times["plain"]))
    print("insert_many, 3 secondary indexes: %.0f docs/s  ratio %.2f (target >= 0.50)" %
          (args.docs / times["idx3"], times["plain"] / times["idx3"]))
    db.plain.create_index("k")
    ids = [rng.randrange(args.docs) for _ in range(args.queries)]
    start = time.perf_counter()
    for i in ids:
        assert db.plain.find_one({"_id": i}) is not None
    by_id = args.queries / (time.perf_counter() - start)
    start = time.perf_counter()
    for i in ids:
        assert db.plain.find_one({"k": i * 7 + 3}) is not None
    by_k = args.queries / (time.perf_counter() - start)
    print("find_one by _id: %.0f/s; by indexed field: %.0f/s  ratio %.2f (target >= 0.80)" %
          (by_id, by_k, by_k / by_id))
    stats = db.plain.find({"k": {"$gte": 5000}}).limit(10).explain()["executionStats"]
    print("range limit 10: totalKeysExamined %d (target <= 11)" % stats["totalKeysExamined"])
    client.drop_database("bench_indexes_wire")


if __name__ == "__main__":
    main()
