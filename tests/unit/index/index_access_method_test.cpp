#include "index/index_access_method.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "common/operation_control.h"
#include "index/index_build.h"
#include "index/index_maintenance.h"
#include "index/index_validation.h"
#include "index/ttl_monitor.h"
#include "index_test_util.h"
#include "storage/key_string.h"
#include "storage/keyspace.h"
#include "engine_test_util.h"

namespace dds::index {
namespace {

using storage::TempDir;

class IndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = storage::OpenOrDie(dir_.path());
    ASSERT_OK(engine_->catalog().CreateCollection("db", "c", bson::BsonView(), nullptr));
  }

  storage::CollectionPtr Coll() { return engine_->catalog().Lookup("db", "c"); }

  Status Insert(const std::string& json) {
    bson::BsonDocument doc = bson::FromJson(json);
    auto unit = engine_->BeginWrite();
    storage::CollectionPtr coll = Coll();
    DDS_RETURN_IF_ERROR(unit->InsertRecord(coll->id, doc["_id"], doc.view()));
    DDS_RETURN_IF_ERROR(OnInsert(unit.get(), *coll, doc["_id"], doc.view()));
    return unit->Commit(false);
  }

  Status Update(const std::string& old_json, const std::string& new_json) {
    bson::BsonDocument old_doc = bson::FromJson(old_json), new_doc = bson::FromJson(new_json);
    auto unit = engine_->BeginWrite();
    storage::CollectionPtr coll = Coll();
    DDS_RETURN_IF_ERROR(unit->UpdateRecord(coll->id, new_doc["_id"], new_doc.view()));
    DDS_RETURN_IF_ERROR(
        OnUpdate(unit.get(), *coll, new_doc["_id"], old_doc.view(), new_doc.view()));
    return unit->Commit(false);
  }

  Status Delete(const std::string& json) {
    bson::BsonDocument doc = bson::FromJson(json);
    auto unit = engine_->BeginWrite();
    storage::CollectionPtr coll = Coll();
    DDS_RETURN_IF_ERROR(unit->DeleteRecord(coll->id, doc["_id"]));
    DDS_RETURN_IF_ERROR(OnDelete(unit.get(), *coll, doc["_id"], doc.view()));
    return unit->Commit(false);
  }

  // Adds a unique index on `field` named "<field>_1" in the older layout (tuple + KeyString(_id)
  // keys), as the catalog of a format 1 database holds it. REQUIRES: no document yet.
  void AddLegacyUniqueIndex(const std::string& field) {
    storage::IndexDescriptor legacy;
    legacy.name = field + "_1";
    legacy.spec = bson::FromJson("{\"v\":2,\"key\":{\"" + field + "\":1},\"name\":\"" + field +
                                 "_1\",\"unique\":true}");
    ASSERT_OK(engine_->catalog().AddIndex("db", "c", legacy));
  }

  Status Build(const std::string& spec_json, const IndexBuildOptions& options = {}) {
    return BuildIndexes(*engine_, "db", "c", {bson::FromJson(spec_json)}, options);
  }

  std::shared_ptr<const IndexAccessMethod> Method(const std::string& name) {
    const storage::IndexDescriptor* d = Coll()->FindIndex(name);
    EXPECT_NE(d, nullptr);
    auto m = GetAccessMethod(*d);
    EXPECT_TRUE(m.ok());
    return std::move(m).value();
  }

  // Returns the _id values (as JSON) of the entries in `ranges`, in scan order.
  std::vector<std::string> ScanIds(const std::string& name, std::vector<KeyRange> ranges,
                                   bool forward = true) {
    auto read = engine_->BeginRead();
    auto cursor = Method(name)->Scan(
        [&](std::string lo, std::string hi, bool fwd) {
          return read->ScanRaw(std::move(lo), std::move(hi), fwd);
        },
        std::move(ranges), forward);
    std::vector<std::string> ids;
    while (cursor->Next()) ids.push_back(cursor->id().ValueToJson());
    EXPECT_OK(cursor->status());
    return ids;
  }

  static KeyRange All() {
    KeyRange r;
    r.low_unbounded = r.high_unbounded = true;
    return r;
  }

  static std::string Ks(const std::string& value_json) {
    bson::BsonDocument d = bson::FromJson("{\"v\":" + value_json + "}");
    return storage::EncodeKeyString(d["v"]);
  }

  TempDir dir_;
  std::unique_ptr<storage::Engine> engine_;
};

using V = std::vector<std::string>;

TEST_F(IndexTest, BuildOverExistingDataThenMaintain) {
  ASSERT_OK(Insert(R"({"_id":1,"a":3})"));
  ASSERT_OK(Insert(R"({"_id":2,"a":[1,5]})"));
  ASSERT_OK(Insert(R"({"_id":3})"));
  ASSERT_OK(Build(R"({"v":2,"key":{"a":1},"name":"a_1"})"));
  const storage::IndexDescriptor* d = Coll()->FindIndex("a_1");
  ASSERT_NE(d, nullptr);
  EXPECT_FALSE(d->building);
  EXPECT_TRUE(d->multikey);
  EXPECT_EQ(ScanIds("a_1", {All()}), (V{"3", "2", "1", "2"}));  // null, 1, 3, 5
  EXPECT_EQ(ScanIds("a_1", {All()}, false), (V{"2", "1", "2", "3"}));
  ASSERT_OK(Insert(R"({"_id":4,"a":2})"));
  ASSERT_OK(Update(R"({"_id":1,"a":3})", R"({"_id":1,"a":6})"));
  ASSERT_OK(Delete(R"({"_id":2,"a":[1,5]})"));
  EXPECT_EQ(ScanIds("a_1", {All()}), (V{"3", "4", "1"}));
}

