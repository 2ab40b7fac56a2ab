// The timed loop shared by the libmongoc benchmarks (dds_bench, bench_indexes_wire): runs one
// operation on N threads, each with its own client popped from a mongoc_client_pool, until a
// deadline, and collects one latency sample per operation. One untimed operation per thread opens
// its connection first. A failed operation (op returns 0) stops every thread and marks the run
// failed; the caller decides whether that aborts the benchmark.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include <mongoc/mongoc.h>

namespace dds::bench {

// op(thread, client, rng) does one operation and returns the units it did (documents for a batch),
// or 0 on failure (after printing why). `client` is null when the run has no pool.
using WireOp = std::function<int(int, mongoc_client_t*, std::mt19937_64&)>;

struct TimedRun {
  uint64_t units = 0;   // units done by the timed operations
  double seconds = 0;   // wall time from the start signal to the last thread's end
  bool failed = false;  // some operation returned 0
};

// Runs `op` on `conns` threads for `seconds`, each thread with an rng seeded from `seed` and its
// index. Appends each operation's latency (ns) to samples[thread] (resized to `conns` if smaller).
TimedRun RunTimed(mongoc_client_pool_t* pool, int conns, double seconds, uint64_t seed,
                  const WireOp& op, std::vector<std::vector<uint32_t>>* samples);

}  // namespace dds::bench
