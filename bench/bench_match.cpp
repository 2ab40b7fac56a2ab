// Micro-benchmarks of the pure query layers on a typical ~1 KB document: match evaluation (the
// per-document hot path of every find), sort-key extraction and projection. Every benchmark reports
// `allocs_per_doc`, counted by the global operator new of bench_common.cpp, so "simple predicates evaluate without
// a heap allocation per document" is measured, not assumed. Two baselines run in the same process
// (a walk over every element, and a plain copy of the document) so that figures can be read as
// ratios on a loaded machine. Run by hand: build-*/bin/bench_match [--benchmark_filter=Match].
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench_common.h"
#include "bson/bson.h"
#include "query/match_parser.h"
#include "query/projection.h"
#include "query/sort_pattern.h"

namespace {

using dds::bson::BsonDocument;
using dds::bson::BsonElement;
using dds::bson::FromJson;

using dds::bench::AllocationScope;
using dds::bench::SampleDocument;

// --- baselines ---------------------------------------------------------------------------------

void BM_BaselineWalkElements(benchmark::State& state) {
  const BsonDocument& doc = SampleDocument();
  AllocationScope scope(state);
  for (auto _ : state) {
    size_t n = 0;
    for (const BsonElement& e : doc.view()) n += e.size();
    benchmark::DoNotOptimize(n);
  }
}

void BM_BaselineCopyDocument(benchmark::State& state) {
  const BsonDocument& doc = SampleDocument();
  AllocationScope scope(state);
  for (auto _ : state) {
    BsonDocument copy(doc.view());
    benchmark::DoNotOptimize(copy.view().data());
  }
}

// --- match -------------------------------------------------------------------------------------

void RunMatch(benchmark::State& state, const char* filter, bool expect) {
  const BsonDocument& doc = SampleDocument();
  auto m = dds::query::ParseMatchExpression(FromJson(filter));
  if (!m.ok()) {
    state.SkipWithError(m.status().ToString().c_str());
    return;
  }
  if (m.value()->Matches(doc) != expect) {
    state.SkipWithError("unexpected match result");
    return;
  }
  AllocationScope scope(state);
  for (auto _ : state) benchmark::DoNotOptimize(m.value()->Matches(doc));
}

void BM_MatchEqualityFirstField(benchmark::State& s) { RunMatch(s, R"({"orderNo": 100234})", true); }
void BM_MatchEqualityLastField(benchmark::State& s) { RunMatch(s, R"({"version": 3})", true); }
void BM_MatchEqualityString(benchmark::State& s) { RunMatch(s, R"({"status": "shipped"})", true); }
void BM_MatchNoMatch(benchmark::State& s) { RunMatch(s, R"({"status": "cancelled"})", false); }
void BM_MatchRange(benchmark::State& s) { RunMatch(s, R"({"score": {"$gte": 50, "$lt": 100}})", true); }
void BM_MatchDateRange(benchmark::State& s) {
  RunMatch(s, R"({"created": {"$gte": {"$date": "2024-01-01T00:00:00Z"}}})", true);
}
void BM_MatchDotted(benchmark::State& s) { RunMatch(s, R"({"customer.address.city": "London"})", true); }
void BM_MatchArrayOfScalars(benchmark::State& s) { RunMatch(s, R"({"tags": "eu"})", true); }
void BM_MatchArrayTraversal(benchmark::State& s) { RunMatch(s, R"({"items.sku": "C-3001"})", true); }
void BM_MatchIn(benchmark::State& s) { RunMatch(s, R"({"status": {"$in": ["new", "paid", "shipped"]}})", true); }
void BM_MatchNin(benchmark::State& s) { RunMatch(s, R"({"tags": {"$nin": ["spam", "fraud"]}})", true); }
void BM_MatchExists(benchmark::State& s) { RunMatch(s, R"({"payment.refund": {"$exists": false}})", true); }
void BM_MatchNeNull(benchmark::State& s) { RunMatch(s, R"({"customer.email": {"$ne": null}})", true); }
void BM_MatchType(benchmark::State& s) { RunMatch(s, R"({"totals.net": {"$type": "number"}})", true); }
void BM_MatchSize(benchmark::State& s) { RunMatch(s, R"({"items": {"$size": 5}})", true); }
void BM_MatchBits(benchmark::State& s) { RunMatch(s, R"({"flags": {"$bitsAllSet": [0, 2]}})", true); }
void BM_MatchAnd3(benchmark::State& s) {
  RunMatch(s, R"({"status": "shipped", "customer.vip": true, "totals.gross": {"$gt": 100}})", true);
}
void BM_MatchOr(benchmark::State& s) { RunMatch(s, R"({"$or": [{"score": 1}, {"channel": "web"}]})", true); }
void BM_MatchRegex(benchmark::State& s) { RunMatch(s, R"({"customer.email": {"$regex": "@example\\.com$"}})", true); }
void BM_MatchElemMatch(benchmark::State& s) {
  RunMatch(s, R"({"items": {"$elemMatch": {"sku": {"$regex": "^B"}, "qty": {"$gte": 3}}}})", true);
}
void BM_MatchAll(benchmark::State& s) { RunMatch(s, R"({"tags": {"$all": ["gift", "eu"]}})", true); }

// --- sort keys and projection ------------------------------------------------------------------

void BM_SortKey(benchmark::State& state) {
  const BsonDocument& doc = SampleDocument();
  auto p = dds::query::SortPattern::Parse(FromJson(R"({"items.price": -1, "orderNo": 1})"));
  AllocationScope scope(state);
  for (auto _ : state) benchmark::DoNotOptimize(p->ExtractKey(doc));
}

void RunProjection(benchmark::State& state, const char* spec, const char* query = "{}") {
  const BsonDocument& doc = SampleDocument();
  BsonDocument query_doc = FromJson(query);
  auto p = dds::query::Projection::Parse(FromJson(spec), query_doc);
  if (!p.ok()) {
    state.SkipWithError(p.status().ToString().c_str());
    return;
  }
  if (!p->Apply(doc).ok()) {
    state.SkipWithError("projection failed");
    return;
  }
  AllocationScope scope(state);
  for (auto _ : state) benchmark::DoNotOptimize(p->Apply(doc));
}

void BM_ProjectionInclusion(benchmark::State& s) { RunProjection(s, R"({"orderNo": 1, "status": 1, "totals.gross": 1})"); }
void BM_ProjectionExclusion(benchmark::State& s) { RunProjection(s, R"({"notes": 0, "items": 0})"); }
void BM_ProjectionNestedArray(benchmark::State& s) { RunProjection(s, R"({"items.sku": 1, "items.qty": 1})"); }
void BM_ProjectionSlice(benchmark::State& s) { RunProjection(s, R"({"items": {"$slice": 2}, "notes": 0})"); }
void BM_ProjectionElemMatch(benchmark::State& s) {
  RunProjection(s, R"({"items": {"$elemMatch": {"qty": {"$gte": 3}}}, "orderNo": 1})");
}

BENCHMARK(BM_BaselineWalkElements);
BENCHMARK(BM_BaselineCopyDocument);
BENCHMARK(BM_MatchEqualityFirstField);
BENCHMARK(BM_MatchEqualityLastField);
BENCHMARK(BM_MatchEqualityString);
BENCHMARK(BM_MatchNoMatch);
BENCHMARK(BM_MatchRange);
BENCHMARK(BM_MatchDateRange);
BENCHMARK(BM_MatchDotted);
BENCHMARK(BM_MatchArrayOfScalars);
BENCHMARK(BM_MatchArrayTraversal);
BENCHMARK(BM_MatchIn);
BENCHMARK(BM_MatchNin);
BENCHMARK(BM_MatchExists);
BENCHMARK(BM_MatchNeNull);
BENCHMARK(BM_MatchType);
BENCHMARK(BM_MatchSize);
BENCHMARK(BM_MatchBits);
BENCHMARK(BM_MatchAnd3);
BENCHMARK(BM_MatchOr);
BENCHMARK(BM_MatchRegex);
BENCHMARK(BM_MatchElemMatch);
BENCHMARK(BM_MatchAll);
BENCHMARK(BM_SortKey);
BENCHMARK(BM_ProjectionInclusion);
BENCHMARK(BM_ProjectionExclusion);
BENCHMARK(BM_ProjectionNestedArray);
BENCHMARK(BM_ProjectionSlice);
BENCHMARK(BM_ProjectionElemMatch);

}  // namespace

BENCHMARK_MAIN();