TEST_F(IndexTest, RangesInclusiveExclusiveAndPrefixes) {
  ASSERT_OK(Build(R"({"v":2,"key":{"a":1,"b":1},"name":"ab"})"));
  for (int i = 1; i <= 5; ++i) {
    ASSERT_OK(Insert("{\"_id\":" + std::to_string(i) + ",\"a\":" + std::to_string(i % 2) +
                     ",\"b\":" + std::to_string(i) + "}"));
  }
  // a == 1 (prefix of the compound tuple): ids 1, 3, 5.
  KeyRange eq;
  eq.low = eq.high = Ks("1");
  EXPECT_EQ(ScanIds("ab", {eq}), (V{"1", "3", "5"}));
  // a == 1 && b in (1, 5).
  KeyRange r;
  r.low = Ks("1") + Ks("1");
  r.low_inclusive = false;
  r.high = Ks("1") + Ks("5");
  r.high_inclusive = false;
  EXPECT_EQ(ScanIds("ab", {r}), V{"3"});
  // Two ranges, reverse: a == 0, then a == 1 (visited last range first).
  KeyRange zero;
  zero.low = zero.high = Ks("0");
  EXPECT_EQ(ScanIds("ab", {zero, eq}, false), (V{"5", "3", "1", "4", "2"}));
}

TEST_F(IndexTest, UniqueRulesNullMissingAndSparse) {
  ASSERT_OK(Build(R"({"v":2,"key":{"a":1},"name":"a_1","unique":true})"));
  ASSERT_OK(Insert(R"({"_id":1,"a":1})"));
  Status dup = Insert(R"({"_id":2,"a":1.0})");
  ASSERT_CODE(dup, ErrorCode::kDuplicateKey);
  EXPECT_EQ(dup.reason(), "E11000 duplicate key error collection: db.c index: a_1 dup key: { a: 1 }");
  // keyValue keeps the inserted type.
  EXPECT_EQ(bson::BsonView(dup.extra_bson().data()).ToJson(),
            R"({"keyPattern":{"a":1},"keyValue":{"a":1.0}})");
  // Missing counts as null: only one document may lack the field.
  ASSERT_OK(Insert(R"({"_id":3})"));
  Status missing = Insert(R"({"_id":4,"a":null})");
  EXPECT_CODE(missing, ErrorCode::kDuplicateKey);
  EXPECT_NE(missing.reason().find("dup key: { a: null }"), std::string::npos);
  // Updating a document to its own key is fine; to another's is not.
  EXPECT_OK(Update(R"({"_id":1,"a":1})", R"({"_id":1,"a":1,"b":2})"));
  EXPECT_CODE(Update(R"({"_id":1,"a":1})", R"({"_id":1})"), ErrorCode::kDuplicateKey);
  // A multikey document may repeat its own value.
  EXPECT_OK(Insert(R"({"_id":5,"a":[7,7]})"));
  EXPECT_CODE(Insert(R"({"_id":6,"a":[8,7]})"), ErrorCode::kDuplicateKey);
}

TEST_F(IndexTest, FailedMaintenanceWritesNoEntries) {
  ASSERT_OK(Build(R"({"v":2,"key":{"a":1},"name":"a_1","unique":true})"));
  ASSERT_OK(Build(R"({"v":2,"key":{"b":1},"name":"b_1","unique":true})"));
  ASSERT_OK(Insert(R"({"_id":1,"a":1,"b":1})"));
  bson::BsonDocument doc = bson::FromJson(R"({"_id":2,"a":2,"b":1})");
  auto unit = engine_->BeginWrite();
  EXPECT_CODE(OnInsert(unit.get(), *Coll(), doc["_id"], doc.view()), ErrorCode::kDuplicateKey);
  // The a_1 entry of the failed statement was never written, even inside the unit.
  std::string prefix = storage::IndexPrefix(Coll()->FindIndex("a_1")->index_id);
  auto raw = unit->ScanRaw(prefix, storage::PrefixSuccessor(prefix));
  int n = 0;
  while (raw->Next()) ++n;
  EXPECT_EQ(n, 1);
}

TEST_F(IndexTest, DeferredEntriesFollowSavePointsAndUniqueReuseInOneUnit) {
  ASSERT_OK(Build(R"({"v":2,"key":{"a":1},"name":"a_1"})"));
  ASSERT_OK(Build(R"({"v":2,"key":{"u":1},"name":"u_1","unique":true})"));
  ASSERT_OK(Insert(R"({"_id":1,"a":1,"u":1})"));
  auto unit = engine_->BeginWrite();
  storage::CollectionPtr coll = Coll();
  bson::BsonDocument two = bson::FromJson(R"({"_id":2,"a":2,"u":2})");
  unit->SetSavePoint();
  ASSERT_OK(unit->InsertRecord(coll->id, two["_id"], two.view()));
  ASSERT_OK(OnInsert(unit.get(), *coll, two["_id"], two.view()));
  ASSERT_OK(unit->RollbackToSavePoint());
  // Delete _id 1 and give its unique key to _id 3 in the same unit.
  bson::BsonDocument one = bson::FromJson(R"({"_id":1,"a":1,"u":1})");
  bson::BsonDocument three = bson::FromJson(R"({"_id":3,"a":3,"u":1})");
  ASSERT_OK(unit->DeleteRecord(coll->id, one["_id"]));
  ASSERT_OK(OnDelete(unit.get(), *coll, one["_id"], one.view()));
  ASSERT_OK(unit->InsertRecord(coll->id, three["_id"], three.view()));
  ASSERT_OK(OnInsert(unit.get(), *coll, three["_id"], three.view()));
  ASSERT_OK(unit->Commit(false));
  EXPECT_EQ(ScanIds("a_1", {All()}), V{"3"});
  EXPECT_EQ(ScanIds("u_1", {All()}), V{"3"});
}

