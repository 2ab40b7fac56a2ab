// Micro-benchmarks of update application (src/update) on the same ~1 KB order document as
// bench_match.cpp: parse once, then UpdateDriver::Apply per iteration, as an update statement does
// for each matched document. Every benchmark reports `allocs_per_doc` (global operator new
// counted in bench_common.cpp). Two baselines run in the same process (a plain copy of the
// document, and a walk over its elements) so that figures can be read as ratios on a loaded
// machine. Run by hand:
// build-*/bin/bench_update [--benchmark_filter=Set].
#include <benchmark/benchmark.h>

#include <string>

#include "bench_common.h"
#include "bson/bson.h"
#include "query/match_parser.h"
#include "update/update_driver.h"


namespace {

using dds::bson::BsonDocument;
using dds::bson::BsonElement;
using dds::bson::FromJson;

using dds::bench::AllocationScope;
using dds::bench::SampleDocument;

// --- baselines ---------------------------------------------------------------------------------

void BM_BaselineCopyDocument(benchmark::State& state) {
  const BsonDocument& doc = SampleDocument();
  AllocationScope scope(state);
  for (auto _ : state) {
    BsonDocument copy(doc.view());
    benchmark::DoNotOptimize(copy.view().data());
  }
}

void BM_BaselineWalkElements(benchmark::State& state) {
  const BsonDocument& doc = SampleDocument();
  AllocationScope scope(state);
  for (auto _ : state) {
    size_t n = 0;
    for (const BsonElement& e : doc.view()) n += e.size();
    benchmark::DoNotOptimize(n);
  }
}

// --- update application ------------------------------------------------------------------------

// Parses `update` (a JSON object, or an array for a pipeline; `filters` an arrayFilters array) and
// applies it to the sample document per iteration. `query` supplies match details for `$`.
void RunUpdate(benchmark::State& state, const char* update, const char* filters = "[]",
               const char* query = nullptr) {
  const BsonDocument& doc = SampleDocument();
  BsonDocument holder = FromJson(std::string(R"({"u": )") + update + R"(, "f": )" + filters + "}");
  dds::update::UpdateOptions options;
  options.array_filters = holder.view().Get("f").Array();
  auto driver = dds::update::UpdateDriver::Parse(holder.view().Get("u"), options);
  if (!driver.ok()) {
    state.SkipWithError(driver.status().ToString().c_str());
    return;
  }
  dds::query::MatchDetails details;
  const dds::query::MatchDetails* details_ptr = nullptr;
  if (query != nullptr) {
    auto m = dds::query::ParseMatchExpression(FromJson(query));
    if (!m.ok()) {
      state.SkipWithError(m.status().ToString().c_str());
      return;
    }
    details.RequestElemMatchKey();
    m.value()->Matches(doc, &details);
    details_ptr = &details;
  }
  auto first = driver.value().Apply(doc.view(), details_ptr);
  if (!first.ok()) {
    state.SkipWithError(first.status().ToString().c_str());
    return;
  }
  AllocationScope scope(state);
  for (auto _ : state) {
    auto out = driver.value().Apply(doc.view(), details_ptr);
    benchmark::DoNotOptimize(out.value().doc.view().data());
  }
}

void BM_SetTopLevel(benchmark::State& s) { RunUpdate(s, R"({"$set": {"status": "delivered"}})"); }
void BM_SetNoOp(benchmark::State& s) { RunUpdate(s, R"({"$set": {"status": "shipped"}})"); }
void BM_SetNewField(benchmark::State& s) { RunUpdate(s, R"({"$set": {"zz": 1}})"); }
void BM_SetDotted(benchmark::State& s) { RunUpdate(s, R"({"$set": {"customer.address.city": "Paris"}})"); }
void BM_IncTwoFields(benchmark::State& s) { RunUpdate(s, R"({"$inc": {"version": 1, "totals.items": 1}})"); }
void BM_MixedOperators(benchmark::State& s) {
  RunUpdate(s, R"({"$set": {"status": "delivered"}, "$inc": {"version": 1}, "$unset": {"notes": ""},
                   "$currentDate": {"updated": true}})");
}
void BM_PushToArray(benchmark::State& s) { RunUpdate(s, R"({"$push": {"tags": "late"}})"); }
void BM_PushEachSortSlice(benchmark::State& s) {
  RunUpdate(s, R"({"$push": {"tags": {"$each": ["a", "z"], "$sort": 1, "$slice": 4}}})");
}
void BM_AddToSetPresent(benchmark::State& s) { RunUpdate(s, R"({"$addToSet": {"tags": "eu"}})"); }
void BM_PullCondition(benchmark::State& s) { RunUpdate(s, R"({"$pull": {"items": {"qty": {"$gte": 4}}}})"); }
void BM_Positional(benchmark::State& s) {
  RunUpdate(s, R"({"$inc": {"items.$.qty": 1}})", "[]", R"({"items.sku": "B-2001"})");
}
void BM_AllPositional(benchmark::State& s) { RunUpdate(s, R"({"$mul": {"items.$[].price": 1.1}})"); }
void BM_ArrayFilter(benchmark::State& s) {
  RunUpdate(s, R"({"$set": {"items.$[i].qty": 0}})", R"([{"i.price": {"$lt": 10}}])");
}
void BM_Rename(benchmark::State& s) { RunUpdate(s, R"({"$rename": {"channel": "source"}})"); }
void BM_Replacement(benchmark::State& s) {
  RunUpdate(s, R"({"orderNo": 1, "status": "new", "items": [], "version": 1})");
}
void BM_PipelineSet(benchmark::State& s) {
  RunUpdate(s, R"([{"$set": {"total2": {"$multiply": ["$totals.gross", 2]}}}])");
}

BENCHMARK(BM_BaselineCopyDocument);
BENCHMARK(BM_BaselineWalkElements);
BENCHMARK(BM_SetTopLevel);
BENCHMARK(BM_SetNoOp);
BENCHMARK(BM_SetNewField);
BENCHMARK(BM_SetDotted);
BENCHMARK(BM_IncTwoFields);
BENCHMARK(BM_MixedOperators);
BENCHMARK(BM_PushToArray);
BENCHMARK(BM_PushEachSortSlice);
BENCHMARK(BM_AddToSetPresent);
BENCHMARK(BM_PullCondition);
BENCHMARK(BM_Positional);
BENCHMARK(BM_AllPositional);
BENCHMARK(BM_ArrayFilter);
BENCHMARK(BM_Rename);
BENCHMARK(BM_Replacement);
BENCHMARK(BM_PipelineSet);

}  // namespace

BENCHMARK_MAIN();
