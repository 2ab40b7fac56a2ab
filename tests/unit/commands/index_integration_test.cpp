// Secondary indexes through the command layer: index maintenance on writes, planner use by the
// CRUD commands, explain output (issue #4).
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "bson/bson.h"
#include "commands/cursor_manager.h"
#include "commands/dispatch.h"
#include "common/logging.h"
#include "index/index_build.h"
#include "storage/engine.h"
#include "storage/key_string.h"
#include "storage/keyspace.h"
#include "test_util.h"

namespace dds::commands {
namespace {

class IndexIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogQuiet(true);
    dir_ = std::filesystem::temp_directory_path() /
           ("dds_idxcmd_" + std::to_string(std::random_device{}()));
    storage::EngineOptions options;
    options.db_path = dir_.string();
    auto engine = storage::Engine::Open(options);
    ASSERT_OK(engine);
    engine_ = std::move(engine).value();
    service_.engine = engine_.get();
    service_.cursors = &cursors_;
  }
  void TearDown() override {
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }
  bson::BsonDocument Run(const std::string& json) {
    RequestInfo info;
    bson::BsonDocument body = bson::FromJson(json);
    return RunCommand(service_, client_, body, info);
  }
  bson::BsonDocument Ok(const std::string& json) {
    bson::BsonDocument r = Run(json);
    EXPECT_EQ(r["ok"].Double(), 1.0) << json << " -> " << r.ToJson();
    return r;
  }
  std::string WinningStages(const bson::BsonDocument& explain) {
    std::string out;
    bson::BsonView plan = explain["queryPlanner"].Object()["winningPlan"].Object();
    while (true) {
      out += std::string(plan["stage"].String());
      if (plan["inputStage"].IsObject()) {
        plan = plan["inputStage"].Object();
        out += "<";
      } else {
        break;
      }
    }
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<storage::Engine> engine_;
  CursorManager cursors_;
  ServiceContext service_;
  ClientState client_;
};

TEST_F(IndexIntegrationTest, WritesMaintainIndexesAndFindUsesThem) {
  Ok(R"({"createIndexes": "c", "indexes": [{"key": {"a": 1}, "name": "a_1"},
        {"key": {"u": 1}, "name": "u_1", "unique": true, "sparse": true}], "$db": "t"})");
  Ok(R"({"insert": "c", "documents": [{"_id": 1, "a": 5, "u": "x"}, {"_id": 2, "a": 7},
        {"_id": 3, "a": [5, 9]}], "$db": "t"})");
  bson::BsonDocument r = Run(R"({"insert": "c", "documents": [{"_id": 4, "u": "x"}], "$db": "t"})");
  ASSERT_TRUE(r["writeErrors"].IsArray()) << r.ToJson();
  bson::BsonView err = r["writeErrors"].Array()["0"].Object();
  EXPECT_EQ(err["code"].Int32(), 11000);
  EXPECT_EQ(err["keyValue"].Object().ToJson(), R"({"u":"x"})");
  EXPECT_EQ(Ok(R"({"count": "c", "query": {}, "$db": "t"})")["n"].Int32(), 3);

  r = Ok(R"({"find": "c", "filter": {"a": 5}, "sort": {"_id": 1}, "$db": "t"})");
  bson::BsonView batch = r["cursor"].Object()["firstBatch"].Array();
  ASSERT_EQ(batch.CountFields(), 2);
  Ok(R"({"update": "c", "updates": [{"q": {"_id": 1}, "u": {"$set": {"a": 6}}}], "$db": "t"})");
  Ok(R"({"delete": "c", "deletes": [{"q": {"_id": 3}, "limit": 1}], "$db": "t"})");
  r = Ok(R"({"find": "c", "filter": {"a": {"$gte": 5}}, "$db": "t"})");
  EXPECT_EQ(r["cursor"].Object()["firstBatch"].Array().CountFields(), 2);
  r = Ok(R"({"explain": {"find": "c", "filter": {"a": {"$gte": 5}}}, "verbosity": "executionStats",
            "$db": "t"})");
  EXPECT_EQ(WinningStages(r), "FETCH<IXSCAN");
  EXPECT_EQ(r["executionStats"].Object()["nReturned"].Int32(), 2);
  EXPECT_EQ(r["executionStats"].Object()["totalKeysExamined"].Int32(), 2);
  EXPECT_EQ(r["command"].Object()["$db"].String(), "t");
}