TEST_F(IndexTest, SparseUniqueIgnoresMissing) {
  ASSERT_OK(Build(R"({"v":2,"key":{"a":1},"name":"a_1","unique":true,"sparse":true})"));
  ASSERT_OK(Insert(R"({"_id":1})"));
  ASSERT_OK(Insert(R"({"_id":2})"));
  ASSERT_OK(Insert(R"({"_id":3,"a":null})"));
  EXPECT_CODE(Insert(R"({"_id":4,"a":null})"), ErrorCode::kDuplicateKey);
  EXPECT_EQ(ScanIds("a_1", {All()}), V{"3"});
}

TEST_F(IndexTest, CompoundUniqueMessage) {
  ASSERT_OK(Build(R"({"v":2,"key":{"a":1,"b":-1},"name":"a_1_b_-1","unique":true})"));
  ASSERT_OK(Insert(R"({"_id":1,"a":1,"b":"x"})"));
  ASSERT_OK(Insert(R"({"_id":2,"a":1,"b":"y"})"));
  Status s = Insert(R"({"_id":3,"a":1,"b":"x"})");
  ASSERT_CODE(s, ErrorCode::kDuplicateKey);
  EXPECT_NE(s.reason().find("index: a_1_b_-1 dup key: { a: 1, b: \"x\" }"), std::string::npos);
}

TEST_F(IndexTest, UniqueBuildFailureLeavesNothing) {
  ASSERT_OK(Insert(R"({"_id":1,"a":1})"));
  ASSERT_OK(Insert(R"({"_id":2,"a":2})"));
  ASSERT_OK(Insert(R"({"_id":3,"a":1})"));
  Status s = Build(R"({"v":2,"key":{"a":1},"name":"a_1","unique":true})");
  ASSERT_CODE(s, ErrorCode::kDuplicateKey);
  EXPECT_EQ(s.reason(), "E11000 duplicate key error collection: db.c index: a_1 dup key: { a: 1 }");
  EXPECT_EQ(Coll()->indexes.size(), 1u);
  auto read = engine_->BeginRead();
  auto raw = read->ScanRaw(std::string(1, '\x04'), std::string(1, '\x05'));
  EXPECT_FALSE(raw->Next());
}

TEST_F(IndexTest, UniqueBuildAcrossChunks) {
  for (int i = 0; i < 50; ++i) {
    ASSERT_OK(Insert("{\"_id\":" + std::to_string(i) + ",\"a\":" + std::to_string(i) + "}"));
  }
  ASSERT_OK(Insert(R"({"_id":100,"a":3})"));
  IndexBuildOptions options;
  options.chunk_bytes = 512;  // several chunks
  EXPECT_CODE(Build(R"({"v":2,"key":{"a":1},"name":"a_1","unique":true})", options),
              ErrorCode::kDuplicateKey);
  EXPECT_EQ(Coll()->indexes.size(), 1u);
  ASSERT_OK(Delete(R"({"_id":100,"a":3})"));
  ASSERT_OK(Build(R"({"v":2,"key":{"a":1},"name":"a_1","unique":true})", options));
  EXPECT_EQ(ScanIds("a_1", {All()}).size(), 50u);
}

TEST_F(IndexTest, ParallelArraysFailBuildAndInsert) {
  ASSERT_OK(Insert(R"({"_id":1,"a":[1],"b":[2]})"));
  EXPECT_CODE(Build(R"({"v":2,"key":{"a":1,"b":1},"name":"ab"})"),
              ErrorCode::kCannotIndexParallelArrays);
  ASSERT_OK(Delete(R"({"_id":1,"a":[1],"b":[2]})"));
  ASSERT_OK(Build(R"({"v":2,"key":{"a":1,"b":1},"name":"ab"})"));
  EXPECT_CODE(Insert(R"({"_id":2,"a":[1],"b":[2]})"), ErrorCode::kCannotIndexParallelArrays);
}

TEST_F(IndexTest, CrashDuringBuildDropsIndexAtOpen) {
  for (int i = 0; i < 40; ++i) {
    ASSERT_OK(Insert("{\"_id\":" + std::to_string(i) + ",\"a\":" + std::to_string(i) + "}"));
  }
  IndexBuildOptions options;
  options.chunk_bytes = 256;
  options.after_chunk_for_test = [](int chunk) { return chunk < 1; };
  EXPECT_CODE(Build(R"({"v":2,"key":{"a":1},"name":"a_1"})", options), ErrorCode::kInterrupted);
  ASSERT_NE(Coll()->FindIndex("a_1"), nullptr);
  EXPECT_TRUE(Coll()->FindIndex("a_1")->building);
  engine_.reset();
  engine_ = storage::OpenOrDie(dir_.path());
  EXPECT_EQ(Coll()->FindIndex("a_1"), nullptr);
  auto read = engine_->BeginRead();
  auto raw = read->ScanRaw(std::string(1, '\x04'), std::string(1, '\x05'));
  EXPECT_FALSE(raw->Next());
}

// Set by the build's test hook once a chunk is written; the hook then waits for the abort.
std::atomic<bool> build_paused{false};

