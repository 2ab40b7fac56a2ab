#include "query/planner.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bson/bson.h"
#include "index/index_build.h"
#include "index/index_maintenance.h"
#include "index/index_validation.h"
#include "query/explain.h"
#include "query/match_parser.h"
#include "query/plan_executor.h"
#include "query/sort_pattern.h"
#include "storage/engine.h"
#include "indexed_collection_test.h"
#include "test_util.h"

namespace dds::query {
namespace {

using bson::BsonDocument;
using bson::FromJson;

class PlannerTest : public IndexedCollectionTest {
 protected:
  struct Query {
    std::string filter = "{}";
    std::string sort = "{}";
    std::string projection = "{}";
    std::string hint;  // JSON of the hint value, "" for none
    int64_t skip = 0;
    int64_t limit = 0;
    bool count = false;
  };

  struct Prepared {
    BsonDocument filter, sort, projection, hint_holder;
    std::unique_ptr<MatchExpression> expr;
    PlannerRequest request;
  };

  // Indexes {a: 1} and {b: 1} over `docs` documents {_id: i, a: i % 2, b: i}: a filter on both
  // makes two candidates, b_1 the selective one for small b.
  void IndexAAndBOver(int docs) {
    Index(R"({"a":1})");
    Index(R"({"b":1})");
    for (int i = 0; i < docs; ++i) {
      Insert("{\"_id\":" + std::to_string(i) + ",\"a\":" + std::to_string(i % 2) +
             ",\"b\":" + std::to_string(i) + "}");
    }
  }

  std::unique_ptr<Prepared> Prepare(const Query& q) {
    auto p = std::make_unique<Prepared>();
    p->filter = FromJson(q.filter);
    p->sort = FromJson(q.sort);
    p->projection = FromJson(q.projection);
    auto expr = ParseMatchExpression(p->filter.view());
    EXPECT_TRUE(expr.ok()) << expr.status().ToString();
    p->expr = std::move(expr).value();
    p->request.filter = p->expr.get();
    p->request.filter_doc = p->filter.view();
    p->request.sort = p->sort.view();
    p->request.projection = p->projection.view();
    if (!q.hint.empty()) {
      p->hint_holder = FromJson("{\"h\":" + q.hint + "}");
      p->request.hint = p->hint_holder["h"];
    }
    p->request.skip = q.skip;
    p->request.limit = q.limit;
    p->request.count_only = q.count;
    return p;
  }

  // Runs the plan; returns the _ids (as JSON) of matching documents in output order.
  std::vector<std::string> Run(const QueryPlan& plan, const PlannerRequest& r,
                               PlanRunStats* stats = nullptr) {
    PlanRunStats local;
    auto read = engine_->BeginRead();
    auto cursor = plan.Open(read.get(), stats ? stats : &local);
    std::vector<std::string> ids;
    while (cursor->Next()) {
      if (r.filter == nullptr || r.filter->Matches(cursor->doc(), nullptr)) {
        ids.push_back(cursor->doc()["_id"].ValueToJson());
      }
    }
    EXPECT_OK(cursor->status());
    return ids;
  }

