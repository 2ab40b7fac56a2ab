// COUNT_SCAN / DISTINCT_SCAN planning and execution (query/key_scans.h): which plans become key
// scans, their explain shape, and a randomized property test that counting keys and distinct
// scans answer exactly what a collection scan answers.
#include "query/key_scans.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "bson/bson.h"
#include "index/index_build.h"
#include "index/index_maintenance.h"
#include "query/explain.h"
#include "query/match_parser.h"
#include "query/planner.h"
#include "storage/engine.h"
#include "indexed_collection_test.h"
#include "test_util.h"

namespace dds::query {
namespace {

using bson::BsonDocument;
using bson::BsonElement;
using bson::FromJson;

class KeyScansTest : public IndexedCollectionTest {
 protected:
  struct Prepared {
    BsonDocument filter, hint_holder;
    std::unique_ptr<MatchExpression> expr;
    PlannerRequest request;
    std::string key;
  };

  std::unique_ptr<Prepared> Prepare(const std::string& filter, const std::string& hint,
                                    bool count, const std::string& distinct_key = "") {
    auto p = std::make_unique<Prepared>();
    p->filter = FromJson(filter);
    auto expr = ParseMatchExpression(p->filter.view());
    EXPECT_TRUE(expr.ok()) << expr.status().ToString();
    p->expr = std::move(expr).value();
    p->request.filter = p->filter.view().empty() ? nullptr : p->expr.get();
    p->request.filter_doc = p->filter.view();
    if (!hint.empty()) {
      p->hint_holder = FromJson("{\"h\":" + hint + "}");
      p->request.hint = p->hint_holder["h"];
    }
    p->request.count_only = count;
    p->key = distinct_key;
    p->request.distinct_key = p->key;
    return p;
  }

  std::shared_ptr<const QueryPlan> Plan(const Prepared& p) {
    auto res = PlanQuery(*engine_, Coll(), p.request);
    EXPECT_TRUE(res.ok()) << res.status().ToString();
    return res.ok() ? res.value().winner : nullptr;
  }

  // Matches of a collection scan.
  std::vector<BsonDocument> Scan(const Prepared& p) {
    auto read = engine_->BeginRead();
    auto cursor = read->ScanRecords(Coll()->id, true);
    std::vector<BsonDocument> out;
    while (cursor->Next()) {
      if (p.request.filter == nullptr || p.expr->Matches(cursor->doc(), nullptr)) {
        out.emplace_back(cursor->doc());
      }
    }
    EXPECT_OK(cursor->status());
    return out;
  }

  int64_t CountKeys(const QueryPlan& plan, PlanRunStats* stats) {
    auto read = engine_->BeginRead();
    auto n = CountPlanKeys(read.get(), plan, 0, stats);
    EXPECT_OK(n);
    return n.ok() ? n.value() : -1;
  }

