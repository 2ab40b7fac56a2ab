#include "storage/catalog.h"

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "bson/bson.h"
#include "storage/engine.h"
#include "storage/keyspace.h"
#include "engine_test_util.h"

namespace dds::storage {
namespace {

using bson::BsonDocument;
using bson::FromJson;

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = OpenOrDie(dir_.Sub("db"));
    ASSERT_NE(engine_, nullptr);
  }
  Catalog& catalog() { return engine_->catalog(); }

  uint64_t Create(std::string_view db, std::string_view coll) {
    bool created = false;
    auto c = catalog().CreateCollection(db, coll, BsonDocument(), &created);
    EXPECT_OK(c);
    EXPECT_TRUE(created);
    return c.ok() ? (*c)->id : 0;
  }

  void InsertId(uint64_t coll_id, int id) {
    bson::BsonBuilder b;
    b.AppendInt32("_id", id);
    BsonDocument doc = b.Done();
    auto unit = engine_->BeginWrite();
    ASSERT_OK(unit->InsertRecord(coll_id, doc["_id"], doc));
    ASSERT_OK(unit->Commit(false));
  }

  size_t CountRecords(uint64_t coll_id) {
    auto read = engine_->BeginRead();
    auto cursor = read->ScanRecords(coll_id);
    size_t n = 0;
    while (cursor->Next()) ++n;
    return n;
  }

  size_t CountRaw(const std::string& prefix) {
    auto read = engine_->BeginRead();
    auto cursor = read->ScanRaw(prefix, PrefixSuccessor(prefix));
    size_t n = 0;
    while (cursor->Next()) ++n;
    return n;
  }

  std::vector<std::string> Names(std::string_view db) {
    std::vector<std::string> names;
    for (const CollectionPtr& c : catalog().ListCollections(db)) names.push_back(c->name);
    return names;
  }