TEST_F(IndexTest, AbortedBuildAnswersWhyAndLeavesNothing) {
  for (int i = 0; i < 40; ++i) {
    ASSERT_OK(Insert("{\"_id\":" + std::to_string(i) + ",\"a\":" + std::to_string(i) + "}"));
  }
  const uint64_t id = Coll()->id;
  EXPECT_EQ(AbortIndexBuilds(*engine_, id, "nothing runs"), 0u);
  IndexBuildOptions options;
  options.chunk_bytes = 256;
  options.after_chunk_for_test = [](int) {
    build_paused = true;
    // The build thread runs no operation: the build installed a control of its own.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!CurrentOperationControl()->interrupted() &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;  // go on: the build must notice the abort itself (here: before it commits)
  };
  build_paused = false;
  Status result;
  std::thread builder([&] { result = Build(R"({"v":2,"key":{"a":1},"name":"a_1"})", options); });
  while (!build_paused) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // A build is aborted only when all of its indexes are named.
  EXPECT_FALSE(AbortIndexBuildOf(*engine_, id, {"a_1", "b_1"}, "dropIndexes command"));
  EXPECT_FALSE(AbortIndexBuildOf(*engine_, id + 1, {"a_1"}, "dropIndexes command"));
  EXPECT_TRUE(AbortIndexBuildOf(*engine_, id, {"a_1"}, "dropIndexes command"));
  // The abort returned after the build ended.
  EXPECT_EQ(Coll()->FindIndex("a_1"), nullptr);
  builder.join();
  ASSERT_CODE(result, ErrorCode::kIndexBuildAborted);
  EXPECT_EQ(result.reason(), "Index build aborted: dropIndexes command");
  auto read = engine_->BeginRead();
  auto raw = read->ScanRaw(std::string(1, '\x04'), std::string(1, '\x05'));
  EXPECT_FALSE(raw->Next());
  ASSERT_OK(Build(R"({"v":2,"key":{"a":1},"name":"a_1"})"));
  EXPECT_EQ(ScanIds("a_1", {All()}).size(), 40u);
}

TEST_F(IndexTest, DropIndexDeletesEntries) {
  ASSERT_OK(Insert(R"({"_id":1,"a":1})"));
  ASSERT_OK(Build(R"({"v":2,"key":{"a":1},"name":"a_1"})"));
  ASSERT_OK(DropIndex(*engine_, "db", "c", "a_1"));
  EXPECT_EQ(Coll()->indexes.size(), 1u);
  ASSERT_OK(Insert(R"({"_id":2,"a":1})"));
  auto read = engine_->BeginRead();
  auto raw = read->ScanRaw(std::string(1, '\x04'), std::string(1, '\x05'));
  EXPECT_FALSE(raw->Next());
}

class ExistsFilter : public DocumentFilter {
 public:
  bool Matches(const bson::BsonView& doc) const override { return doc.HasField("p"); }
};

TEST_F(IndexTest, PartialFilterThroughInstalledCompiler) {
  FilterCompiler saved = GetFilterCompiler();
  SetFilterCompiler([](const bson::BsonView&) -> StatusWith<std::shared_ptr<const DocumentFilter>> {
    return std::shared_ptr<const DocumentFilter>(std::make_shared<ExistsFilter>());
  });
  ASSERT_OK(Build(
      R"({"v":2,"key":{"a":1},"name":"a_1","unique":true,"partialFilterExpression":{"p":{"$exists":true}}})"));
  ASSERT_OK(Insert(R"({"_id":1,"a":1})"));
  ASSERT_OK(Insert(R"({"_id":2,"a":1})"));  // not covered: no uniqueness
  ASSERT_OK(Insert(R"({"_id":3,"a":1,"p":1})"));
  EXPECT_CODE(Insert(R"({"_id":4,"a":1,"p":2})"), ErrorCode::kDuplicateKey);
  EXPECT_EQ(ScanIds("a_1", {All()}), V{"3"});
  SetFilterCompiler(saved);
}

TEST_F(IndexTest, TtlMonitorDeletesExpiredDates) {
  ASSERT_OK(Build(R"({"v":2,"key":{"t":1},"name":"t_1","expireAfterSeconds":10})"));
  ASSERT_OK(Insert(R"({"_id":1,"t":{"$date":{"$numberLong":"1000"}}})"));
  ASSERT_OK(Insert(R"({"_id":2,"t":{"$date":{"$numberLong":"50000"}}})"));
  ASSERT_OK(Insert(R"({"_id":3,"t":"not a date"})"));
  ASSERT_OK(Insert(R"({"_id":4,"t":[{"$date":{"$numberLong":"90000"}},{"$date":{"$numberLong":"2000"}}]})"));
  TtlMonitor monitor(*engine_, std::chrono::seconds(60));
  StatusWith<int64_t> n = monitor.RunOnce(30000);  // cutoff 20000
  ASSERT_OK(n);
  EXPECT_EQ(n.value(), 2);
  EXPECT_EQ(ScanIds("t_1", {All()}), (V{"3", "2"}));  // strings sort before dates
  EXPECT_EQ(engine_->ApproximateRecordCount(Coll()->id), 2);
}