  std::string Explain(const Prepared& p, const std::string& root) {
    ExplainRequest req;
    req.ns = "db.c";
    req.planner = p.request;
    req.verbosity = ExplainVerbosity::kExecutionStats;
    req.root_stage = root;
    auto out = ExplainQuery(*engine_, Coll(), req);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? out.value().ToJson() : "";
  }
};

// The distinct values of `path` in `doc` (the distinct command's extraction: arrays at the end of
// the path are flattened one level, arrays of documents traversed).
void Collect(const bson::BsonView& obj, std::string_view path, std::vector<BsonElement>* out) {
  size_t dot = path.find('.');
  BsonElement e = obj[path.substr(0, dot)];
  if (e.eoo()) return;
  if (dot == std::string_view::npos) {
    if (e.IsArray()) {
      for (const BsonElement& x : e.Array()) out->push_back(x);
    } else {
      out->push_back(e);
    }
    return;
  }
  std::string_view rest = path.substr(dot + 1);
  if (e.IsObject()) {
    Collect(e.Object(), rest, out);
  } else if (e.IsArray()) {
    for (const BsonElement& x : e.Array()) {
      if (x.IsObject()) Collect(x.Object(), rest, out);
    }
  }
}

struct ValueLess {
  bool operator()(const BsonDocument& a, const BsonDocument& b) const {
    return bson::CompareElementValues(a.view().FirstElement(), b.view().FirstElement()) < 0;
  }
};
using ValueSet = std::set<BsonDocument, ValueLess>;

void AddValue(ValueSet* set, const BsonElement& v) {
  bson::BsonBuilder b;
  b.AppendElementAs("", v);
  set->insert(b.Done());
}

std::string Dump(const ValueSet& set) {
  std::string s;
  for (const BsonDocument& d : set) s += d.view().FirstElement().ValueToJson() + " ";
  return s;
}

TEST_F(KeyScansTest, CountScanForExactSingleInterval) {
  Index(R"({"a":1})");
  Index(R"({"a":1,"b":-1})");
  for (int i = 0; i < 20; ++i) {
    Insert("{\"_id\":" + std::to_string(i) + ",\"a\":" + std::to_string(i % 4) + ",\"b\":" +
           std::to_string(i % 3) + "}");
  }
  auto p = Prepare(R"({"a":{"$gte":1,"$lt":3}})", "", true);
  auto plan = Plan(*p);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->exact);
  EXPECT_TRUE(plan->count_scan);
  EXPECT_EQ(plan->Summary(), "COUNT_SCAN a_1 covered");
  PlanRunStats stats;
  EXPECT_EQ(CountKeys(*plan, &stats), 10);
  EXPECT_EQ(stats.keys_examined, 10);
  EXPECT_EQ(stats.docs_examined, 0);
  std::string explain = Explain(*p, "COUNT");
  EXPECT_NE(explain.find(R"("stage":"COUNT","nCounted":10)"), std::string::npos) << explain;
  EXPECT_NE(explain.find(R"("indexBounds":{"startKey":{"a":1},"startKeyInclusive":true,)"
                         R"("endKey":{"a":3},"endKeyInclusive":false})"),
            std::string::npos)
      << explain;

  // Compound: points then a range on the descending field, trailing fields absent.
  p = Prepare(R"({"a":2,"b":{"$gt":0}})", "", true);
  plan = Plan(*p);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->count_scan) << plan->Summary();
  EXPECT_EQ(CountKeys(*plan, &stats), static_cast<int64_t>(Scan(*p).size()));
  explain = Explain(*p, "COUNT");
  EXPECT_NE(explain.find(R"("startKey":{"a":2,"b":{"$numberDouble":"Infinity"}},)"
                         R"("startKeyInclusive":true,"endKey":{"a":2,"b":0},"endKeyInclusive":false)"),
            std::string::npos)
      << explain;

  // Trailing all-values field: {a: {$gt: 1}} on {a: 1, b: -1} (hinted).
  p = Prepare(R"({"a":{"$gt":1}})", R"("a_1_b_-1")", true);
  plan = Plan(*p);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->count_scan);
  explain = Explain(*p, "COUNT");
  EXPECT_NE(explain.find(R"("startKey":{"a":1,"b":{"$minKey":1}},"startKeyInclusive":false,)"
                         R"("endKey":{"a":{"$numberDouble":"Infinity"},"b":{"$minKey":1}},)"
                         R"("endKeyInclusive":true)"),
            std::string::npos)
      << explain;
}

// A unique multikey index keys its entries by the tuple alone: counting tells documents apart by
// the _id in the entries' values, not by a key suffix.
TEST_F(KeyScansTest, CountOverUniqueMultikeyIndexCountsDocuments) {
  Index(R"({"u":1})", R"("unique":true)");
  ASSERT_TRUE(Coll()->FindIndex("u_1")->tuple_keys);
  Insert(R"({"_id":1,"u":[1,2,3]})");
  Insert(R"({"_id":2,"u":[4,5]})");
  Insert(R"({"_id":3,"u":6})");
  auto p = Prepare(R"({"u":{"$gte":2}})", "", true);
  auto plan = Plan(*p);
  ASSERT_TRUE(plan);
  ASSERT_TRUE(plan->exact) << plan->Summary();
  PlanRunStats stats;
  EXPECT_EQ(CountKeys(*plan, &stats), 3);
  EXPECT_EQ(stats.keys_examined, 5);
  EXPECT_EQ(stats.dups_dropped, 2);
}

