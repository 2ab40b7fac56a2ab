// Micro-benchmarks of the pure query layers: match evaluation (the per-document hot path of every
// find), sort-key extraction and projection. Run by hand: build-*/bin/bench_match.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bson/bson.h"
#include "query/match_parser.h"
#include "query/projection.h"
#include "query/sort_pattern.h"

namespace {

using dds::bson::BsonDocument;
using dds::bson::FromJson;

BsonDocument SampleDocument() {
  return FromJson(R"({"_id": {"$oid": "507f1f77bcf86cd799439011"}, "name": "widget", "qty": 42,
      "price": 9.99, "tags": ["red", "blue", "green"], "dims": {"h": 10, "w": 20},
      "items": [{"sku": "a", "n": 1}, {"sku": "b", "n": 2}, {"sku": "c", "n": 3}], "active": true})");
}

void RunMatch(benchmark::State& state, const char* filter) {
  BsonDocument doc = SampleDocument();
  auto m = dds::query::ParseMatchExpression(FromJson(filter));
  if (!m.ok()) {
    state.SkipWithError(m.status().ToString().c_str());
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(m.value()->Matches(doc));
}

void BM_MatchEquality(benchmark::State& s) { RunMatch(s, R"({"name": "widget"})"); }
void BM_MatchRange(benchmark::State& s) { RunMatch(s, R"({"qty": {"$gte": 10, "$lt": 100}})"); }
void BM_MatchDotted(benchmark::State& s) { RunMatch(s, R"({"dims.w": 20})"); }
void BM_MatchArrayTraversal(benchmark::State& s) { RunMatch(s, R"({"items.sku": "c"})"); }
void BM_MatchIn(benchmark::State& s) { RunMatch(s, R"({"tags": {"$in": ["black", "green"]}})"); }
void BM_MatchRegex(benchmark::State& s) { RunMatch(s, R"({"name": {"$regex": "^wid"}})"); }
void BM_MatchElemMatch(benchmark::State& s) { RunMatch(s, R"({"items": {"$elemMatch": {"sku": "b", "n": {"$gt": 1}}}})"); }
void BM_MatchOr(benchmark::State& s) { RunMatch(s, R"({"$or": [{"qty": 1}, {"active": true}]})"); }

void BM_SortKey(benchmark::State& state) {
  BsonDocument doc = SampleDocument();
  auto p = dds::query::SortPattern::Parse(FromJson(R"({"items.n": -1, "qty": 1})"));
  for (auto _ : state) benchmark::DoNotOptimize(p->ExtractKey(doc));
}

void BM_ProjectionInclusion(benchmark::State& state) {
  BsonDocument doc = SampleDocument();
  auto p = dds::query::Projection::Parse(FromJson(R"({"name": 1, "dims.h": 1, "items.sku": 1})"));
  for (auto _ : state) benchmark::DoNotOptimize(p->Apply(doc));
}

BENCHMARK(BM_MatchEquality);
BENCHMARK(BM_MatchRange);
BENCHMARK(BM_MatchDotted);
BENCHMARK(BM_MatchArrayTraversal);
BENCHMARK(BM_MatchIn);
BENCHMARK(BM_MatchRegex);
BENCHMARK(BM_MatchElemMatch);
BENCHMARK(BM_MatchOr);
BENCHMARK(BM_SortKey);
BENCHMARK(BM_ProjectionInclusion);

}  // namespace

BENCHMARK_MAIN();