TEST_F(IndexTest, BuildWaitsForWritersOfTheCollection) {
  // A unit that wrote to the collection holds its write lock until it commits.
  auto unit = engine_->BeginWrite();
  bson::BsonDocument doc = bson::FromJson(R"({"_id":1,"a":1})");
  ASSERT_OK(unit->InsertRecord(Coll()->id, doc["_id"], doc.view()));
  ASSERT_OK(OnInsert(unit.get(), *Coll(), doc["_id"], doc.view()));
  std::atomic<bool> built{false};
  std::thread builder([&] {
    EXPECT_OK(Build(R"({"v":2,"key":{"a":1},"name":"a_1"})"));
    built = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(built.load());
  ASSERT_OK(unit->Commit(false));
  builder.join();
  EXPECT_EQ(ScanIds("a_1", {All()}), V{"1"});
}


TEST_F(IndexTest, PrepareUniqueThenConvertToUnique) {
  ASSERT_OK(Build(R"({"v":2,"key":{"a":1},"name":"a_1"})"));
  ASSERT_OK(Insert(R"({"_id":1,"a":1})"));
  ASSERT_OK(Insert(R"({"_id":2,"a":1})"));
  ASSERT_OK(Insert(R"({"_id":3,"a":2})"));
  ASSERT_OK(Insert(R"({"_id":7,"a":2})"));
  // prepareUnique: existing duplicates stay, new ones are rejected.
  ASSERT_OK(ModifyIndexSpec(*engine_, "db", "c", "a_1",
                            bson::FromJson(R"({"v":2,"key":{"a":1},"name":"a_1",
                                               "prepareUnique":true})"),
                            false, false));
  EXPECT_CODE(Insert(R"({"_id":4,"a":1})"), ErrorCode::kDuplicateKey);
  ASSERT_OK(Insert(R"({"_id":5,"a":3})"));
  EXPECT_CODE(Update(R"({"_id":5,"a":3})", R"({"_id":5,"a":2})"), ErrorCode::kDuplicateKey);
  bson::BsonDocument unique_spec = bson::FromJson(R"({"v":2,"key":{"a":1},"name":"a_1",
                                                      "unique":true})");
  // Conversion reports every duplicated tuple with its _ids, and changes nothing.
  Status s = ModifyIndexSpec(*engine_, "db", "c", "a_1", unique_spec, true, false);
  ASSERT_CODE(s, ErrorCode::kCannotConvertIndexToUnique);
  bson::BsonDocument extra = bson::BsonDocument::FromBytes(std::string(s.extra_bson()));
  EXPECT_EQ(extra.view()["violations"].Array().ToJson(),
            bson::FromJson(R"({"0":{"ids":[1,2]},"1":{"ids":[3,7]}})").view().ToJson());
  EXPECT_TRUE(Coll()->FindIndex("a_1")->spec.view()["prepareUnique"].TrueValue());
  ASSERT_OK(Delete(R"({"_id":2,"a":1})"));
  ASSERT_OK(Delete(R"({"_id":7,"a":2})"));
  ASSERT_OK(ModifyIndexSpec(*engine_, "db", "c", "a_1", unique_spec, true, true));  // dry run
  EXPECT_FALSE(Coll()->FindIndex("a_1")->spec.view()["unique"].TrueValue());
  const uint64_t before_conversion = Coll()->FindIndex("a_1")->index_id;
  ASSERT_OK(ModifyIndexSpec(*engine_, "db", "c", "a_1", unique_spec, true, false));
  EXPECT_TRUE(Coll()->FindIndex("a_1")->spec.view()["unique"].TrueValue());
  EXPECT_CODE(Insert(R"({"_id":6,"a":3})"), ErrorCode::kDuplicateKey);
  EXPECT_EQ(ScanIds("a_1", {All()}), (V{"1", "3", "5"}));
  // The conversion rebuilt the index in the layout of indexes created unique.
  EXPECT_TRUE(Coll()->FindIndex("a_1")->tuple_keys);
  EXPECT_NE(Coll()->FindIndex("a_1")->index_id, before_conversion);
  auto read = engine_->BeginRead();
  auto v = ValidateIndex(read.get(), Coll()->id, *Method("a_1"));
  ASSERT_OK(v.status());
  EXPECT_TRUE(v.value().valid());
  EXPECT_EQ(v.value().keys, 3);
  std::string old_prefix = storage::IndexPrefix(before_conversion);
  EXPECT_FALSE(read->ScanRaw(old_prefix, storage::PrefixSuccessor(old_prefix))->Next());
}

// New unique indexes key entries by the tuple alone (_id only in the value); a unique index made
// before that (or by collMod) keeps tuple + KeyString(_id) keys. Both layouts enforce the same
// rules, and reads give the same entries.
TEST_F(IndexTest, UniqueRulesHoldInBothKeyLayouts) {
  ASSERT_OK(Build(R"({"v":2,"key":{"a":1},"name":"a_1","unique":true})"));
  EXPECT_TRUE(Coll()->FindIndex("a_1")->tuple_keys);
  AddLegacyUniqueIndex("b");
  ASSERT_FALSE(Coll()->FindIndex("b_1")->tuple_keys);

  ASSERT_OK(Insert(R"({"_id":1,"a":1,"b":1})"));
  ASSERT_OK(Insert(R"({"_id":2,"a":[2,2,3],"b":[2,2,3]})"));
  for (const char* field : {"a", "b"}) {
    SCOPED_TRACE(field);
    std::string f(field);
    EXPECT_CODE(Insert("{\"_id\":3,\"" + f + "\":1.0}"), ErrorCode::kDuplicateKey);
    EXPECT_CODE(Insert("{\"_id\":3,\"" + f + "\":[4,3]}"), ErrorCode::kDuplicateKey);
  }
  // Moving a key from one document to another: free once its holder let go of it.
  EXPECT_CODE(Update(R"({"_id":1,"a":1,"b":1})", R"({"_id":1,"a":3,"b":9})"),
              ErrorCode::kDuplicateKey);
  ASSERT_OK(Update(R"({"_id":2,"a":[2,2,3],"b":[2,2,3]})", R"({"_id":2,"a":2,"b":2})"));
  ASSERT_OK(Update(R"({"_id":1,"a":1,"b":1})", R"({"_id":1,"a":3,"b":3})"));
  ASSERT_OK(Insert(R"({"_id":4,"a":1,"b":1})"));
  EXPECT_EQ(ScanIds("a_1", {All()}), (V{"4", "2", "1"}));
  EXPECT_EQ(ScanIds("b_1", {All()}), (V{"4", "2", "1"}));

  // The stored keys: the tuple alone vs the tuple and the _id.
  auto read = engine_->BeginRead();
  std::string a_prefix = storage::IndexPrefix(Coll()->FindIndex("a_1")->index_id);
  std::string b_prefix = storage::IndexPrefix(Coll()->FindIndex("b_1")->index_id);
  auto a_entry = read->Get(a_prefix + Ks("1"));
  ASSERT_OK(a_entry.status());
  ASSERT_TRUE(a_entry.value().has_value());
  EXPECT_EQ(bson::BsonView(a_entry.value()->data()).ToJson(), R"({"_id":4,"0":1})");
  auto b_entry = read->Get(b_prefix + Ks("1") + Ks("4"));
  ASSERT_OK(b_entry.status());
  EXPECT_TRUE(b_entry.value().has_value());
  auto b_tuple_only = read->Get(b_prefix + Ks("1"));
  ASSERT_OK(b_tuple_only.status());
  EXPECT_FALSE(b_tuple_only.value().has_value());
  ASSERT_OK(Delete(R"({"_id":4,"a":1,"b":1})"));
  EXPECT_EQ(ScanIds("a_1", {All()}), (V{"2", "1"}));
  EXPECT_EQ(ScanIds("b_1", {All()}), (V{"2", "1"}));
}