TEST_F(KeyScansTest, InexactFiltersAreNotCountScans) {
  Index(R"({"a":1})");
  Index(R"({"s":1})", R"("sparse":true)");
  Insert(R"({"_id":1,"a":1,"b":1,"s":1})");
  Insert(R"({"_id":2,"a":[1,2],"b":2})");
  const std::vector<std::string> inexact = {
      R"({"a":1,"b":1})",               // residual predicate on b
      R"({"a":{"$gt":0,"$lt":2}})",     // multikey: the two bounds cannot be intersected
      R"({"a":null})",                  // null also matches missing
      R"({"a":{"$regex":"^x"}})",       // regex bounds are a string bracket
      R"({"a":{"$lt":{"$numberDouble":"NaN"}}})",
      R"({"a":[1,2]})",                 // array equality
      R"({"$or":[{"a":1},{"a":2}]})",
      R"({"s":{"$exists":true}})",
  };
  for (const std::string& f : inexact) {
    auto p = Prepare(f, "", true);
    auto plan = Plan(*p);
    ASSERT_TRUE(plan);
    EXPECT_FALSE(plan->exact) << f << " " << plan->Summary();
    EXPECT_FALSE(plan->count_scan) << f;
  }
  // Multikey single predicate: exact, deduplicated per document.
  auto p = Prepare(R"({"a":{"$gte":1}})", "", true);
  auto plan = Plan(*p);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->count_scan);
  PlanRunStats stats;
  EXPECT_EQ(CountKeys(*plan, &stats), 2);
  EXPECT_EQ(stats.keys_examined, 3);
  EXPECT_EQ(stats.dups_dropped, 1);
}

TEST_F(KeyScansTest, DistinctScanSeeksPastEachValue) {
  Index(R"({"a":1,"b":1})");
  Index(R"({"a":1})");
  for (int i = 0; i < 60; ++i) {
    Insert("{\"_id\":" + std::to_string(i) + ",\"a\":" + std::to_string(i % 3) + ",\"b\":" +
           std::to_string(i % 5) + "}");
  }
  Insert(R"({"_id":100,"a":1.0})");
  Insert(R"({"_id":101,"a":{"$numberLong":"2"}})");
  Insert(R"({"_id":102})");
  Insert(R"({"_id":103,"a":null})");
  auto p = Prepare("{}", "", false, "a");
  auto plan = Plan(*p);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->Summary(), "DISTINCT_SCAN a_1 covered");  // the index with fewer fields
  auto read = engine_->BeginRead();
  PlanRunStats stats;
  std::vector<std::string> values;
  ASSERT_OK(ForEachDistinctKey(
      read.get(), *plan, &stats,
      [&](const BsonElement& v) { return values.push_back(v.ValueToJson()), true; },
      [&](const bson::BsonView&) { return ADD_FAILURE(), false; }));
  EXPECT_EQ(values, (std::vector<std::string>{"null", "0", "1", "2"}));
  // One key per value, plus the missing field's entry before the null one.
  EXPECT_LE(stats.keys_examined, 5);
  EXPECT_EQ(stats.docs_examined, 0);

  // With a filter the bounds answer: distinct b under a point on a.
  p = Prepare(R"({"a":1})", "", false, "b");
  plan = Plan(*p);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->distinct_field, 1);
  EXPECT_EQ(plan->Summary(), "DISTINCT_SCAN a_1_b_1 covered");
  std::string explain = Explain(*p, "");
  EXPECT_NE(explain.find(R"("winningPlan":{"stage":"PROJECTION_COVERED","transformBy":{"_id":0,"b":1},)"
                         R"("inputStage":{"stage":"DISTINCT_SCAN")"),
            std::string::npos)
      << explain;
  // A residual predicate: no DISTINCT_SCAN.
  p = Prepare(R"({"a":1,"c":2})", "", false, "a");
  plan = Plan(*p);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->distinct_field, -1);
}

