// Database, collection and index commands against a real Engine in a temp directory.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "bson/bson.h"
#include "commands/cursor_manager.h"
#include "commands/dispatch.h"
#include "common/logging.h"
#include "storage/engine.h"
#include "test_util.h"

namespace dds::commands {
namespace {

class DatabaseCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogQuiet(true);
    dir_ = std::filesystem::temp_directory_path() /
           ("dds_dbcmd_" + std::to_string(std::random_device{}()));
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
  int Code(const std::string& json) {
    bson::BsonDocument r = Run(json);
    return r["ok"].Double() == 1.0 ? 0 : r["code"].Int32();
  }

  std::filesystem::path dir_;
  std::unique_ptr<storage::Engine> engine_;
  CursorManager cursors_;
  ServiceContext service_;
  ClientState client_;
};

TEST_F(DatabaseCommandsTest, CreateListDrop) {
  EXPECT_EQ(Code(R"({"create": "c1", "$db": "test"})"), 0);
  EXPECT_EQ(Code(R"({"create": "c1", "$db": "test"})"), 0);  // identical options
  EXPECT_EQ(Code(R"({"create": "c1", "validationLevel": "off", "$db": "test"})"), 48);
  EXPECT_EQ(Code(R"({"create": "c2", "collation": {"locale": "fr"}, "$db": "test"})"), 2);
  EXPECT_EQ(Code(R"({"create": "c2", "capped": true, "size": 100, "$db": "test"})"), 238);
  EXPECT_EQ(Code(R"({"create": "c2", "foo": 1, "$db": "test"})"), 40415);
  EXPECT_EQ(Code(R"({"create": 1, "$db": "test"})"), 73);
  EXPECT_EQ(Code(R"({"create": "system.foo", "$db": "test"})"), 73);
  EXPECT_EQ(Code(R"({"create": "c2", "$db": "test"})"), 0);

  bson::BsonDocument r = Run(R"({"listCollections": 1, "$db": "test"})");
  ASSERT_EQ(r["ok"].Double(), 1.0) << r.ToJson();
  bson::BsonView cursor = r["cursor"].Object();
  EXPECT_EQ(cursor["ns"].String(), "test.$cmd.listCollections");
  EXPECT_EQ(cursor["id"].Int64(), 0);
  bson::BsonView batch = cursor["firstBatch"].Array();
  ASSERT_EQ(batch.CountFields(), 2);
  bson::BsonView first = batch["0"].Object();
  EXPECT_EQ(first["name"].String(), "c1");
  EXPECT_EQ(first["type"].String(), "collection");
  EXPECT_EQ(first["info"].Object()["uuid"].BinSubtype(), 4);
  EXPECT_EQ(first["idIndex"].Object()["name"].String(), "_id_");

  r = Run(R"({"listCollections": 1, "filter": {"name": "c2"}, "nameOnly": true,
              "authorizedCollections": false, "$db": "test"})");
  batch = r["cursor"].Object()["firstBatch"].Array();
  ASSERT_EQ(batch.CountFields(), 1);
  EXPECT_EQ(batch["0"].Object().CountFields(), 2);

  r = Run(R"({"listDatabases": 1, "$db": "admin"})");
  ASSERT_EQ(r["ok"].Double(), 1.0) << r.ToJson();
  bson::BsonView dbs = r["databases"].Array();
  ASSERT_EQ(dbs.CountFields(), 1);
  EXPECT_EQ(dbs["0"].Object()["name"].String(), "test");
  EXPECT_EQ(dbs["0"].Object()["sizeOnDisk"].type(), bson::BsonType::kInt64);
  EXPECT_FALSE(dbs["0"].Object()["empty"].Bool());
  EXPECT_EQ(Code(R"({"listDatabases": 1, "$db": "test"})"), 13);
  r = Run(R"({"listDatabases": 1, "filter": {"name": "nope"}, "nameOnly": true, "$db": "admin"})");
  EXPECT_EQ(r["databases"].Array().CountFields(), 0);