// Concurrent writers of one unique key, in both layouts: exactly one document gets it, every
// other insert fails cleanly (11000, or a write conflict while the winner is committing), and the
// index holds one entry for it.
TEST_F(IndexTest, ConcurrentInsertsOfOneUniqueKeyLetExactlyOneWin) {
  ASSERT_OK(Build(R"({"v":2,"key":{"a":1},"name":"a_1","unique":true})"));
  AddLegacyUniqueIndex("b");
  for (const char* field : {"a", "b"}) {
    SCOPED_TRACE(field);
    for (int round = 0; round < 5; ++round) {
      constexpr int kThreads = 6;
      std::atomic<int> won{0}, lost{0};
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
          // Distinct _ids and other-field values: only `field` collides.
          int id = 1000 * (field[0] == 'a' ? 1 : 2) + 10 * round + t;
          std::string other = field[0] == 'a' ? "b" : "a";
          Status s = Insert("{\"_id\":" + std::to_string(id) + ",\"" + field + "\":" +
                            std::to_string(round) + ",\"" + other + "\":" + std::to_string(id) +
                            "}");
          if (s.ok()) {
            ++won;
          } else {
            EXPECT_TRUE(s.Is(ErrorCode::kDuplicateKey) || s.Is(ErrorCode::kWriteConflict))
                << s.ToString();
            ++lost;
          }
        });
      }
      for (std::thread& t : threads) t.join();
      EXPECT_EQ(won.load(), 1);
      EXPECT_EQ(lost.load(), kThreads - 1);
      KeyRange r;
      r.low = r.high = Ks(std::to_string(round));
      EXPECT_EQ(ScanIds(std::string(field) + "_1", {r}).size(), 1u);
    }
  }
  auto read = engine_->BeginRead();
  for (const char* name : {"a_1", "b_1"}) {
    auto v = ValidateIndex(read.get(), Coll()->id, *Method(name));
    ASSERT_OK(v.status());
    EXPECT_TRUE(v.value().valid()) << name;
    EXPECT_EQ(v.value().keys, 10) << name;
  }
}

// reIndex rebuilds every secondary index under new ids and swaps them in at once: same names,
// order and specs, the old entries gone, an older-layout unique index now tuple-keyed, the
// multikey flag as the documents say, and every rule and read as before.
TEST_F(IndexTest, RebuildIndexesSwapsInCompleteNewIndexes) {
  ASSERT_OK(Build(R"({"v":2,"key":{"a":1},"name":"a_1","unique":true})"));
  AddLegacyUniqueIndex("b");
  ASSERT_OK(Build(R"({"v":2,"key":{"t":1},"name":"t_1"})"));
  for (int i = 0; i < 30; ++i) {
    std::string n = std::to_string(i);
    ASSERT_OK(Insert("{\"_id\":" + n + ",\"a\":" + n + ",\"b\":" + n + ",\"t\":[" + n + "," +
                     std::to_string(i + 100) + "]}"));
  }
  std::vector<uint64_t> old_ids;
  for (const auto& d : Coll()->indexes) old_ids.push_back(d.index_id);

  auto specs = RebuildIndexes(*engine_, "db", "c");
  ASSERT_OK(specs.status());
  std::vector<std::string> names;
  for (const auto& spec : specs.value()) names.emplace_back(spec.view()["name"].String());
  EXPECT_EQ(names, (V{"_id_", "a_1", "b_1", "t_1"}));
  storage::CollectionPtr coll = Coll();
  ASSERT_EQ(coll->indexes.size(), 4u);
  auto read = engine_->BeginRead();
  for (size_t i = 1; i < coll->indexes.size(); ++i) {
    const storage::IndexDescriptor& d = coll->indexes[i];
    SCOPED_TRACE(d.name);
    EXPECT_NE(d.index_id, old_ids[i]);
    EXPECT_FALSE(d.building);
    EXPECT_EQ(d.tuple_keys, d.name != "t_1");
    EXPECT_EQ(d.multikey, d.name == "t_1");
    EXPECT_EQ(d.spec.ToJson(), specs.value()[i].ToJson());
    auto v = ValidateIndex(read.get(), coll->id, *Method(d.name));
    ASSERT_OK(v.status());
    EXPECT_TRUE(v.value().valid());
    EXPECT_EQ(v.value().keys, d.name == "t_1" ? 60 : 30);
    std::string old_prefix = storage::IndexPrefix(old_ids[i]);
    auto raw = read->ScanRaw(old_prefix, storage::PrefixSuccessor(old_prefix));
    EXPECT_FALSE(raw->Next());  // the old entries went with the swap
  }
  EXPECT_CODE(Insert(R"({"_id":100,"b":7})"), ErrorCode::kDuplicateKey);
  EXPECT_EQ(ScanIds("t_1", {All()}).size(), 60u);
  EXPECT_CODE(RebuildIndexes(*engine_, "db", "nope").status(), ErrorCode::kNamespaceNotFound);
}