TEST_F(KeyScansTest, StaleMultikeyFlagInvalidatesKeyScans) {
  Index(R"({"a":1})");
  Insert(R"({"_id":1,"a":1})");
  auto p = Prepare(R"({"a":{"$gte":1}})", "", true);
  auto plan = Plan(*p);
  ASSERT_TRUE(plan);
  ASSERT_TRUE(plan->count_scan);
  EXPECT_TRUE(KeyScansStillValid(*plan, Coll()));
  // An array makes the index multikey: the plan (without deduplication) no longer holds.
  Insert(R"({"_id":2,"a":[1,2,3]})");
  EXPECT_FALSE(KeyScansStillValid(*plan, Coll()));
  auto replanned = Plan(*p);
  ASSERT_TRUE(replanned);
  EXPECT_TRUE(KeyScansStillValid(*replanned, Coll()));
  PlanRunStats stats;
  EXPECT_EQ(CountKeys(*replanned, &stats), 2);
  EXPECT_EQ(stats.dups_dropped, 2);
}

// ---- randomized property test: key counts and distinct scans equal collection scans ----

std::string RandomValue(std::mt19937& rng, bool allow_array) {
  switch (rng() % (allow_array ? 10 : 9)) {
    case 0:
      return std::to_string(static_cast<int>(rng() % 7) - 2);
    case 1:
      return std::to_string(static_cast<int>(rng() % 7) - 2) + ".0";
    case 2:
      return "\"" + std::string(1, static_cast<char>('a' + rng() % 4)) + "\"";
    case 3:
      return "null";
    case 4:
      return rng() % 2 ? "true" : "false";
    case 5:
      return "{\"$numberLong\":\"" + std::to_string(rng() % 5) + "\"}";
    case 6:
      return rng() % 2 ? "{\"$numberDouble\":\"NaN\"}" : "{\"x\":1}";
    case 7:
      return "{\"$date\":{\"$numberLong\":\"" + std::to_string(rng() % 4) + "\"}}";
    case 8:
      return "{\"$numberDecimal\":\"" + std::to_string(rng() % 4) + "\"}";
    default: {
      std::string arr = "[";
      int n = static_cast<int>(rng() % 4);
      for (int i = 0; i < n; ++i) arr += (i ? "," : "") + RandomValue(rng, false);
      return arr + "]";
    }
  }
}

std::string RandomLeaf(std::mt19937& rng) {
  static const char* kFields[] = {"a", "b", "c", "d.e", "_id"};
  std::string f = kFields[rng() % 5];
  std::string v = RandomValue(rng, rng() % 10 == 0);
  switch (rng() % 8) {
    case 0:
    case 1:
      return "{\"" + f + "\":" + v + "}";
    case 2:
      return "{\"" + f + "\":{\"$gt\":" + v + "}}";
    case 3:
      return "{\"" + f + "\":{\"$lte\":" + v + "}}";
    case 4:
      return "{\"" + f + "\":{\"$lt\":" + v + "}}";
    case 5:
      return "{\"" + f + "\":{\"$gte\":" + v + ",\"$lt\":" + RandomValue(rng, false) + "}}";
    case 6:
      return "{\"" + f + "\":{\"$in\":[" + v + (rng() % 2 ? "," + RandomValue(rng, false) : "") +
             "]}}";
    default:
      return "{\"" + f + "\":{\"$exists\":true}}";
  }
}