  r = Run(R"({"drop": "c1", "$db": "test"})");
  EXPECT_EQ(r["nIndexesWas"].Int32(), 1);
  EXPECT_EQ(r["ns"].String(), "test.c1");
  EXPECT_EQ(Code(R"({"drop": "c1", "$db": "test"})"), 0);

  r = Run(R"({"dropDatabase": 1, "$db": "test"})");
  EXPECT_EQ(r["dropped"].String(), "test");
  r = Run(R"({"listDatabases": 1, "$db": "admin"})");
  EXPECT_EQ(r["databases"].Array().CountFields(), 0);
}

TEST_F(DatabaseCommandsTest, DdlWriteConcern) {
  EXPECT_EQ(Code(R"({"create": "w", "writeConcern": {"w": 1, "j": true}, "$db": "test"})"), 0);
  EXPECT_EQ(Code(R"({"create": "w2", "writeConcern": {"w": -1}, "$db": "test"})"), 9);
  bson::BsonDocument r = Run(R"({"drop": "w", "writeConcern": {"w": 3}, "$db": "test"})");
  EXPECT_EQ(r["ok"].Double(), 1.0);
  EXPECT_EQ(r["writeConcernError"].Object()["code"].Int32(), 2);
  EXPECT_EQ(r["nIndexesWas"].Int32(), 1);
}

TEST_F(DatabaseCommandsTest, CollMod) {
  EXPECT_EQ(Code(R"({"collMod": "m", "$db": "test"})"), 26);
  ASSERT_EQ(Code(R"({"create": "m", "$db": "test"})"), 0);
  EXPECT_EQ(Code(R"({"collMod": "m", "$db": "test"})"), 0);
  EXPECT_EQ(Code(R"({"collMod": "m", "validationLevel": "moderate", "$db": "test"})"), 0);
  EXPECT_EQ(Code(R"({"collMod": "m", "validationLevel": "bogus", "$db": "test"})"), 2);
  EXPECT_EQ(Code(R"({"collMod": "m", "validator": {"a": 1}, "$db": "test"})"), 0);
  EXPECT_EQ(Code(R"({"collMod": "m", "validator": {"$where": "1"}, "$db": "test"})"), 2);
  EXPECT_EQ(Code(R"({"collMod": "m", "validator": {"a": {"$bogus": 1}}, "$db": "test"})"), 2);
  EXPECT_EQ(Code(R"({"collMod": "m", "changeStreamPreAndPostImages": {"enabled": true},
                    "$db": "test"})"),
            0);
  bson::BsonDocument r = Run(R"({"listCollections": 1, "$db": "test"})");
  bson::BsonView options = r["cursor"].Object()["firstBatch"].Array()["0"].Object()["options"].Object();
  EXPECT_EQ(options["validationLevel"].String(), "moderate");
  // Any validation option makes the level and the action explicit, as mongod stores them.
  EXPECT_EQ(options["validationAction"].String(), "error");
  EXPECT_EQ(options["validator"].Object().ToJson(), bson::FromJson(R"({"a": 1})").ToJson());
  EXPECT_TRUE(options["changeStreamPreAndPostImages"].Object()["enabled"].Bool());

  ASSERT_EQ(Code(R"({"createIndexes": "m", "indexes": [{"key": {"a": 1}, "name": "a_1"},
                    {"key": {"t": 1}, "name": "t_1", "expireAfterSeconds": 10}], "$db": "test"})"),
            0);
  r = Run(R"({"collMod": "m", "index": {"name": "a_1", "hidden": true}, "$db": "test"})");
  ASSERT_EQ(r["ok"].Double(), 1.0) << r.ToJson();
  EXPECT_FALSE(r["hidden_old"].Bool());
  EXPECT_TRUE(r["hidden_new"].Bool());
  r = Run(R"({"collMod": "m", "index": {"keyPattern": {"t": 1}, "expireAfterSeconds": 20},
              "$db": "test"})");
  ASSERT_EQ(r["ok"].Double(), 1.0) << r.ToJson();
  EXPECT_EQ(r["expireAfterSeconds_new"].Int64(), 20);
  EXPECT_EQ(Code(R"({"collMod": "m", "index": {"name": "a_1", "expireAfterSeconds": 5},
                    "$db": "test"})"),
            72);
  EXPECT_EQ(Code(R"({"collMod": "m", "index": {"name": "zz", "hidden": true}, "$db": "test"})"),
            27);
  EXPECT_EQ(Code(R"({"collMod": "m", "index": {"name": "_id_", "hidden": true}, "$db": "test"})"),
            2);
  r = Run(R"({"listIndexes": "m", "$db": "test"})");
  bson::BsonView batch = r["cursor"].Object()["firstBatch"].Array();
  EXPECT_TRUE(batch["1"].Object()["hidden"].Bool());
  EXPECT_EQ(batch["2"].Object()["expireAfterSeconds"].Int64(), 20);
  r = Run(R"({"collMod": "m", "index": {"name": "a_1", "hidden": false}, "$db": "test"})");
  r = Run(R"({"listIndexes": "m", "$db": "test"})");
  EXPECT_FALSE(r["cursor"].Object()["firstBatch"].Array()["1"].Object().HasField("hidden"));
}