// A reIndex that stops before its swap (a crash) leaves the old indexes, whole; the unfinished
// rebuilds are dropped at the next open.
TEST_F(IndexTest, RebuildIndexesStoppedBeforeTheSwapKeepsTheOldIndexes) {
  ASSERT_OK(Build(R"({"v":2,"key":{"a":1},"name":"a_1","unique":true})"));
  for (int i = 0; i < 40; ++i) {
    ASSERT_OK(Insert("{\"_id\":" + std::to_string(i) + ",\"a\":" + std::to_string(i) + "}"));
  }
  const uint64_t old_id = Coll()->FindIndex("a_1")->index_id;
  IndexBuildOptions options;
  options.chunk_bytes = 256;
  options.after_chunk_for_test = [](int chunk) { return chunk < 1; };
  EXPECT_CODE(RebuildIndexes(*engine_, "db", "c", options).status(), ErrorCode::kInterrupted);
  engine_.reset();
  engine_ = storage::OpenOrDie(dir_.path());
  ASSERT_EQ(Coll()->indexes.size(), 2u);
  EXPECT_EQ(Coll()->FindIndex("a_1")->index_id, old_id);
  EXPECT_EQ(ScanIds("a_1", {All()}).size(), 40u);
  auto read = engine_->BeginRead();
  auto raw = read->ScanRaw(storage::IndexPrefix(old_id + 1), std::string(1, '\x05'));
  EXPECT_FALSE(raw->Next());  // nothing of the unfinished rebuild is left
}

// validate over a tuple-keyed index whose entry names the wrong document: that document's key
// is missing and the entry is extra; an intact index passes without a record read per entry.
TEST_F(IndexTest, ValidateFindsATupleKeyedEntryNamingAnotherDocument) {
  ASSERT_OK(Build(R"({"v":2,"key":{"a":1},"name":"a_1","unique":true})"));
  ASSERT_OK(Insert(R"({"_id":1,"a":1})"));
  ASSERT_OK(Insert(R"({"_id":2,"a":2})"));
  {
    auto read = engine_->BeginRead();
    auto v = ValidateIndex(read.get(), Coll()->id, *Method("a_1"));
    ASSERT_OK(v.status());
    EXPECT_TRUE(v.value().valid());
    EXPECT_EQ(v.value().keys, 2);
  }
  std::string prefix = storage::IndexPrefix(Coll()->FindIndex("a_1")->index_id);
  ASSERT_OK(engine_->BulkPut(
      {{prefix + Ks("2"), std::string(bson::FromJson(R"({"_id":1,"0":2})").view().bytes())}}));
  auto read = engine_->BeginRead();
  auto v = ValidateIndex(read.get(), Coll()->id, *Method("a_1"));
  ASSERT_OK(v.status());
  EXPECT_EQ(v.value().keys, 2);
  ASSERT_EQ(v.value().missing_count, 1);
  EXPECT_EQ(v.value().missing[0].id_key.ToJson(), R"({"_id":2})");
  ASSERT_EQ(v.value().extra_count, 1);
  EXPECT_EQ(v.value().extra[0].id_key.ToJson(), R"({"_id":1})");
  EXPECT_EQ(v.value().extra[0].index_key.ToJson(), R"({"a":2})");
}

// Whole-tuple ranges of a tuple-keyed index are point reads: no iterator is opened for them, a
// missing tuple yields nothing, and the ranges keep their order (reversed backwards).
TEST_F(IndexTest, WholeTupleRangesOfTupleKeyedIndexesArePointReads) {
  ASSERT_OK(Build(R"({"v":2,"key":{"a":1},"name":"a_1","unique":true})"));
  ASSERT_OK(Build(R"({"v":2,"key":{"b":1},"name":"b_1"})"));
  ASSERT_OK(Insert(R"({"_id":1,"a":10,"b":10})"));
  ASSERT_OK(Insert(R"({"_id":2,"a":20,"b":20})"));
  ASSERT_OK(Insert(R"({"_id":3,"a":30,"b":30})"));
  auto point = [](const std::string& ks) {
    KeyRange r;
    r.low = r.high = ks;
    r.whole_tuple = true;
    return r;
  };
  auto run = [&](const std::string& name, bool forward, int* scans, int* gets) {
    auto read = engine_->BeginRead();
    auto cursor = Method(name)->Scan(
        [&](std::string lo, std::string hi, bool fwd) {
          ++*scans;
          return read->ScanRaw(std::move(lo), std::move(hi), fwd);
        },
        {point(Ks("30")), point(Ks("25")), point(Ks("10"))}, forward,
        [&](std::string_view key) {
          ++*gets;
          return read->Get(key);
        });
    std::vector<std::string> ids;
    while (cursor->Next()) ids.push_back(cursor->id().ValueToJson());
    EXPECT_OK(cursor->status());
    return ids;
  };
  int scans = 0, gets = 0;
  EXPECT_EQ(run("a_1", true, &scans, &gets), (V{"3", "1"}));
  EXPECT_EQ(scans, 0);
  EXPECT_EQ(gets, 3);
  EXPECT_EQ(run("a_1", false, &scans, &gets), (V{"1", "3"}));
  EXPECT_EQ(scans, 0);
  // Entries of a non-unique index carry the _id in their keys: ranges are scanned.
  gets = 0;
  EXPECT_EQ(run("b_1", true, &scans, &gets), (V{"3", "1"}));
  EXPECT_EQ(gets, 0);
  EXPECT_EQ(scans, 3);
}