TEST_F(IndexIntegrationTest, ExplainVariants) {
  Ok(R"({"createIndexes": "c", "indexes": [{"key": {"a": 1, "b": 1}, "name": "a_1_b_1"}],
        "$db": "t"})");
  Ok(R"({"insert": "c", "documents": [{"_id": 1, "a": 1, "b": 1}, {"_id": 2, "a": 1, "b": 2},
        {"_id": 3, "a": 2, "b": 3}], "$db": "t"})");
  bson::BsonDocument r = Ok(R"({"explain": {"count": "c", "query": {"a": 1}}, "$db": "t"})");
  EXPECT_EQ(WinningStages(r), "COUNT<COUNT_SCAN");  // exact single-interval bounds (issue #4)
  r = Ok(R"({"explain": {"delete": "c", "deletes": [{"q": {"a": 1}, "limit": 0}]}, "$db": "t"})");
  EXPECT_EQ(WinningStages(r), "DELETE<FETCH<IXSCAN");
  r = Ok(R"({"explain": {"update": "c", "updates": [{"q": {"a": 2}, "u": {"$set": {"x": 1}}}]},
            "$db": "t"})");
  EXPECT_EQ(WinningStages(r), "UPDATE<LIMIT<FETCH<IXSCAN");
  r = Ok(R"({"explain": {"find": "c", "filter": {"a": 1}, "projection": {"_id": 0, "b": 1}},
            "verbosity": "queryPlanner", "$db": "t"})");
  EXPECT_EQ(WinningStages(r), "PROJECTION_COVERED<IXSCAN");
  EXPECT_FALSE(r.view().HasField("executionStats"));
  r = Ok(R"({"aggregate": "c", "pipeline": [{"$match": {"a": 1}}, {"$group": {"_id": "$b"}}],
            "explain": true, "$db": "t"})");
  EXPECT_TRUE(r["stages"].IsArray()) << r.ToJson();
  r = Ok(R"({"explain": {"find": "c", "filter": {"z": 1}}, "$db": "t"})");
  EXPECT_EQ(WinningStages(r), "COLLSCAN");
  bson::BsonDocument bad = Run(R"({"explain": {"find": "c", "hint": "nope"}, "$db": "t"})");
  EXPECT_EQ(bad["code"].Int32(), 2);
  bad = Run(R"({"find": "c", "filter": {}, "hint": {"zz": 1}, "$db": "t"})");
  EXPECT_EQ(bad["code"].Int32(), 2);
}

TEST_F(IndexIntegrationTest, CollStatsReportsIndexes) {
  Ok(R"({"createIndexes": "c", "indexes": [{"key": {"a": 1}, "name": "a_1"}], "$db": "t"})");
  Ok(R"({"insert": "c", "documents": [{"_id": 1, "a": 1}], "$db": "t"})");
  bson::BsonDocument r = Ok(R"({"collStats": "c", "$db": "t"})");
  EXPECT_EQ(r["nindexes"].Int32(), 2);
  EXPECT_TRUE(r["indexSizes"].Object().HasField("a_1"));
}