TEST_F(DatabaseCommandsTest, RenameCollection) {
  ASSERT_EQ(Code(R"({"create": "a", "$db": "test"})"), 0);
  ASSERT_EQ(Code(R"({"create": "b", "$db": "test"})"), 0);
  EXPECT_EQ(Code(R"({"renameCollection": "test.a", "to": "test.b", "$db": "test"})"), 13);
  EXPECT_EQ(Code(R"({"renameCollection": "test.a", "to": "test.b", "$db": "admin"})"), 48);
  EXPECT_EQ(Code(R"({"renameCollection": "test.x", "to": "test.y", "$db": "admin"})"), 26);
  EXPECT_EQ(Code(R"({"renameCollection": "test.a", "$db": "admin"})"), 40414);
  EXPECT_EQ(Code(R"({"renameCollection": "test.a", "to": "test.c", "$db": "admin"})"), 0);
  EXPECT_EQ(
      Code(R"({"renameCollection": "test.c", "to": "test.b", "dropTarget": true, "$db": "admin"})"),
      0);
  bson::BsonDocument r = Run(R"({"listCollections": 1, "nameOnly": true, "$db": "test"})");
  bson::BsonView batch = r["cursor"].Object()["firstBatch"].Array();
  ASSERT_EQ(batch.CountFields(), 1);
  EXPECT_EQ(batch["0"].Object()["name"].String(), "b");
}

TEST_F(DatabaseCommandsTest, Indexes) {
  EXPECT_EQ(Code(R"({"listIndexes": "c", "$db": "test"})"), 26);
  EXPECT_EQ(Code(R"({"createIndexes": "c", "$db": "test"})"), 40414);
  EXPECT_EQ(Code(R"({"createIndexes": "c", "indexes": [], "$db": "test"})"), 2);
  EXPECT_EQ(Code(R"({"createIndexes": "c", "indexes": [{"name": "x"}], "$db": "test"})"), 9);
  EXPECT_EQ(Code(R"({"createIndexes": "c", "indexes": [{"key": {"a": 1}}], "$db": "test"})"), 9);
  EXPECT_EQ(
      Code(R"({"createIndexes": "c", "indexes": [{"key": {"a": 1}, "name": ""}], "$db": "test"})"),
      67);
  EXPECT_EQ(Code(R"({"createIndexes": "c", "indexes": [{"key": {"_id": 1}, "name": "_id_",
                    "unique": true}], "$db": "test"})"),
            197);
  EXPECT_EQ(Code(R"({"createIndexes": "c", "indexes": [{"key": {"_id": 1}, "name": "foo"}],
                    "$db": "test"})"),
            85);
  EXPECT_EQ(Code(R"({"createIndexes": "c", "indexes": [{"key": {"a": 1}, "name": "_id_"}],
                    "$db": "test"})"),
            86);
  bson::BsonDocument r = Run(R"({"createIndexes": "c", "indexes": [{"key": {"_id": 1},
                                 "name": "_id_", "v": 2}], "$db": "test"})");
  ASSERT_EQ(r["ok"].Double(), 1.0) << r.ToJson();
  EXPECT_EQ(r["numIndexesBefore"].Int32(), 1);
  EXPECT_EQ(r["numIndexesAfter"].Int32(), 1);
  EXPECT_TRUE(r["createdCollectionAutomatically"].Bool());
  EXPECT_EQ(r["note"].String(), "all indexes already exist");

  r = Run(R"({"listIndexes": "c", "$db": "test"})");
  bson::BsonView cursor = r["cursor"].Object();
  EXPECT_EQ(cursor["ns"].String(), "test.c");
  ASSERT_EQ(cursor["firstBatch"].Array().CountFields(), 1);
  EXPECT_EQ(cursor["firstBatch"].Array()["0"].Object()["name"].String(), "_id_");

  EXPECT_EQ(Code(R"({"dropIndexes": "c", "index": "_id_", "$db": "test"})"), 72);
  EXPECT_EQ(Code(R"({"dropIndexes": "c", "index": {"_id": 1}, "$db": "test"})"), 72);
  bson::BsonDocument nf = Run(R"({"dropIndexes": "c", "index": "x_1", "$db": "test"})");
  EXPECT_EQ(nf["code"].Int32(), 27);
  EXPECT_EQ(nf["errmsg"].String(), "index not found with name [x_1]");
  nf = Run(R"({"dropIndexes": "c", "index": {"a": 1}, "$db": "test"})");
  EXPECT_EQ(nf["errmsg"].String(), "can't find index with key: { a: 1 }");
  EXPECT_EQ(Code(R"({"dropIndexes": "zz", "index": "x_1", "$db": "test"})"), 26);
  r = Run(R"({"dropIndexes": "c", "index": "*", "$db": "test"})");
  EXPECT_EQ(r["nIndexesWas"].Int32(), 1);
}