  TempDir dir_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(CatalogTest, CreateListLookup) {
  Create("b", "z");
  Create("b", "a");
  Create("a", "x");
  EXPECT_EQ(catalog().ListDatabases(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Names("b"), (std::vector<std::string>{"a", "z"}));
  EXPECT_TRUE(Names("c").empty());
  CollectionPtr c = catalog().Lookup("b", "z");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->ns(), "b.z");
  EXPECT_EQ(catalog().LookupById(c->id), c);
  EXPECT_EQ(catalog().Lookup("b", "nope"), nullptr);
  ASSERT_EQ(c->indexes.size(), 1u);
  EXPECT_EQ(c->indexes[0].spec.view().ToJson(),
            FromJson(R"({"v": 2, "key": {"_id": 1}, "name": "_id_"})").ToJson());
  EXPECT_EQ(c->uuid[6] & 0xf0, 0x40);
  // Creating again returns the existing one.
  bool created = true;
  auto again = catalog().CreateCollection("b", "z", FromJson(R"({"x": 1})"), &created);
  ASSERT_OK(again);
  EXPECT_FALSE(created);
  EXPECT_EQ((*again)->id, c->id);
}

TEST_F(CatalogTest, ConcurrentCreatesOfOneCollectionGetOneId) {
  std::vector<std::thread> threads;
  std::vector<uint64_t> ids(8);
  std::atomic<int> created_count{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      bool created = false;
      auto c = catalog().CreateCollection("db", "implicit", BsonDocument(), &created);
      ids[t] = c.ok() ? (*c)->id : 0;
      if (created) created_count++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created_count.load(), 1);
  EXPECT_EQ(std::set<uint64_t>(ids.begin(), ids.end()).size(), 1u);
  EXPECT_NE(ids[0], 0u);
}

TEST_F(CatalogTest, DropCollectionDeletesRecordsAndIndexEntries) {
  uint64_t id = Create("db", "c");
  InsertId(id, 1);
  InsertId(id, 2);
  IndexDescriptor index{"a_1", 0, FromJson(R"({"v": 2, "key": {"a": 1}, "name": "a_1"})")};
  ASSERT_OK(catalog().AddIndex("db", "c", index));
  uint64_t index_id = catalog().Lookup("db", "c")->FindIndex("a_1")->index_id;
  ASSERT_NE(index_id, 0u);
  auto unit = engine_->BeginWrite();
  ASSERT_OK(unit->Put(IndexPrefix(index_id) + "k", ""));
  ASSERT_OK(unit->Commit(false));
  EXPECT_EQ(CountRaw(IndexPrefix(index_id)), 1u);

  ASSERT_OK(catalog().DropCollection("db", "c"));
  EXPECT_EQ(catalog().Lookup("db", "c"), nullptr);
  EXPECT_EQ(CountRecords(id), 0u);
  EXPECT_EQ(CountRaw(IndexPrefix(index_id)), 0u);
  EXPECT_CODE(catalog().DropCollection("db", "c"), ErrorCode::kNamespaceNotFound);
  // A recreated collection gets a new id and starts empty.
  uint64_t id2 = Create("db", "c");
  EXPECT_NE(id2, id);
  EXPECT_EQ(CountRecords(id2), 0u);
}

TEST_F(CatalogTest, DropDatabase) {
  uint64_t a = Create("db", "a");
  uint64_t b = Create("db", "b");
  uint64_t keep = Create("db2", "a");
  InsertId(a, 1);
  InsertId(b, 1);
  InsertId(keep, 1);
  ASSERT_OK(catalog().DropDatabase("db"));
  EXPECT_TRUE(Names("db").empty());
  EXPECT_EQ(catalog().ListDatabases(), (std::vector<std::string>{"db2"}));
  EXPECT_EQ(CountRecords(a), 0u);
  EXPECT_EQ(CountRecords(b), 0u);
  EXPECT_EQ(CountRecords(keep), 1u);
  EXPECT_OK(catalog().DropDatabase("absent"));
}

TEST_F(CatalogTest, RenameCollection) {
  uint64_t id = Create("db", "from");
  InsertId(id, 1);
  EXPECT_CODE(catalog().RenameCollection("db", "nope", "db", "x", false),
              ErrorCode::kNamespaceNotFound);
  ASSERT_OK(catalog().RenameCollection("db", "from", "db", "to", false));
  EXPECT_EQ(catalog().Lookup("db", "from"), nullptr);
  ASSERT_NE(catalog().Lookup("db", "to"), nullptr);
  EXPECT_EQ(catalog().Lookup("db", "to")->id, id);
  EXPECT_EQ(CountRecords(id), 1u);

  // Across databases: metadata only, records follow.
  ASSERT_OK(catalog().RenameCollection("db", "to", "other", "moved", false));
  EXPECT_EQ(catalog().Lookup("other", "moved")->id, id);
  EXPECT_EQ(catalog().ListDatabases(), (std::vector<std::string>{"other"}));

  // Existing target.
  uint64_t target = Create("other", "target");
  InsertId(target, 5);
  EXPECT_CODE(catalog().RenameCollection("other", "moved", "other", "target", false),
              ErrorCode::kNamespaceExists);
  ASSERT_OK(catalog().RenameCollection("other", "moved", "other", "target", true));
  EXPECT_EQ(catalog().Lookup("other", "target")->id, id);
  EXPECT_EQ(CountRecords(target), 0u);
  EXPECT_EQ(CountRecords(id), 1u);
  EXPECT_EQ(Names("other"), (std::vector<std::string>{"target"}));
}

TEST_F(CatalogTest, IndexMetadata) {
  Create("db", "c");
  IndexDescriptor index{"a_1", 0,
                        FromJson(R"({"v": 2, "key": {"a": 1}, "name": "a_1", "unique": true})")};
  ASSERT_OK(catalog().AddIndex("db", "c", index));
  EXPECT_CODE(catalog().AddIndex("db", "c", index), ErrorCode::kIndexAlreadyExists);
  EXPECT_CODE(catalog().AddIndex("db", "nope", index), ErrorCode::kNamespaceNotFound);
  CollectionPtr c = catalog().Lookup("db", "c");
  ASSERT_EQ(c->indexes.size(), 2u);
  EXPECT_EQ(c->indexes[1].name, "a_1");
  EXPECT_TRUE(c->indexes[1].spec.view()["unique"].Bool());
  EXPECT_CODE(catalog().RemoveIndex("db", "c", "_id_"), ErrorCode::kInvalidOptions);
  EXPECT_CODE(catalog().RemoveIndex("db", "c", "b_1"), ErrorCode::kIndexNotFound);
  EXPECT_CODE(catalog().RemoveIndex("db", "x", "a_1"), ErrorCode::kNamespaceNotFound);
  ASSERT_OK(catalog().RemoveIndex("db", "c", "a_1"));
  EXPECT_EQ(catalog().Lookup("db", "c")->indexes.size(), 1u);
  // The old descriptor snapshot is unchanged.
  EXPECT_EQ(c->indexes.size(), 2u);
}

TEST_F(CatalogTest, SetOptionsAndIndexSpec) {
  Create("db", "c");
  IndexDescriptor index{"a_1", 0, FromJson(R"({"v": 2, "key": {"a": 1}, "name": "a_1"})")};
  ASSERT_OK(catalog().AddIndex("db", "c", index));
  ASSERT_OK(catalog().SetCollectionOptions("db", "c", FromJson(R"({"validator": {"a": 1}})")));
  BsonDocument hidden = FromJson(R"({"v": 2, "key": {"a": 1}, "name": "a_1", "hidden": true})");
  ASSERT_OK(catalog().SetIndexSpec("db", "c", "a_1", hidden));
  EXPECT_CODE(catalog().SetIndexSpec("db", "c", "b_1", hidden), ErrorCode::kIndexNotFound);
  EXPECT_CODE(catalog().SetCollectionOptions("db", "x", BsonDocument()),
              ErrorCode::kNamespaceNotFound);
  engine_.reset();
  engine_ = OpenOrDie(dir_.Sub("db"));
  CollectionPtr c = catalog().Lookup("db", "c");
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->options.view()["validator"].IsObject());
  EXPECT_TRUE(c->FindIndex("a_1")->spec.view()["hidden"].Bool());
}

