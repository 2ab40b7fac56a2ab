// Fixture of the planner and key-scan tests: a fresh engine per test with one collection, db.c,
// documents inserted with index maintenance, and secondary indexes built from a key pattern.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "bson/bson.h"
#include "engine_test_util.h"
#include "index/index_build.h"
#include "index/index_maintenance.h"
#include "index/index_spec.h"
#include "query/planner.h"
#include "storage/engine.h"
#include "test_util.h"

namespace dds::query {

class IndexedCollectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InstallIndexHooks();
    ClearPlanCache();
    engine_ = storage::OpenOrDie(dir_.path());
    ASSERT_NE(engine_, nullptr);
    ASSERT_OK(engine_->catalog().CreateCollection("db", "c", bson::BsonView(), nullptr));
  }

  storage::CollectionPtr Coll() { return engine_->catalog().Lookup("db", "c"); }

  // Inserts a document with index maintenance; false when an index rejects it.
  bool Insert(const bson::BsonDocument& doc) {
    auto unit = engine_->BeginWrite();
    storage::CollectionPtr coll = Coll();
    if (!unit->InsertRecord(coll->id, doc["_id"], doc.view()).ok()) return false;
    if (!index::OnInsert(unit.get(), *coll, doc["_id"], doc.view()).ok()) return false;
    return unit->Commit(false).ok();
  }
  void Insert(const std::string& json) { ASSERT_TRUE(Insert(bson::FromJson(json))); }

  // Builds the index with key pattern `key_json` (default name) and the spec fields `extra`
  // (e.g. R"("unique":true)").
  void Index(const std::string& key_json, const std::string& extra = "") {
    bson::BsonDocument key = bson::FromJson(key_json);
    std::string name = index::DefaultIndexName(key.view());
    std::string spec = "{\"v\":2,\"key\":" + key_json + ",\"name\":\"" + name + "\"" +
                       (extra.empty() ? "" : "," + extra) + "}";
    ASSERT_OK(index::BuildIndexes(*engine_, "db", "c", {bson::FromJson(spec)}));
  }

  storage::TempDir dir_;
  std::unique_ptr<storage::Engine> engine_;
};

}  // namespace dds::query
