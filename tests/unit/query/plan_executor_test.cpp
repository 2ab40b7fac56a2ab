#include "query/plan_executor.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bson/bson.h"
#include "query/match_parser.h"
#include "storage/engine.h"
#include "engine_test_util.h"
#include "test_util.h"

namespace dds::query {
namespace {

using bson::BsonDocument;
using bson::FromJson;

class PlanExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = storage::OpenOrDie(dir_.path());
    ASSERT_NE(engine_, nullptr);
    auto coll = engine_->catalog().CreateCollection("db", "c", bson::BsonView(), nullptr);
    ASSERT_OK(coll);
    coll_ = *coll;
    auto unit = engine_->BeginWrite();
    for (int i = 1; i <= 20; ++i) {
      BsonDocument d = FromJson("{\"_id\": " + std::to_string(i) + ", \"a\": " +
                                std::to_string((i * 7) % 10) + ", \"b\": [" + std::to_string(i) +
                                ", 100]}");
      ASSERT_OK(unit->InsertRecord(coll_->id, d.view().FirstElement(), d));
    }
    ASSERT_OK(unit->Commit(false));
  }

  std::vector<std::string> Run(PlanSpec spec) {
    PlanExecutor exec(*engine_, coll_, std::move(spec));
    std::vector<std::string> out;
    BsonDocument doc;
    while (true) {
      auto has = exec.Next(&doc);
      EXPECT_OK(has);
      if (!has.ok() || !*has) break;
      out.push_back(doc.ToJson());
    }
    return out;
  }

  static std::shared_ptr<const MatchExpression> Filter(const std::string& json) {
    BsonDocument f = FromJson(json);
    auto parsed = ParseMatchExpression(f);
    EXPECT_OK(parsed);
    return std::shared_ptr<const MatchExpression>(std::move(parsed).value());
  }

  storage::TempDir dir_;
  std::unique_ptr<storage::Engine> engine_;
  storage::CollectionPtr coll_;
};

TEST_F(PlanExecutorTest, ScansInIdOrderWithFilterSkipLimit) {
  PlanSpec spec;
  spec.filter = Filter(R"({"a": {"$gte": 5}})");
  spec.skip = 1;
  spec.limit = 3;
  auto out = Run(std::move(spec));
  // a = 7,4,1,8,5,2,9,6,3,0 for _id 1..10: matches _id 1,4,5,7,8,...
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], FromJson(R"({"_id": 4, "a": 8, "b": [4, 100]})").ToJson());
}

TEST_F(PlanExecutorTest, SortsTopKWithTieBreakOnStorageOrder) {
  PlanSpec spec;
  auto sort = SortPattern::Parse(FromJson(R"({"a": -1})"));
  ASSERT_OK(sort);
  spec.sort = std::make_shared<const SortPattern>(std::move(sort).value());
  spec.limit = 3;
  spec.skip = 1;
  auto out = Run(std::move(spec));
  ASSERT_EQ(out.size(), 3u);
  // a == 9 for _id 7 and 17; a == 8 for _id 4 and 14.
  EXPECT_NE(out[0].find("\"_id\":17,"), std::string::npos) << out[0];
  EXPECT_NE(out[1].find("\"_id\":4,"), std::string::npos) << out[1];
  EXPECT_NE(out[2].find("\"_id\":14,"), std::string::npos) << out[2];
}

TEST_F(PlanExecutorTest, NaturalDescendingScansBackwards) {
  PlanSpec spec;
  auto sort = SortPattern::Parse(FromJson(R"({"$natural": -1})"));
  ASSERT_OK(sort);
  spec.sort = std::make_shared<const SortPattern>(std::move(sort).value());
  spec.limit = 1;
  auto out = Run(std::move(spec));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].find("\"_id\":20,"), std::string::npos) << out[0];
}