TEST_F(IndexIntegrationTest, ValidateChecksSecondaryIndexesBothWays) {
  Ok(R"({"createIndexes": "c", "indexes": [{"key": {"k": 1}, "name": "k_1"},
        {"key": {"tags": 1}, "name": "tags_1"},
        {"key": {"p": 1}, "name": "p_1", "partialFilterExpression": {"p": {"$gt": 1}}}],
        "$db": "t"})");
  Ok(R"({"insert": "c", "documents": [{"_id": 1, "k": 10, "tags": ["a", "b"], "p": 1},
        {"_id": 2, "k": 20, "tags": [], "p": 2}, {"_id": 3, "tags": "c", "p": 3}], "$db": "t"})");
  bson::BsonDocument r = Ok(R"({"validate": "c", "$db": "t"})");
  EXPECT_TRUE(r["valid"].Bool()) << r.ToJson();
  bson::BsonView keys = r["keysPerIndex"].Object();
  EXPECT_EQ(keys["_id_"].NumberDouble(), 3);
  EXPECT_EQ(keys["k_1"].NumberDouble(), 3);     // a missing k is indexed as null
  EXPECT_EQ(keys["tags_1"].NumberDouble(), 4);  // a, b, undefined (empty array), c
  EXPECT_EQ(keys["p_1"].NumberDouble(), 2);     // the partial filter leaves _id 1 out
  EXPECT_TRUE(r["indexDetails"].Object()["tags_1"].Object()["valid"].Bool());
  EXPECT_EQ(r["errors"].Array().CountFields(), 0);

  // Damage k_1 behind the engine's back: drop the entry of _id 2, add one for a document that
  // does not exist (the entry of _id 1 with another _id in its key and value).
  storage::CollectionPtr coll = engine_->catalog().Lookup("t", "c");
  const std::string prefix = storage::IndexPrefix(coll->FindIndex("k_1")->index_id);
  std::vector<std::pair<std::string, std::string>> entries;
  {
    auto read = engine_->BeginRead();
    auto cursor = read->ScanRaw(prefix, storage::PrefixSuccessor(prefix));
    while (cursor->Next()) entries.emplace_back(cursor->key(), cursor->value());
  }
  ASSERT_EQ(entries.size(), 3u);
  bson::BsonDocument id2 = bson::FromJson(R"({"_id": 2})");
  bson::BsonDocument id7 = bson::FromJson(R"({"_id": 7})");
  const std::string id2_ks = storage::EncodeKeyString(id2.view()["_id"]);
  const std::string id1_ks = storage::EncodeKeyString(bson::FromJson(R"({"_id": 1})").view()["_id"]);
  {
    auto unit = engine_->BeginWrite();
    for (const auto& [key, value] : entries) {
      if (key.ends_with(id2_ks)) ASSERT_OK(unit->Delete(key));
      if (key.ends_with(id1_ks)) {
        std::string bogus = key.substr(0, key.size() - id1_ks.size()) +
                            storage::EncodeKeyString(id7.view()["_id"]);
        ASSERT_OK(unit->Put(bogus, bson::FromJson(R"({"_id": 7, "0": 10})").view().bytes()));
      }
    }
    ASSERT_OK(unit->Commit(false));
  }
  r = Ok(R"({"validate": "c", "$db": "t"})");
  EXPECT_FALSE(r["valid"].Bool());
  EXPECT_FALSE(r["indexDetails"].Object()["k_1"].Object()["valid"].Bool());
  EXPECT_TRUE(r["indexDetails"].Object()["tags_1"].Object()["valid"].Bool());
  EXPECT_EQ(r["keysPerIndex"].Object()["k_1"].NumberDouble(), 3);
  EXPECT_EQ(r["missingIndexEntries"].Array().ToJson(),
            R"({"0":{"indexName":"k_1","idKey":{"_id":2},"indexKey":{"k":20}}})");
  EXPECT_EQ(r["extraIndexEntries"].Array().ToJson(),
            R"({"0":{"indexName":"k_1","idKey":{"_id":7},"indexKey":{"k":10}}})");
  EXPECT_EQ(r["errors"].Array().CountFields(), 1);
}

// While a reIndex runs, its building copies (a control-character name) stay out of what
// commands show: listIndexes (even with includeIndexBuildInfo), collStats, $indexStats, validate.
TEST_F(IndexIntegrationTest, RebuildCopiesAreNotShown) {
  Ok(R"({"insert": "c", "documents": [{"_id": 1, "k": 1}, {"_id": 2, "k": 2}], "$db": "t"})");
  Ok(R"({"createIndexes": "c", "indexes": [{"key": {"k": 1}, "name": "k_1", "unique": true}],
         "$db": "t"})");
  // A rebuild stopped after its first chunk leaves its copy in the catalog, still building.
  index::IndexBuildOptions options;
  options.chunk_bytes = 16;
  options.after_chunk_for_test = [](int chunk) { return chunk < 0; };
  ASSERT_CODE(index::RebuildIndexes(*engine_, "t", "c", options).status(),
              ErrorCode::kInterrupted);
  ASSERT_EQ(engine_->catalog().Lookup("t", "c")->indexes.size(), 3u);

  for (const std::string& cmd :
       {std::string(R"({"listIndexes": "c", "includeIndexBuildInfo": true, "$db": "t"})"),
        std::string(R"({"collStats": "c", "$db": "t"})"),
        std::string(R"({"aggregate": "c", "pipeline": [{"$indexStats": {}}], "cursor": {},
                        "$db": "t"})"),
        std::string(R"({"validate": "c", "$db": "t"})")}) {
    std::string reply = Ok(cmd).ToJson();
    EXPECT_EQ(reply.find("reIndex"), std::string::npos) << cmd << " -> " << reply;
    EXPECT_NE(reply.find("k_1"), std::string::npos) << cmd << " -> " << reply;
  }
  bson::BsonDocument stats = Ok(R"({"collStats": "c", "$db": "t"})");
  EXPECT_EQ(stats["nindexes"].Int32(), 2);
  EXPECT_EQ(Ok(R"({"validate": "c", "$db": "t"})")["nIndexes"].Int32(), 2);
}

}  // namespace
}  // namespace dds::commands
