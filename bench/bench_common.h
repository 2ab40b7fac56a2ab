// Shared pieces of the micro-benchmarks of the pure layers (bench_match, bench_update): a global
// operator new that counts every heap allocation (defined once, in bench_common.cpp), the ~1 KB
// order document they all run on, and a scope that reports allocations per iteration, so that
// "no heap allocation per document" is measured, not assumed.
#pragma once

#include <benchmark/benchmark.h>

#include <atomic>

#include "bson/bson.h"

namespace dds::bench {

// Every operator new of the process so far (the benchmark loops are single-threaded).
long AllocationCount();

// An order document of about 1 KB: scalars, a sub-document, arrays of scalars and of documents.
const bson::BsonDocument& SampleDocument();

// Reports `allocs_per_doc` (allocations per iteration) and `doc_bytes` when it goes out of scope.
class AllocationScope {
 public:
  explicit AllocationScope(benchmark::State& state) : state_(state), start_(AllocationCount()) {}
  ~AllocationScope() {
    long n = AllocationCount() - start_;
    state_.counters["allocs_per_doc"] =
        benchmark::Counter(static_cast<double>(n) / static_cast<double>(state_.iterations()));
    state_.counters["doc_bytes"] = static_cast<double>(SampleDocument().view().size());
  }

 private:
  benchmark::State& state_;
  long start_;
};

}  // namespace dds::bench