TEST_F(PlanExecutorTest, PointLookupByIdAcceptsEqualNumbers) {
  BsonDocument filter = FromJson(R"({"_id": 3.0})");
  auto id = PlanExecutor::IdPointLookupValue(filter);
  ASSERT_TRUE(id.has_value());
  EXPECT_FALSE(PlanExecutor::IdPointLookupValue(FromJson(R"({"_id": {"$gt": 1}})")).has_value());
  EXPECT_FALSE(PlanExecutor::IdPointLookupValue(FromJson(R"({"_id": 1, "a": 1})")).has_value());
  PlanSpec spec;
  bson::BsonBuilder b;
  b.AppendElementAs("", *id);
  spec.id_lookup = b.Done();
  PlanExecutor exec(*engine_, coll_, std::move(spec));
  BsonDocument doc;
  auto has = exec.Next(&doc);
  ASSERT_OK(has);
  ASSERT_TRUE(*has);
  EXPECT_EQ(doc["_id"].Int32(), 3);
  EXPECT_TRUE(exec.stats().point_lookup);
  has = exec.Next(&doc);
  ASSERT_OK(has);
  EXPECT_FALSE(*has);
}

TEST_F(PlanExecutorTest, SortOverMemoryLimitFailsWithoutAllowDiskUse) {
  PlanSpec spec;
  auto sort = SortPattern::Parse(FromJson(R"({"a": 1})"));
  ASSERT_OK(sort);
  spec.sort = std::make_shared<const SortPattern>(std::move(sort).value());
  spec.max_sort_bytes = 500;
  spec.error_prefix = "Executor error during find command :: caused by :: ";
  PlanExecutor exec(*engine_, coll_, spec);
  BsonDocument doc;
  auto has = exec.Next(&doc);
  ASSERT_CODE(has, ErrorCode::kQueryExceededMemoryLimitNoDiskUseAllowed);
  spec.allow_disk_use = true;
  EXPECT_EQ(Run(spec).size(), 20u);
}

// With allowDiskUse a sort larger than the limit spills sorted runs and merges them: the result
// is exactly the in-memory sort's (ties in storage order), with and without skip/limit.
TEST_F(PlanExecutorTest, ExternalSortMatchesTheInMemorySort) {
  for (const char* pattern : {R"({"a": 1})", R"({"a": -1, "_id": -1})", R"({"b": -1})"}) {
    PlanSpec spec;
    auto sort = SortPattern::Parse(FromJson(pattern));
    ASSERT_OK(sort);
    spec.sort = std::make_shared<const SortPattern>(std::move(sort).value());
    std::vector<std::string> in_memory = Run(spec);
    ASSERT_EQ(in_memory.size(), 20u);
    spec.allow_disk_use = true;
    spec.max_sort_bytes = 300;  // a few documents per run
    PlanExecutor exec(*engine_, coll_, spec);
    std::vector<std::string> spilled;
    BsonDocument doc;
    while (true) {
      auto has = exec.Next(&doc);
      ASSERT_OK(has);
      if (!*has) break;
      spilled.push_back(doc.ToJson());
    }
    EXPECT_EQ(spilled, in_memory) << pattern;
    EXPECT_GE(exec.stats().sort_spills, 3) << pattern;
    EXPECT_GT(exec.stats().sort_spilled_bytes, 0) << pattern;
    spec.skip = 3;
    spec.limit = 5;
    EXPECT_EQ(Run(spec), std::vector<std::string>(in_memory.begin() + 3, in_memory.begin() + 8))
        << pattern;
  }
  // Run files are unlinked at creation: nothing is left in <dbpath>/_tmp.
  std::error_code ec;
  EXPECT_TRUE(std::filesystem::is_empty(dir_.Sub("_tmp"), ec));
}

TEST_F(PlanExecutorTest, ForEachMatchingCountsWithoutCopies) {
  PlanSpec spec;
  spec.filter = Filter(R"({"b": 100})");
  PlanExecutor exec(*engine_, coll_, std::move(spec));
  int n = 0;
  ASSERT_OK(exec.ForEachMatching([&](const bson::BsonView&) { return ++n < 100; }));
  EXPECT_EQ(n, 20);
}

TEST_F(PlanExecutorTest, MissingCollectionIsEmpty) {
  PlanExecutor exec(*engine_, nullptr, PlanSpec());
  BsonDocument doc;
  auto has = exec.Next(&doc);
  ASSERT_OK(has);
  EXPECT_FALSE(*has);
}

}  // namespace
}  // namespace dds::query