TEST_F(DatabaseCommandsTest, SecondaryIndexes) {
  ASSERT_EQ(Code(R"({"insert": "s", "documents": [{"_id": 1, "a": 1}, {"_id": 2, "a": 1}],
                    "$db": "test"})"),
            0);
  bson::BsonDocument r = Run(R"({"createIndexes": "s", "indexes": [{"key": {"a": 1},
                                 "name": "a_1"}, {"key": {"b": -1}, "name": "b_-1",
                                 "sparse": 1, "background": true}], "$db": "test"})");
  ASSERT_EQ(r["ok"].Double(), 1.0) << r.ToJson();
  EXPECT_EQ(r["numIndexesBefore"].Int32(), 1);
  EXPECT_EQ(r["numIndexesAfter"].Int32(), 3);
  EXPECT_FALSE(r["createdCollectionAutomatically"].Bool());
  // The same request again: nothing to do.
  r = Run(R"({"createIndexes": "s", "indexes": [{"key": {"a": 1}, "name": "a_1"}],
              "$db": "test"})");
  EXPECT_EQ(r["note"].String(), "all indexes already exist");
  EXPECT_EQ(Code(R"({"createIndexes": "s", "indexes": [{"key": {"a": 1}, "name": "other"}],
                    "$db": "test"})"),
            85);
  EXPECT_EQ(Code(R"({"createIndexes": "s", "indexes": [{"key": {"c": 1}, "name": "a_1"}],
                    "$db": "test"})"),
            86);
  EXPECT_EQ(Code(R"({"createIndexes": "s", "indexes": [{"key": {"c": 1}, "name": "c_1"},
                    {"key": {"c": 1}, "name": "c_1"}], "$db": "test"})"),
            68);
  // Existing duplicates fail a unique build, leaving nothing behind.
  r = Run(R"({"createIndexes": "s", "indexes": [{"key": {"a": 1}, "name": "ua",
              "unique": true, "partialFilterExpression": {"a": {"$gt": 0}}}], "$db": "test"})");
  EXPECT_EQ(r["code"].Int32(), 11000) << r.ToJson();
  r = Run(R"({"listIndexes": "s", "$db": "test"})");
  bson::BsonView batch = r["cursor"].Object()["firstBatch"].Array();
  ASSERT_EQ(batch.CountFields(), 3);
  bson::BsonView b_index = batch["2"].Object();
  EXPECT_EQ(b_index["name"].String(), "b_-1");
  EXPECT_EQ(b_index["v"].Int32(), 2);
  EXPECT_TRUE(b_index["sparse"].Bool());
  EXPECT_FALSE(b_index.HasField("background"));
  r = Run(R"({"dropIndexes": "s", "index": {"b": -1}, "$db": "test"})");
  EXPECT_EQ(r["nIndexesWas"].Int32(), 3);
  r = Run(R"({"dropIndexes": "s", "index": "*", "$db": "test"})");
  EXPECT_EQ(r["nIndexesWas"].Int32(), 2);
  r = Run(R"({"listIndexes": "s", "$db": "test"})");
  EXPECT_EQ(r["cursor"].Object()["firstBatch"].Array().CountFields(), 1);
}