// Runs `work` on another thread while the build is paused in its test hook and waits up to
// 10 s for it; work blocked behind the build is left behind (the test then fails on its result).
void RunBesideTheBuild(std::function<void()> work) {
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::thread other([work = std::move(work), done] {
    work();
    *done = true;
  });
  for (int i = 0; i < 1000 && !*done; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (*done) {
    other.join();
  } else {
    other.detach();
  }
}

// A build holds only its own collection's write lock: writers of other collections and readers
// (snapshots) of the collection being indexed go on while it runs.
storage::Engine* g_build_engine = nullptr;
std::atomic<int> g_concurrent_ok{0};

TEST_F(IndexTest, BuildDoesNotBlockOtherCollectionsOrReaders) {
  ASSERT_OK(engine_->catalog().CreateCollection("db", "other", bson::BsonView(), nullptr));
  for (int i = 0; i < 40; ++i) {
    ASSERT_OK(Insert("{\"_id\":" + std::to_string(i) + ",\"a\":" + std::to_string(i) + "}"));
  }
  g_build_engine = engine_.get();
  g_concurrent_ok = 0;
  IndexBuildOptions options;
  options.chunk_bytes = 256;
  options.after_chunk_for_test = [](int chunk) {
    if (chunk != 0) return true;
    // Mid-build (a unique build holds db.c exclusively throughout): another thread writes
    // db.other and reads db.c; it must finish while the build is still paused here.
    RunBesideTheBuild([] {
      storage::Engine& engine = *g_build_engine;
      storage::CollectionPtr other_coll = engine.catalog().Lookup("db", "other");
      bson::BsonDocument doc = bson::FromJson(R"({"_id":1,"b":1})");
      auto unit = engine.BeginWrite();
      bool ok = unit->LockCollectionForWrite(other_coll->id) != nullptr &&
                unit->InsertRecord(other_coll->id, doc["_id"], doc.view()).ok() &&
                OnInsert(unit.get(), *other_coll, doc["_id"], doc.view()).ok() &&
                unit->Commit(false).ok();
      auto read = engine.BeginRead();
      auto cursor = read->ScanRecords(engine.catalog().Lookup("db", "c")->id);
      int n = 0;
      while (cursor->Next()) ++n;
      if (ok && n == 40) ++g_concurrent_ok;
    });
    return true;
  };
  ASSERT_OK(Build(R"({"v":2,"key":{"a":1},"name":"a_1","unique":true})", options));
  EXPECT_EQ(g_concurrent_ok.load(), 1);
  EXPECT_EQ(ScanIds("a_1", {All()}).size(), 40u);
}

// Writers of the collection being indexed (non-unique) go on during the scan; their documents'
// entries end up those of their current version, whether the scan had passed them or not.
std::atomic<int> g_writes_done{0};

Status WriteDuringBuild(storage::Engine& engine, const std::string& op, const std::string& json) {
  storage::CollectionPtr coll = engine.catalog().Lookup("db", "c");
  auto unit = engine.BeginWrite();
  bson::BsonDocument doc = bson::FromJson(json);
  coll = unit->LockCollectionForWrite(coll->id);  // the descriptor with the building index
  if (op == "insert") {
    DDS_RETURN_IF_ERROR(unit->InsertRecord(coll->id, doc["_id"], doc.view()));
    DDS_RETURN_IF_ERROR(OnInsert(unit.get(), *coll, doc["_id"], doc.view()));
  } else {
    DDS_ASSIGN_OR_RETURN(std::optional<bson::BsonDocument> old,
                         unit->GetRecordForUpdate(coll->id, doc["_id"]));
    if (!old) return Status(ErrorCode::kNoSuchKey, "missing " + json);
    if (op == "update") {
      DDS_RETURN_IF_ERROR(unit->UpdateRecord(coll->id, doc["_id"], doc.view()));
      DDS_RETURN_IF_ERROR(OnUpdate(unit.get(), *coll, doc["_id"], old->view(), doc.view()));
    } else {
      DDS_RETURN_IF_ERROR(unit->DeleteRecord(coll->id, doc["_id"]));
      DDS_RETURN_IF_ERROR(OnDelete(unit.get(), *coll, doc["_id"], old->view()));
    }
  }
  return unit->Commit(false);
}

TEST_F(IndexTest, WritersGoOnDuringANonUniqueBuild) {
  for (int i = 0; i < 40; ++i) {
    ASSERT_OK(Insert("{\"_id\":" + std::to_string(i) + ",\"a\":" + std::to_string(i) + "}"));
  }
  g_build_engine = engine_.get();
  g_writes_done = 0;
  IndexBuildOptions options;
  options.chunk_bytes = 256;  // the first chunk is written after a few documents
  options.after_chunk_for_test = [](int chunk) {
    if (chunk != 0) return true;
    RunBesideTheBuild([] {
      storage::Engine& engine = *g_build_engine;
      const std::vector<std::pair<std::string, std::string>> writes = {
          {"update", R"({"_id":1,"a":101})"},          // scanned already
          {"update", R"({"_id":39,"a":139})"},         // not scanned yet
          {"update", R"({"_id":3,"a":[1000,1001]})"},  // becomes multikey
          {"delete", R"({"_id":2})"},
          {"delete", R"({"_id":38})"},
          {"insert", R"({"_id":100,"a":100})"},
      };
      for (const auto& [op, json] : writes) {
        if (WriteDuringBuild(engine, op, json).ok()) ++g_writes_done;
      }
    });
    return true;
  };
  ASSERT_OK(Build(R"({"v":2,"key":{"a":1},"name":"a_1"})", options));
  EXPECT_EQ(g_writes_done.load(), 6);
  V expected = {"0"};
  for (int i = 4; i < 38; ++i) expected.push_back(std::to_string(i));
  for (const char* id : {"100", "1", "39", "3", "3"}) expected.push_back(id);
  EXPECT_EQ(ScanIds("a_1", {All()}), expected);
  EXPECT_TRUE(Coll()->FindIndex("a_1")->multikey);
  EXPECT_FALSE(Coll()->FindIndex("a_1")->building);
}

}  // namespace
}  // namespace dds::index