  std::string Explain(const Query& q, ExplainVerbosity v = ExplainVerbosity::kExecutionStats) {
    auto p = Prepare(q);
    ExplainRequest req;
    req.ns = "db.c";
    req.planner = p->request;
    req.verbosity = v;
    if (q.count) req.root_stage = "COUNT";
    auto out = ExplainQuery(*engine_, Coll(), req);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? out.value().ToJson() : "";
  }
};

std::string PlanOf(PlannerTest* t, storage::Engine& engine, const storage::CollectionPtr& coll,
                   const PlannerRequest& r) {
  auto res = PlanQuery(engine, coll, r);
  EXPECT_TRUE(res.ok()) << res.status().ToString();
  return res.ok() ? res.value().winner->Summary() : res.status().ToString();
}

TEST_F(PlannerTest, ChoosesIndexForEqualityAndRange) {
  Index(R"({"a":1})");
  for (int i = 0; i < 50; ++i) Insert("{\"_id\":" + std::to_string(i) + ",\"a\":" + std::to_string(i % 10) + "}");
  auto p = Prepare({.filter = R"({"a":3})"});
  auto res = PlanQuery(*engine_, Coll(), p->request);
  ASSERT_OK(res);
  EXPECT_EQ(res.value().winner->Summary(), "IXSCAN a_1");
  PlanRunStats stats;
  EXPECT_EQ(Run(*res.value().winner, p->request, &stats).size(), 5u);
  EXPECT_EQ(stats.keys_examined, 5);
  EXPECT_EQ(stats.docs_examined, 5);
  auto q = Prepare({.filter = R"({"b":3})"});
  EXPECT_EQ(PlanOf(this, *engine_, Coll(), q->request), "COLLSCAN");
}

TEST_F(PlannerTest, BadHintIsBadValue) {
  Index(R"({"a":1})");
  auto p = Prepare({.filter = R"({"a":3})", .hint = R"("nope")"});
  auto res = PlanQuery(*engine_, Coll(), p->request);
  ASSERT_CODE(res, ErrorCode::kBadValue);
  EXPECT_EQ(res.status().reason(),
            "error processing query: ns=db.c planner returned error :: caused by :: hint provided "
            "does not correspond to an existing index");
  auto by_key = Prepare({.filter = R"({"b":3})", .hint = R"({"a":1})"});
  EXPECT_EQ(PlanOf(this, *engine_, Coll(), by_key->request), "IXSCAN a_1");
  auto natural = Prepare({.filter = R"({"a":3})", .hint = R"({"$natural":1})"});
  EXPECT_EQ(PlanOf(this, *engine_, Coll(), natural->request), "COLLSCAN");
}

TEST_F(PlannerTest, SparseAndPartialApplicability) {
  Index(R"({"s":1})", R"("sparse":true)");
  Index(R"({"p":1})", R"("partialFilterExpression":{"p":{"$gt":5}})");
  Insert(R"({"_id":1,"s":1,"p":10})");
  Insert(R"({"_id":2})");
  EXPECT_EQ(PlanOf(this, *engine_, Coll(), Prepare({.filter = R"({"s":1})"})->request), "IXSCAN s_1");
  EXPECT_EQ(PlanOf(this, *engine_, Coll(), Prepare({.filter = R"({"s":null})"})->request), "COLLSCAN");
  EXPECT_EQ(PlanOf(this, *engine_, Coll(), Prepare({.filter = R"({"s":{"$exists":false}})"})->request),
            "COLLSCAN");
  EXPECT_EQ(PlanOf(this, *engine_, Coll(), Prepare({.filter = R"({"p":{"$gt":7}})"})->request),
            "IXSCAN p_1");
  EXPECT_EQ(PlanOf(this, *engine_, Coll(), Prepare({.filter = R"({"p":{"$gt":3}})"})->request),
            "COLLSCAN");
  EXPECT_EQ(PlanOf(this, *engine_, Coll(), Prepare({.filter = R"({"p":6})"})->request), "IXSCAN p_1");
}

TEST_F(PlannerTest, HiddenIndexIgnored) {
  Index(R"({"h":1})", R"("hidden":true)");
  EXPECT_EQ(PlanOf(this, *engine_, Coll(), Prepare({.filter = R"({"h":1})"})->request), "COLLSCAN");
}

// The express plan of a point query is PlanQuery's plan (same index, ranges and exactness) and
// finds what a collection scan finds; every filter or index PlanQuery would treat differently
// (several candidates, inexact bounds, multikey/sparse/partial/hashed/hidden/compound indexes)
// gets no express plan.
TEST_F(PlannerTest, ExpressEqualityPlanIsThePlannersPlan) {
  Index(R"({"s":1})");
  Index(R"({"t":1})", R"("unique":true)");
  Index(R"({"d.e":-1})");
  Index(R"({"m":1})");
  Index(R"({"sp":1})", R"("sparse":true)");
  Index(R"({"pa":1})", R"("partialFilterExpression":{"pa":{"$gt":0}})");
  Index(R"({"h":"hashed"})");
  Index(R"({"hid":1})", R"("hidden":true)");
  Index(R"({"two":1})");
  Index(R"({"two":1,"x":1})");
  Index(R"({"c1":1,"c2":1})");
  const std::vector<std::string> values = {
      "1", "1.0", R"({"$numberLong":"1"})", "2.5", R"("x")", R"("")", "true", "false",
      R"({"$date":"2024-01-01T00:00:00Z"})", R"({"$oid":"0123456789abcdef01234567"})",
      R"({"$numberDecimal":"1"})", R"({"$binary":{"base64":"AAE=","subType":"00"}})"};
  for (size_t i = 0; i < 60; ++i) {
    const std::string& v = values[i % values.size()];
    std::string doc = "{\"_id\":" + std::to_string(i) + ",\"s\":" + v + ",\"t\":" +
                      std::to_string(i) + ",\"d\":{\"e\":" + v + "},\"m\":[" + v +
                      ",3],\"sp\":" + v + ",\"pa\":" + v + ",\"h\":" + v + ",\"hid\":" + v +
                      ",\"two\":" + v + ",\"c1\":" + v + "}";
    ASSERT_TRUE(Insert(FromJson(doc))) << doc;
  }
  Insert(R"({"_id":100,"t":100})");
  Insert(R"({"_id":101,"t":101,"s":null})");
  storage::CollectionPtr coll = Coll();
  int found = 0;
  std::vector<std::string> filters;
  for (const std::string& v : values) {
    filters.push_back("{\"s\":" + v + "}");
    filters.push_back("{\"d.e\":" + v + "}");
  }
  filters.push_back(R"({"t":7})");
  filters.push_back(R"({"t":7.0})");
  filters.push_back(R"({"t":1000})");
  for (const std::string& filter : filters) {
    BsonDocument doc = FromJson(filter);
    std::shared_ptr<const QueryPlan> express = ExpressEqualityPlan(coll, doc.view());
    ASSERT_NE(express, nullptr) << filter;
    auto p = Prepare({.filter = filter});
    auto planned = PlanQuery(*engine_, coll, p->request);
    ASSERT_OK(planned);
    const QueryPlan& winner = *planned.value().winner;
    EXPECT_EQ(express->Summary(), winner.Summary()) << filter;
    EXPECT_TRUE(winner.exact) << filter;
    EXPECT_EQ(express->exact, winner.exact) << filter;
    EXPECT_EQ(express->dedup, winner.dedup) << filter;
    ASSERT_EQ(express->scans.size(), 1u);
    ASSERT_EQ(winner.scans.size(), 1u);
    const IndexScanNode& a = express->scans[0];
    const IndexScanNode& b = winner.scans[0];
    EXPECT_EQ(a.forward, b.forward) << filter;
    EXPECT_EQ(a.info.index_id, b.info.index_id) << filter;
    EXPECT_EQ(a.info.tuple_keys, b.info.tuple_keys) << filter;
    ASSERT_EQ(a.ranges.size(), b.ranges.size()) << filter;
    for (size_t i = 0; i < a.ranges.size(); ++i) {
      EXPECT_EQ(a.ranges[i].low, b.ranges[i].low) << filter;
      EXPECT_EQ(a.ranges[i].low_inclusive, b.ranges[i].low_inclusive) << filter;
      EXPECT_EQ(a.ranges[i].high, b.ranges[i].high) << filter;
      EXPECT_EQ(a.ranges[i].high_inclusive, b.ranges[i].high_inclusive) << filter;
      EXPECT_EQ(a.ranges[i].whole_tuple, b.ranges[i].whole_tuple) << filter;
    }
    // Executed without the filter (exact), as the find command runs it.
    auto scan = Prepare({.filter = filter, .hint = R"({"$natural":1})"});
    auto collscan = PlanQuery(*engine_, coll, scan->request);
    ASSERT_OK(collscan);
    std::vector<std::string> want = Run(*collscan.value().winner, scan->request);
    PlannerRequest no_filter;
    std::vector<std::string> got = Run(*express, no_filter);
    EXPECT_EQ(std::multiset<std::string>(got.begin(), got.end()),
              std::multiset<std::string>(want.begin(), want.end()))
        << filter;
    found += static_cast<int>(got.size());
  }
  EXPECT_GT(found, 60);

  for (const char* filter :
       {R"({"m":1})", R"({"sp":1})", R"({"pa":1})", R"({"h":1})", R"({"hid":1})", R"({"two":1})",
        R"({"c1":1})", R"({"nope":1})", R"({"_id":1})", R"({"s":null})", R"({"s":[1]})",
        R"({"s":{"a":1}})", R"({"s":{"$gt":1}})", R"({"s":{"$regex":"x"}})",
        R"({"s":{"$minKey":1}})", R"({"s":1,"t":1})", R"({})", R"({"$and":[{"s":1}]})",
        R"({"s.0":1})"}) {
    BsonDocument doc = FromJson(filter);
    EXPECT_EQ(ExpressEqualityPlan(coll, doc.view()), nullptr) << filter;
  }
  EXPECT_EQ(ExpressEqualityPlan(nullptr, FromJson(R"({"s":1})").view()), nullptr);
}

TEST_F(PlannerTest, SortThroughIndexForwardAndReverse) {
  Index(R"({"a":1,"b":-1})");
  for (int i = 0; i < 20; ++i) {
    Insert("{\"_id\":" + std::to_string(i) + ",\"a\":" + std::to_string(i % 3) +
           ",\"b\":" + std::to_string(i) + "}");
  }
  auto fwd = Prepare({.filter = R"({"a":1})", .sort = R"({"b":-1})"});
  auto res = PlanQuery(*engine_, Coll(), fwd->request);
  ASSERT_OK(res);
  EXPECT_TRUE(res.value().winner->provides_sort);
  EXPECT_TRUE(res.value().winner->scans[0].forward);
  EXPECT_EQ(Run(*res.value().winner, fwd->request),
            (std::vector<std::string>{"19", "16", "13", "10", "7", "4", "1"}));
  auto rev = Prepare({.filter = R"({"a":1})", .sort = R"({"b":1})"});
  res = PlanQuery(*engine_, Coll(), rev->request);
  ASSERT_OK(res);
  EXPECT_TRUE(res.value().winner->provides_sort);
  EXPECT_FALSE(res.value().winner->scans[0].forward);
  EXPECT_EQ(Run(*res.value().winner, rev->request).front(), "1");
  auto whole = Prepare({.sort = R"({"a":-1,"b":1})"});
  res = PlanQuery(*engine_, Coll(), whole->request);
  ASSERT_OK(res);
  EXPECT_TRUE(res.value().winner->provides_sort);
  EXPECT_EQ(Run(*res.value().winner, whole->request).front(), "2");
}

TEST_F(PlannerTest, CoveredProjection) {
  Index(R"({"a":1,"b":1})");
  Insert(R"({"_id":1,"a":1,"b":"x","c":5})");
  Insert(R"({"_id":2,"a":2,"c":6})");
  auto p = Prepare({.filter = R"({"a":{"$gte":1}})", .projection = R"({"a":1,"b":1,"_id":0})"});
  auto res = PlanQuery(*engine_, Coll(), p->request);
  ASSERT_OK(res);
  EXPECT_TRUE(res.value().winner->covered);
  PlanRunStats stats;
  auto read = engine_->BeginRead();
  auto cursor = res.value().winner->Open(read.get(), &stats);
  std::vector<std::string> docs;
  while (cursor->Next()) docs.push_back(cursor->doc().ToJson());
  EXPECT_EQ(docs, (std::vector<std::string>{R"({"a":1,"b":"x"})", R"({"a":2})"}));
  EXPECT_EQ(stats.docs_examined, 0);
  auto not_covered = Prepare({.filter = R"({"a":1})", .projection = R"({"a":1,"c":1})"});
  res = PlanQuery(*engine_, Coll(), not_covered->request);
  ASSERT_OK(res);
  EXPECT_FALSE(res.value().winner->covered);
}

TEST_F(PlannerTest, MultiPlannerPrefersSelectiveIndexAndCaches) {
  IndexAAndBOver(400);
  auto p = Prepare({.filter = R"({"a":1,"b":{"$lt":5}})"});
  auto res = PlanQuery(*engine_, Coll(), p->request);
  ASSERT_OK(res);
  EXPECT_EQ(res.value().winner->Summary(), "IXSCAN b_1");
  EXPECT_EQ(res.value().trials.size(), 2u);
  EXPECT_FALSE(res.value().from_cache);
  auto again = Prepare({.filter = R"({"a":0,"b":{"$lt":7}})"});
  res = PlanQuery(*engine_, Coll(), again->request);
  ASSERT_OK(res);
  EXPECT_TRUE(res.value().from_cache);
  EXPECT_EQ(res.value().winner->Summary(), "IXSCAN b_1");
}

// planCacheClear's unit: a shape (values ignored) clears its entries whatever their limit or
// count; the other shapes and other collections keep theirs. The listing drops entries made
// among another index set.
TEST_F(PlannerTest, PlanCacheEntriesClearByShape) {
  IndexAAndBOver(100);
  auto plan = [&](const Query& q) { ASSERT_OK(PlanQuery(*engine_, Coll(), Prepare(q)->request)); };
  plan({.filter = R"({"a":1,"b":{"$lt":5}})"});
  plan({.filter = R"({"a":1,"b":{"$lt":5}})", .limit = 3});
  plan({.filter = R"({"a":1,"b":{"$lt":5}})", .count = true});
  plan({.filter = R"({"a":1,"b":5})"});
  plan({.filter = R"({"a":1,"b":5})", .sort = R"({"a":1})"});
  storage::CollectionPtr coll = Coll();
  std::vector<PlanCacheEntryInfo> entries = CollectionPlanCacheEntries(*coll);
  ASSERT_EQ(entries.size(), 5u);
  for (const PlanCacheEntryInfo& e : entries) {
    EXPECT_NE(e.plan, nullptr);
    EXPECT_EQ(e.scores.size(), 2u);
    EXPECT_GT(e.works, 0);
  }
  BsonDocument other_values = FromJson(R"({"a":0,"b":{"$lt":99}})");
  EXPECT_EQ(ClearCollectionPlanCache(*coll, PlanCacheShape{other_values.view(), {}, {}}), 3u);
  ASSERT_EQ(CollectionPlanCacheEntries(*coll).size(), 2u);
  BsonDocument point = FromJson(R"({"a":7,"b":8})");
  BsonDocument sort = FromJson(R"({"a":1})");
  EXPECT_EQ(ClearCollectionPlanCache(*coll, PlanCacheShape{point.view(), sort.view(), {}}), 1u);
  ASSERT_EQ(CollectionPlanCacheEntries(*coll).size(), 1u);
  // Another collection's entries are not this one's.
  ASSERT_OK(engine_->catalog().CreateCollection("db", "d", bson::BsonView(), nullptr));
  EXPECT_TRUE(CollectionPlanCacheEntries(*engine_->catalog().Lookup("db", "d")).empty());
  EXPECT_EQ(ClearCollectionPlanCache(*engine_->catalog().Lookup("db", "d"), std::nullopt), 0u);
  ASSERT_EQ(CollectionPlanCacheEntries(*coll).size(), 1u);
  // A new index makes the entry stale: it is neither listed nor kept.
  Index(R"({"c":1})");
  EXPECT_TRUE(CollectionPlanCacheEntries(*Coll()).empty());
  plan({.filter = R"({"a":1,"b":5})"});
  EXPECT_EQ(ClearCollectionPlanCache(*Coll(), std::nullopt), 1u);
  EXPECT_TRUE(CollectionPlanCacheEntries(*Coll()).empty());
}

// A cached plan that no longer suits the data (mongod's CachedPlanStage): executing it costs more
// than 10x the works of the trial that chose it before it produces the trial's result target, so
// the execution evicts the entry and the next query plans again; a plan that keeps its promise
// keeps its entry.
TEST_F(PlannerTest, CachedPlanOverrunEvictsTheEntry) {
  IndexAAndBOver(400);
  const Query query{.filter = R"({"a":1,"b":{"$lt":5}})"};
  auto run = [&]() {
    auto p = Prepare(query);
    auto planned = PlanQuery(*engine_, Coll(), p->request);
    EXPECT_OK(planned);
    PlanSpec spec;
    spec.filter = std::shared_ptr<const MatchExpression>(std::move(p->expr));
    spec.plan = planned.value().winner;
    spec.cached_check = planned.value().cached_check;
    PlanExecutor exec(*engine_, Coll(), std::move(spec));
    bson::BsonDocument out;
    int64_t n = 0;
    while (exec.Next(&out).value()) ++n;
    return std::make_pair(planned.value(), n);
  };
  auto [first, n1] = run();
  EXPECT_FALSE(first.from_cache);
  EXPECT_EQ(first.winner->Summary(), "IXSCAN b_1");
  EXPECT_EQ(n1, 2);
  auto [second, n2] = run();  // same data: the cached plan keeps its promise
  EXPECT_TRUE(second.from_cache);
  ASSERT_TRUE(second.cached_check.has_value());
  EXPECT_EQ(n2, 2);
  ASSERT_EQ(CollectionPlanCacheEntries(*Coll()).size(), 1u);
  // Now b < 5 holds for 1000 more documents, none with a = 1: the b_1 scan examines them all.
  for (int i = 400; i < 1400; ++i) {
    Insert("{\"_id\":" + std::to_string(i) + ",\"a\":0,\"b\":" + std::to_string(i % 5) + "}");
  }
  auto [third, n3] = run();
  EXPECT_TRUE(third.from_cache);
  EXPECT_EQ(n3, 2);  // the overrunning execution still answers its query
  EXPECT_TRUE(CollectionPlanCacheEntries(*Coll()).empty());
  auto [fourth, n4] = run();
  EXPECT_FALSE(fourth.from_cache);
  EXPECT_EQ(fourth.winner->Summary(), "IXSCAN a_1");
  EXPECT_EQ(n4, 2);
}

TEST_F(PlannerTest, OrThroughTwoIndexes) {
  Index(R"({"a":1})");
  Index(R"({"b":1})");
  for (int i = 0; i < 30; ++i) {
    Insert("{\"_id\":" + std::to_string(i) + ",\"a\":" + std::to_string(i) + ",\"b\":" +
           std::to_string(100 - i) + "}");
  }
  auto p = Prepare({.filter = R"({"$or":[{"a":3},{"b":{"$gte":99}},{"a":1}]})"});
  auto res = PlanQuery(*engine_, Coll(), p->request);
  ASSERT_OK(res);
  EXPECT_EQ(res.value().winner->Summary(), "OR(IXSCAN a_1, IXSCAN b_1, IXSCAN a_1)");
  std::vector<std::string> ids = Run(*res.value().winner, p->request);
  std::set<std::string> got(ids.begin(), ids.end());
  EXPECT_EQ(got, (std::set<std::string>{"0", "1", "3"}));
  EXPECT_EQ(ids.size(), 3u);
}

TEST_F(PlannerTest, RangeWithLimitExaminesFewKeys) {
  Index(R"({"a":1})");
  for (int i = 0; i < 300; ++i) Insert("{\"_id\":" + std::to_string(i) + ",\"a\":" + std::to_string(i) + "}");
  auto p = Prepare({.filter = R"({"a":{"$gte":100}})", .limit = 10});
  auto res = PlanQuery(*engine_, Coll(), p->request);
  ASSERT_OK(res);
  PlanRunStats stats;
  auto n = ExecutePlanForCount(*engine_, *res.value().winner, p->request, &stats);
  ASSERT_OK(n);
  EXPECT_EQ(n.value(), 10);
  EXPECT_LE(stats.keys_examined, 11);
}

// ---- golden explain output ----

std::string GoldenPath() {
  return (std::filesystem::path(__FILE__).parent_path() / "golden" / "planner_explain.txt")
      .string();
}

TEST_F(PlannerTest, GoldenExplainOutput) {
  Index(R"({"a":1})");
  Index(R"({"a":1,"b":-1})");
  Index(R"({"c":1})", R"("unique":true)");
  Index(R"({"t":1})");
  Index(R"({"h":"hashed"})");
  for (int i = 0; i < 60; ++i) {
    std::string tags = i % 4 == 0 ? "[1,2]" : std::to_string(i % 5);
    Insert("{\"_id\":" + std::to_string(i) + ",\"a\":" + std::to_string(i % 6) + ",\"b\":" +
           std::to_string(i) + ",\"c\":" + std::to_string(i) + ",\"t\":" + tags + ",\"h\":\"k" +
           std::to_string(i % 7) + "\"}");
  }
  std::vector<std::pair<std::string, Query>> cases = {
      {"collscan", {.filter = R"({"z":1})"}},
      {"equality_unique", {.filter = R"({"c":7})"}},
      {"range_with_limit", {.filter = R"({"c":{"$gt":10,"$lte":20}})", .limit = 3}},
      {"in_list", {.filter = R"({"c":{"$in":[3,1,2]}})"}},
      {"compound_prefix_sort", {.filter = R"({"a":2})", .sort = R"({"b":-1})", .skip = 1, .limit = 4}},
      {"blocking_sort", {.filter = R"({"c":{"$lt":10}})", .sort = R"({"b":1})"}},
      {"covered", {.filter = R"({"c":{"$gte":50}})", .projection = R"({"c":1,"_id":0})"}},
      {"multikey_range", {.filter = R"({"t":{"$gt":1,"$lt":3}})"}},
      {"hashed_equality", {.filter = R"({"h":"k3"})"}},
      {"or_two_indexes", {.filter = R"({"$or":[{"c":5},{"t":2}]})"}},
      {"hint_by_name", {.filter = R"({"b":5})", .hint = R"("a_1_b_-1")"}},
      {"natural_reverse", {.filter = R"({"a":1})", .hint = R"({"$natural":-1})"}},
      {"count_covered", {.filter = R"({"c":{"$gt":55}})", .count = true}},
  };
  std::ostringstream out;
  for (const auto& [name, q] : cases) {
    out << "### " << name << "\n" << Explain(q) << "\n";
  }
  std::string actual = out.str();
  // Execution times vary: blank them.
  for (std::string key : {"\"executionTimeMillis\":", "\"executionTimeMillisEstimate\":"}) {
    size_t pos = 0;
    while ((pos = actual.find(key, pos)) != std::string::npos) {
      size_t start = pos + key.size(), end = actual.find_first_of(",}", start);
      actual.replace(start, end - start, "0");
      pos = start;
    }
  }
  if (std::getenv("DDS_UPDATE_GOLDEN") != nullptr) {
    std::filesystem::create_directories(std::filesystem::path(GoldenPath()).parent_path());
    std::ofstream(GoldenPath()) << actual;
    GTEST_SKIP() << "golden file regenerated: " << GoldenPath();
  }
  std::ifstream in(GoldenPath());
  ASSERT_TRUE(in.good()) << "missing " << GoldenPath() << " (run with DDS_UPDATE_GOLDEN=1)";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str()) << "regenerate with DDS_UPDATE_GOLDEN=1 and review the diff";
}

// ---- randomized property test: every index plan returns what a collection scan returns ----

std::string RandomValue(std::mt19937& rng, bool allow_array) {
  switch (rng() % (allow_array ? 9 : 8)) {
    case 0:
      return std::to_string(static_cast<int>(rng() % 7) - 2);
    case 1:
      return std::to_string(static_cast<int>(rng() % 7) - 2) + ".5";
    case 2:
      return "\"" + std::string(1, static_cast<char>('a' + rng() % 4)) + "\"";
    case 3:
      return "null";
    case 4:
      return rng() % 2 ? "true" : "false";
    case 5:
      return "{\"$numberLong\":\"" + std::to_string(rng() % 5) + "\"}";
    case 6:
      return "{\"x\":" + std::to_string(rng() % 3) + "}";
    case 7:
      return "{\"$date\":{\"$numberLong\":\"" + std::to_string(rng() % 4) + "\"}}";
    default: {
      std::string arr = "[";
      int n = static_cast<int>(rng() % 4);
      for (int i = 0; i < n; ++i) arr += (i ? "," : "") + RandomValue(rng, false);
      return arr + "]";
    }
  }
}

// The unique field v of document i of RandomizedIndexPlansMatchCollectionScan: its shape
// depends on i (an int, a string, an array: multikey, a long), its value is i's alone.
std::string UniqueV(int i) {
  switch (i % 4) {
    case 0:
      return std::to_string(i);
    case 1:
      return "\"s" + std::to_string(i) + "\"";
    case 2:
      return "[" + std::to_string(1000 + i) + "," + std::to_string(2000 + i) + "]";
    default:
      return "{\"$numberLong\":\"" + std::to_string(500 + i) + "\"}";
  }
}

// The unique, sparse field u of document i (absent when i % 3 == 0).
std::string UniqueU(int i) { return std::to_string((i * 7) % 400) + ".5"; }

// A value that u or v of some document has (or had before the replacements), or does not.
std::string UniqueFieldValue(std::mt19937& rng) {
  int i = static_cast<int>(rng() % 420);
  switch (rng() % 4) {
    case 0: {
      std::string v = UniqueV(i);
      if (v[0] != '[') return v;
      return std::to_string((rng() % 2 ? 1000 : 2000) + i);  // one element of the array
    }
    case 1:
      return UniqueU(i);
    case 2:
      return "\"m" + std::to_string(i % 300) + "\"";  // a replacement's v
    default:
      return std::to_string(i);
  }
}

std::string RandomLeaf(std::mt19937& rng) {
  static const char* kFields[] = {"a", "b", "c", "d.e", "u", "v"};
  std::string f = kFields[rng() % 6];
  std::string v = f == "u" || f == "v" ? UniqueFieldValue(rng) : RandomValue(rng, rng() % 8 == 0);
  switch (rng() % 9) {
    case 0:
    case 1:
      return "{\"" + f + "\":" + v + "}";
    case 2:
      return "{\"" + f + "\":{\"$gt\":" + v + "}}";
    case 3:
      return "{\"" + f + "\":{\"$lte\":" + v + "}}";
    case 4:
      return "{\"" + f + "\":{\"$gte\":" + v + ",\"$lt\":" + RandomValue(rng, false) + "}}";
    case 5:
      return "{\"" + f + "\":{\"$in\":[" + v + "," + RandomValue(rng, false) + "]}}";
    case 6:
      return "{\"" + f + "\":{\"$exists\":" + (rng() % 2 ? "true" : "false") + "}}";
    case 7:
      return "{\"" + f + "\":{\"$ne\":" + v + "}}";
    default:
      return "{\"" + f + "\":{\"$regex\":\"^" + std::string(1, static_cast<char>('a' + rng() % 4)) + "\"}}";
  }
}

TEST_F(PlannerTest, RandomizedIndexPlansMatchCollectionScan) {
  const std::vector<std::pair<std::string, std::string>> indexes = {
      {R"({"a":1})", ""},           {R"({"b":-1})", ""},
      {R"({"a":1,"b":1})", ""},     {R"({"c":1})", R"("sparse":true)"},
      {R"({"d.e":1})", ""},         {R"({"a":-1,"c":1})", ""},
      {R"({"b":"hashed"})", ""},    {R"({"c":1,"a":1})", R"("partialFilterExpression":{"c":{"$gt":0}})"},
      // Unique (tuple-keyed): whole-key equalities are point reads; v is multikey.
      {R"({"v":1})", R"("unique":true)"},
      {R"({"u":1})", R"("unique":true,"sparse":true)"},
      {R"({"u":-1,"v":1})", R"("unique":true)"},
  };
  for (const auto& [key, extra] : indexes) Index(key, extra);
  std::mt19937 rng(12345);
  int inserted = 0;
  for (int i = 0; i < 400; ++i) {
    std::string doc = "{\"_id\":" + std::to_string(i);
    if (rng() % 5) doc += ",\"a\":" + RandomValue(rng, rng() % 3 == 0);
    if (rng() % 5) doc += ",\"b\":" + RandomValue(rng, rng() % 4 == 0);
    if (rng() % 3) doc += ",\"c\":" + RandomValue(rng, false);
    // Unique by construction (and u only in 2 of 3 documents: the index on it is sparse).
    doc += ",\"v\":" + UniqueV(i);
    if (i % 3) doc += ",\"u\":" + UniqueU(i);
    if (rng() % 3) {
      doc += ",\"d\":";
      doc += rng() % 3 ? "{\"e\":" + RandomValue(rng, rng() % 3 == 0) + "}"
                       : "[{\"e\":" + RandomValue(rng, false) + "},{\"f\":1}]";
    }
    doc += "}";
    if (Insert(FromJson(doc))) ++inserted;  // parallel arrays / hashed arrays are rejected
  }
  ASSERT_GT(inserted, 200);
  storage::CollectionPtr coll = Coll();
  // Random replacements and deletes with index maintenance, then every index must still hold
  // exactly the keys of the documents (index::ValidateIndex checks both ways).
  int mutated = 0;
  for (int i = 0; i < 300; ++i) {
    BsonDocument id_doc = FromJson("{\"_id\":" + std::to_string(rng() % 400) + "}");
    bson::BsonElement id = id_doc.view()["_id"];
    auto unit = engine_->BeginWrite();
    auto old_doc = unit->GetRecordForUpdate(coll->id, id);
    ASSERT_OK(old_doc);
    if (!old_doc.value()) continue;
    if (rng() % 3 == 0) {
      ASSERT_OK(unit->DeleteRecord(coll->id, id));
      ASSERT_OK(index::OnDelete(unit.get(), *coll, id, old_doc.value()->view()));
    } else {
      std::string doc = "{\"_id\":" + std::string(id.ValueToJson());
      doc += ",\"v\":\"m" + std::to_string(i) + "\"";  // unique, as u
      if (rng() % 2) doc += ",\"u\":" + std::to_string(1000 + i) + ".25";
      if (rng() % 4) doc += ",\"a\":" + RandomValue(rng, rng() % 3 == 0);
      if (rng() % 4) doc += ",\"c\":" + RandomValue(rng, false);
      if (rng() % 3) doc += ",\"d\":{\"e\":" + RandomValue(rng, rng() % 3 == 0) + "}";
      doc += "}";
      BsonDocument new_doc = FromJson(doc);
      if (!index::OnUpdate(unit.get(), *coll, id, old_doc.value()->view(), new_doc.view()).ok()) {
        continue;  // rejected (parallel arrays, hashed array): the unit rolls back
      }
      ASSERT_OK(unit->UpdateRecord(coll->id, id, new_doc.view()));
    }
    ASSERT_OK(unit->Commit(false));
    ++mutated;
  }
  ASSERT_GT(mutated, 100);
  coll = Coll();
  {
    auto read = engine_->BeginRead();
    for (const storage::IndexDescriptor& d : coll->indexes) {
      if (d.index_id == 0) continue;
      auto method = index::GetAccessMethod(d);
      ASSERT_OK(method);
      auto v = index::ValidateIndex(read.get(), coll->id, *method.value());
      ASSERT_OK(v);
      EXPECT_TRUE(v.value().valid()) << d.name << ": " << v.value().missing_count << " missing, "
                                     << v.value().extra_count << " extra";
      EXPECT_GT(v.value().keys, 0) << d.name;
    }
  }
  int checked_plans = 0, unique_point_plans = 0;
  for (int iter = 0; iter < 300; ++iter) {
    std::string filter;
    switch (rng() % 4) {
      case 0:
        filter = RandomLeaf(rng);
        break;
      case 1:
        filter = "{\"$and\":[" + RandomLeaf(rng) + "," + RandomLeaf(rng) + "]}";
        break;
      case 2:
        filter = "{\"$or\":[" + RandomLeaf(rng) + "," + RandomLeaf(rng) + "]}";
        break;
      default:
        filter = "{\"$and\":[" + RandomLeaf(rng) + ",{\"$or\":[" + RandomLeaf(rng) + "," +
                 RandomLeaf(rng) + "]}]}";
    }
    auto base = Prepare({.filter = filter, .hint = R"({"$natural":1})"});
    auto scan = PlanQuery(*engine_, coll, base->request);
    ASSERT_OK(scan);
    std::vector<std::string> expected = Run(*scan.value().winner, base->request);
    std::multiset<std::string> want(expected.begin(), expected.end());
    // The planner's own choice, then every non-sparse, non-partial index by hint.
    std::vector<std::string> hints = {"", "\"a_1\"", "\"b_-1\"", "\"a_1_b_1\"", "\"d.e_1\"",
                                      "\"a_-1_c_1\"", "\"v_1\"", "\"u_-1_v_1\""};
    for (const std::string& hint : hints) {
      auto p = Prepare({.filter = filter, .hint = hint});
      auto res = PlanQuery(*engine_, coll, p->request);
      ASSERT_OK(res);
      std::vector<std::string> got = Run(*res.value().winner, p->request);
      std::multiset<std::string> have(got.begin(), got.end());
      EXPECT_EQ(have, want) << "filter " << filter << " hint " << hint << " plan "
                            << res.value().winner->Summary();
      ++checked_plans;
    }
  }
  EXPECT_GT(checked_plans, 1000);
  // Equalities and $in lists on the unique indexes: the planner's point reads (and the hinted
  // compound index's) find what a collection scan finds.
  for (int iter = 0; iter < 150; ++iter) {
    std::string filter;
    switch (rng() % 4) {
      case 0:
        filter = "{\"v\":" + UniqueFieldValue(rng) + "}";
        break;
      case 1:
        filter = "{\"u\":" + UniqueFieldValue(rng) + "}";
        break;
      case 2:
        filter = "{\"v\":{\"$in\":[" + UniqueFieldValue(rng) + "," + UniqueFieldValue(rng) + "]}}";
        break;
      default: {
        int i = static_cast<int>(rng() % 400);
        filter = "{\"u\":" + UniqueU(i) + ",\"v\":" + UniqueFieldValue(rng) + "}";
      }
    }
    auto base = Prepare({.filter = filter, .hint = R"({"$natural":1})"});
    auto scan = PlanQuery(*engine_, coll, base->request);
    ASSERT_OK(scan);
    std::vector<std::string> expected = Run(*scan.value().winner, base->request);
    std::multiset<std::string> want(expected.begin(), expected.end());
    for (const std::string& hint : {std::string(), std::string("\"u_-1_v_1\"")}) {
      auto p = Prepare({.filter = filter, .hint = hint});
      auto res = PlanQuery(*engine_, coll, p->request);
      ASSERT_OK(res);
      std::vector<std::string> got = Run(*res.value().winner, p->request);
      EXPECT_EQ(std::multiset<std::string>(got.begin(), got.end()), want)
          << "filter " << filter << " hint " << hint << " plan " << res.value().winner->Summary();
      const QueryPlan& plan = *res.value().winner;
      bool point_reads = plan.kind != QueryPlan::Kind::kCollScan && !want.empty();
      for (const IndexScanNode& scan_node : plan.scans) {
        point_reads = point_reads && scan_node.info.tuple_keys;
        for (const index::KeyRange& r : scan_node.ranges) point_reads = point_reads && r.whole_tuple;
      }
      unique_point_plans += point_reads ? 1 : 0;
    }
  }
  EXPECT_GT(unique_point_plans, 30);  // tuple-keyed point reads that found documents

  // Sorts provided by an index come out in the order a blocking sort produces.
  const std::vector<std::string> sorts = {R"({"a":1})", R"({"a":-1})", R"({"b":-1})", R"({"b":1})",
                                          R"({"a":1,"b":1})", R"({"a":-1,"b":-1})",
                                          R"({"d.e":1})", R"({"a":-1,"c":1})"};
  int index_sorts = 0;
  for (int iter = 0; iter < 200; ++iter) {
    std::string filter = rng() % 3 ? RandomLeaf(rng) : "{}";
    std::string sort = sorts[rng() % sorts.size()];
    auto p = Prepare({.filter = filter, .sort = sort});
    auto res = PlanQuery(*engine_, coll, p->request);
    ASSERT_OK(res);
    if (!res.value().winner->provides_sort) continue;
    ++index_sorts;
    auto pattern = SortPattern::Parse(p->sort.view());
    ASSERT_OK(pattern);
    auto read = engine_->BeginRead();
    PlanRunStats stats;
    auto cursor = res.value().winner->Open(read.get(), &stats);
    std::vector<BsonDocument> keys;
    while (cursor->Next()) {
      if (p->expr->Matches(cursor->doc(), nullptr)) keys.push_back(pattern.value().ExtractKey(cursor->doc()));
    }
    for (size_t i = 1; i < keys.size(); ++i) {
      ASSERT_LE(pattern.value().CompareKeys(keys[i - 1], keys[i]), 0)
          << "filter " << filter << " sort " << sort << " at " << i << ": "
          << keys[i - 1].ToJson() << " then " << keys[i].ToJson();
    }
  }
  EXPECT_GT(index_sorts, 20);
}

}  // namespace
}  // namespace dds::query