TEST_F(CatalogTest, ReopenKeepsEverythingAndCleansOrphans) {
  uint64_t id = Create("db", "c");
  IndexDescriptor index{"a_1", 0, FromJson(R"({"v": 2, "key": {"a": 1}, "name": "a_1"})")};
  ASSERT_OK(catalog().AddIndex("db", "c", index));
  ASSERT_OK(catalog().RenameCollection("db", "c", "db", "d", false));
  uint64_t dropped = Create("db", "gone");
  ASSERT_OK(catalog().DropCollection("db", "gone"));
  // A write that raced with the drop leaves an orphan record behind.
  InsertId(dropped, 1);
  EXPECT_EQ(CountRecords(dropped), 1u);
  engine_.reset();
  engine_ = OpenOrDie(dir_.Sub("db"));
  CollectionPtr c = catalog().Lookup("db", "d");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->id, id);
  ASSERT_EQ(c->indexes.size(), 2u);
  EXPECT_EQ(c->indexes[1].name, "a_1");
  EXPECT_EQ(catalog().Lookup("db", "gone"), nullptr);
  EXPECT_EQ(CountRecords(dropped), 0u);
}

// A version 1 database (before tuple-keyed unique indexes) opens and is marked version 2; a
// version this binary does not know is refused.
TEST(CatalogFormat, OpenUpgradesVersionOneAndRefusesUnknownVersions) {
  auto format_version_of = [](const std::string& path) {
    std::unique_ptr<Engine> engine = OpenOrDie(path);
    auto read = engine->BeginRead();
    auto value = read->Get(std::string(1, static_cast<char>(Keyspace::kCatalogMeta)) +
                           "format_version");
    EXPECT_OK(value.status());
    if (!value.ok() || !value.value()) return -1;
    return bson::BsonView(value.value()->data())["v"].Int32();
  };
  auto write_format_version = [](const std::string& path, int32_t v) {
    std::unique_ptr<Engine> engine = OpenOrDie(path);
    bson::BsonBuilder b;
    b.AppendInt32("v", v);
    ASSERT_OK(engine->BulkPut(
        {{std::string(1, static_cast<char>(Keyspace::kCatalogMeta)) + "format_version",
          b.DoneBytes()}}));
  };
  TempDir dir;
  const std::string path = dir.Sub("db");
  EXPECT_EQ(format_version_of(path), kFormatVersion);
  {
    std::unique_ptr<Engine> engine = OpenOrDie(path);
    ASSERT_OK(engine->catalog().CreateCollection("db", "c", BsonDocument(), nullptr));
  }
  write_format_version(path, 1);
  EXPECT_EQ(format_version_of(path), 2);
  {
    std::unique_ptr<Engine> engine = OpenOrDie(path);
    EXPECT_NE(engine->catalog().Lookup("db", "c"), nullptr);
  }
  write_format_version(path, kFormatVersion + 1);
  EngineOptions options;
  options.db_path = path;
  EXPECT_CODE(Engine::Open(options).status(), ErrorCode::kUnsupportedFormat);
}

TEST(CatalogFormat, DescriptorRoundTrip) {
  CollectionDescriptor d;
  d.id = 77;
  d.db = "x";
  d.name = "y.z";
  d.uuid = std::string(16, '\x01');
  d.options = FromJson(R"({"validator": {"a": 1}})");
  d.indexes.push_back(
      IndexDescriptor{"_id_", 0, FromJson(R"({"v": 2, "key": {"_id": 1}, "name": "_id_"})")});
  IndexDescriptor unique{"u_1", 9, FromJson(R"({"v": 2, "key": {"u": 1}, "name": "u_1",
                                                "unique": true})")};
  unique.tuple_keys = true;
  unique.multikey = true;
  d.indexes.push_back(unique);
  auto back = CollectionDescriptorFromBson(CollectionDescriptorToBson(d));
  ASSERT_OK(back);
  EXPECT_EQ(back->id, 77u);
  EXPECT_EQ(back->ns(), "x.y.z");
  EXPECT_EQ(back->uuid, d.uuid);
  EXPECT_EQ(back->options.ToJson(), d.options.ToJson());
  ASSERT_EQ(back->indexes.size(), 2u);
  EXPECT_FALSE(back->indexes[0].tuple_keys);
  EXPECT_TRUE(back->indexes[1].tuple_keys);
  EXPECT_TRUE(back->indexes[1].multikey);
  EXPECT_FALSE(back->indexes[1].building);
  EXPECT_CODE(CollectionDescriptorFromBson(FromJson(R"({"v": 1})")), ErrorCode::kInternalError);
}

}  // namespace
}  // namespace dds::storage