TEST_F(DatabaseCommandsTest, StatsAndValidate) {
  ASSERT_EQ(Code(R"({"create": "c", "$db": "test"})"), 0);
  bson::BsonDocument r = Run(R"({"dbStats": 1, "$db": "test"})");
  ASSERT_EQ(r["ok"].Double(), 1.0) << r.ToJson();
  EXPECT_EQ(r["db"].String(), "test");
  EXPECT_EQ(r["collections"].Int64(), 1);
  EXPECT_EQ(r["objects"].Int64(), 0);
  EXPECT_EQ(Code(R"({"dbStats": 1, "scale": 0, "$db": "test"})"), 51024);
  r = Run(R"({"collStats": "c", "$db": "test"})");
  ASSERT_EQ(r["ok"].Double(), 1.0) << r.ToJson();
  EXPECT_EQ(r["ns"].String(), "test.c");
  EXPECT_EQ(r["count"].Int64(), 0);
  EXPECT_EQ(Code(R"({"collStats": "nope", "$db": "test"})"), 26);
  r = Run(R"({"validate": "c", "$db": "test"})");
  ASSERT_EQ(r["ok"].Double(), 1.0) << r.ToJson();
  EXPECT_TRUE(r["valid"].Bool());
  EXPECT_EQ(Code(R"({"validate": "nope", "$db": "test"})"), 26);
  r = Run(R"({"dataSize": "test.c", "$db": "test"})");
  EXPECT_EQ(r["numObjects"].Int64(), 0);
  EXPECT_EQ(Code(R"({"fsync": 1, "$db": "admin"})"), 0);
  EXPECT_EQ(Code(R"({"fsync": 1, "lock": true, "$db": "admin"})"), 238);
}

TEST_F(DatabaseCommandsTest, GetMoreAndKillCursors) {
  EXPECT_EQ(Code(R"({"getMore": 5, "collection": "c", "$db": "test"})"), 14);
  bson::BsonDocument r =
      Run(R"({"getMore": {"$numberLong": "12345"}, "collection": "c", "$db": "test"})");
  EXPECT_EQ(r["code"].Int32(), 43);
  EXPECT_EQ(r["errmsg"].String(), "cursor id 12345 not found");
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Code(R"({"create": "c)" + std::to_string(i) + R"(", "$db": "test"})"), 0);
  }
  r = Run(R"({"listCollections": 1, "cursor": {"batchSize": 1}, "$db": "test"})");
  int64_t id = r["cursor"].Object()["id"].Int64();
  ASSERT_NE(id, 0);
  r = Run(R"({"getMore": {"$numberLong": ")" + std::to_string(id) +
          R"("}, "collection": "$cmd.listCollections", "batchSize": 1, "$db": "test"})");
  ASSERT_EQ(r["ok"].Double(), 1.0) << r.ToJson();
  EXPECT_EQ(r["cursor"].Object()["nextBatch"].Array().CountFields(), 1);
  r = Run(R"({"killCursors": "$cmd.listCollections", "cursors": [{"$numberLong": ")" +
          std::to_string(id) + R"("}, {"$numberLong": "99"}], "$db": "test"})");
  ASSERT_EQ(r["ok"].Double(), 1.0) << r.ToJson();
  EXPECT_EQ(r["cursorsKilled"].Array()["0"].Int64(), id);
  EXPECT_EQ(r["cursorsNotFound"].Array()["0"].Int64(), 99);
}

}  // namespace
}  // namespace dds::commands