TEST_F(KeyScansTest, RandomizedCountsAndDistinctMatchCollectionScan) {
  const std::vector<std::pair<std::string, std::string>> indexes = {
      {R"({"a":1})", ""},
      {R"({"b":-1})", ""},
      {R"({"a":1,"b":1})", ""},
      {R"({"c":1})", R"("sparse":true)"},
      {R"({"d.e":1})", ""},
      {R"({"a":-1,"c":1})", ""},
      {R"({"c":1,"a":1})", R"("partialFilterExpression":{"c":{"$gt":0}})"},
      {R"({"c":-1,"b":1})", ""},
  };
  for (const auto& [key, extra] : indexes) Index(key, extra);
  std::mt19937 rng(4242);
  int inserted = 0;
  for (int i = 0; i < 400; ++i) {
    std::string doc = "{\"_id\":" + std::to_string(i);
    if (rng() % 5) doc += ",\"a\":" + RandomValue(rng, rng() % 3 == 0);
    if (rng() % 5) doc += ",\"b\":" + RandomValue(rng, rng() % 4 == 0);
    if (rng() % 3) doc += ",\"c\":" + RandomValue(rng, false);
    if (rng() % 3) {
      doc += ",\"d\":";
      doc += rng() % 3 ? "{\"e\":" + RandomValue(rng, rng() % 3 == 0) + "}"
                       : "[{\"e\":" + RandomValue(rng, false) + "},{\"f\":1}]";
    }
    doc += "}";
    if (Insert(FromJson(doc))) ++inserted;
  }
  ASSERT_GT(inserted, 200);

  // Counts: the planner's choice and each index by hint; exact plans count keys.
  const std::vector<std::string> hints = {"", "\"a_1\"", "\"b_-1\"", "\"a_1_b_1\"", "\"d.e_1\"",
                                          "\"a_-1_c_1\"", "\"c_-1_b_1\"", "\"_id_\""};
  int exact_plans = 0, count_scans = 0;
  for (int iter = 0; iter < 300; ++iter) {
    std::string filter = rng() % 3 ? RandomLeaf(rng)
                                   : "{\"$and\":[" + RandomLeaf(rng) + "," + RandomLeaf(rng) + "]}";
    auto base = Prepare(filter, "", true);
    const int64_t want = static_cast<int64_t>(Scan(*base).size());
    for (const std::string& hint : hints) {
      auto p = Prepare(filter, hint, true);
      auto res = PlanQuery(*engine_, Coll(), p->request);
      ASSERT_OK(res);
      const QueryPlan& plan = *res.value().winner;
      if (!plan.exact) continue;
      ++exact_plans;
      count_scans += plan.count_scan ? 1 : 0;
      PlanRunStats stats;
      EXPECT_EQ(CountKeys(plan, &stats), want) << "filter " << filter << " plan " << plan.Summary();
      EXPECT_EQ(stats.docs_examined, 0);
    }
  }
  EXPECT_GT(exact_plans, 150);
  EXPECT_GT(count_scans, 100);

  // Distinct: every DISTINCT_SCAN gives the values of the matching documents.
  const std::vector<std::string> keys = {"a", "b", "c", "d.e"};
  int distinct_scans = 0;
  for (int iter = 0; iter < 300; ++iter) {
    std::string key = keys[rng() % keys.size()];
    std::string filter = rng() % 3 == 0 ? "{}" : RandomLeaf(rng);
    auto p = Prepare(filter, "", false, key);
    auto res = PlanQuery(*engine_, Coll(), p->request);
    ASSERT_OK(res);
    const QueryPlan& plan = *res.value().winner;
    if (plan.distinct_field < 0) continue;
    ++distinct_scans;
    ValueSet want;
    for (const BsonDocument& doc : Scan(*p)) {
      std::vector<BsonElement> found;
      Collect(doc.view(), key, &found);
      for (const BsonElement& v : found) AddValue(&want, v);
    }
    ValueSet got;
    auto read = engine_->BeginRead();
    PlanRunStats stats;
    ASSERT_OK(ForEachDistinctKey(
        read.get(), plan, &stats, [&](const BsonElement& v) { return AddValue(&got, v), true; },
        [&](const bson::BsonView& doc) {
          std::vector<BsonElement> found;
          Collect(doc, key, &found);
          for (const BsonElement& v : found) AddValue(&got, v);
          return true;
        }));
    EXPECT_EQ(Dump(got), Dump(want)) << "key " << key << " filter " << filter << " plan "
                                     << plan.Summary();
  }
  EXPECT_GT(distinct_scans, 50);
}

}  // namespace
}  // namespace dds::query
