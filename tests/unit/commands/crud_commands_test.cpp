// The CRUD commands through RunCommand on a real engine in a temp dir: reply shapes and codes
// of compat §2.2, §2.7, §2.8.
#include "commands/crud_commands.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "bson/bson.h"
#include "commands/cursor_manager.h"
#include "commands/dispatch.h"
#include "common/logging.h"
#include "storage/engine.h"
#include "engine_test_util.h"
#include "test_util.h"

namespace dds::commands {
namespace {

using bson::BsonDocument;
using bson::FromJson;

class CrudCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogQuiet(true);
    engine_ = storage::OpenOrDie(dir_.path());
    ASSERT_NE(engine_, nullptr);
    service_.engine = engine_.get();
    service_.cursors = &cursors_;
  }

  // Runs `json` against database "db" and returns the reply as relaxed JSON.
  std::string Run(const std::string& json) {
    BsonDocument body = FromJson(json);
    bson::BsonBuilder b;
    b.AppendElements(body);
    b.AppendString("$db", "db");
    return RunCommand(service_, client_, b.Done(), RequestInfo()).ToJson();
  }
  static std::string Json(const std::string& json) { return FromJson(json).ToJson(); }

  storage::TempDir dir_;  // outlives the engine, which outlives the cursors
  std::unique_ptr<storage::Engine> engine_;
  CursorManager cursors_;
  ServiceContext service_;
  ClientState client_;
};

TEST_F(CrudCommandsTest, InsertMovesIdFirstAndReportsDuplicates) {
  EXPECT_EQ(Run(R"({"insert": "c", "documents": [{"a": 1, "_id": 1}]})"),
            Json(R"({"n": 1, "ok": 1.0})"));
  EXPECT_EQ(Run(R"({"find": "c"})"),
            Json(R"({"cursor": {"firstBatch": [{"_id": 1, "a": 1}], "id": 0, "ns": "db.c"},
                     "ok": 1.0})"));
  EXPECT_EQ(Run(R"({"insert": "c", "documents": [{"_id": 1}, {"_id": 2}, {"_id": [3]}],
                    "ordered": false})"),
            Json(R"({"n": 1, "writeErrors": [
                       {"index": 0, "code": 11000, "keyPattern": {"_id": 1}, "keyValue": {"_id": 1},
                        "errmsg": "E11000 duplicate key error collection: db.c index: _id_ dup key: { _id: 1 }"},
                       {"index": 2, "code": 53, "errmsg": "The '_id' value cannot be of type array"}],
                     "ok": 1.0})"));
  // Ordered: stops at the first error.
  EXPECT_EQ(Run(R"({"insert": "c", "documents": [{"_id": 5}, {"_id": 5}, {"_id": 6}]})"),
            Json(R"({"n": 1, "writeErrors": [
                       {"index": 1, "code": 11000, "keyPattern": {"_id": 1}, "keyValue": {"_id": 5},
                        "errmsg": "E11000 duplicate key error collection: db.c index: _id_ dup key: { _id: 5 }"}],
                     "ok": 1.0})"));
}

TEST_F(CrudCommandsTest, InsertParseErrors) {
  EXPECT_NE(Run(R"({"insert": "c", "documents": [{}, 1]})")
                .find("BSON field 'insert.documents.1' is the wrong type 'int', expected type "
                      "'object'"),
            std::string::npos);
  EXPECT_NE(Run(R"({"insert": "c", "documents": []})").find("\"code\":16"), std::string::npos);
  EXPECT_NE(Run(R"({"insert": "c"})").find("\"code\":40414"), std::string::npos);
  EXPECT_NE(Run(R"({"insert": "c", "documents": [{}], "bogus": 1})").find("\"code\":40415"),
            std::string::npos);
}

TEST_F(CrudCommandsTest, UpdateCountsMatchedModifiedAndUpserted) {
  Run(R"({"insert": "c", "documents": [{"_id": 1, "a": 1}, {"_id": 2, "a": 1}]})");
  EXPECT_EQ(Run(R"({"update": "c", "updates": [
                      {"q": {"a": 1}, "u": {"$set": {"b": 1}}, "multi": true},
                      {"q": {"_id": 1}, "u": {"$set": {"b": 1}}},
                      {"q": {"_id": 9}, "u": {"$set": {"b": 2}}, "upsert": true}]})"),
            Json(R"({"n": 4, "upserted": [{"index": 2, "_id": 9}], "nModified": 2, "ok": 1.0})"));
  EXPECT_EQ(Run(R"({"find": "c", "filter": {"_id": 9}})"),
            Json(R"({"cursor": {"firstBatch": [{"_id": 9, "b": 2}], "id": 0, "ns": "db.c"},
                     "ok": 1.0})"));
}

TEST_F(CrudCommandsTest, UpdateErrorsAreWriteErrors) {
  Run(R"({"insert": "c", "documents": [{"_id": 1, "s": "x"}]})");
  EXPECT_EQ(Run(R"({"update": "c", "updates": [
                      {"q": {"_id": 1}, "u": {"$set": {"_id": 2}}},
                      {"q": {}, "u": {"a": 1}, "multi": true},
                      {"q": {"_id": 1}, "u": {"$inc": {"s": 1}}}], "ordered": false})"),
            Json(R"({"n": 0, "writeErrors": [
                {"index": 0, "code": 66, "errmsg": "Performing an update on the path '_id' would modify the immutable field '_id'"},
                {"index": 1, "code": 9, "errmsg": "multi update is not supported for replacement-style update"},
                {"index": 2, "code": 14, "errmsg": "Cannot apply $inc to a value of non-numeric type. {_id: 1} has the field 's' of non-numeric type string"}],
              "nModified": 0, "ok": 1.0})"));
  EXPECT_NE(Run(R"({"update": "c", "updates": [{"u": {"$set": {"a": 1}}}]})")
                .find("BSON field 'update.updates.q' is missing but a required field"),
            std::string::npos);
}

TEST_F(CrudCommandsTest, DeleteLimitRules) {
  Run(R"({"insert": "c", "documents": [{"_id": 1, "a": 1}, {"_id": 2, "a": 1}, {"_id": 3}]})");
  EXPECT_NE(Run(R"({"delete": "c", "deletes": [{"q": {}, "limit": 2}]})")
                .find("The limit field in delete objects must be 0 or 1. Got 2"),
            std::string::npos);
  EXPECT_EQ(Run(R"({"delete": "c", "deletes": [{"q": {"a": 1}, "limit": 1}]})"),
            Json(R"({"n": 1, "ok": 1.0})"));
  EXPECT_EQ(Run(R"({"delete": "c", "deletes": [{"q": {}, "limit": 0}]})"),
            Json(R"({"n": 2, "ok": 1.0})"));
}

TEST_F(CrudCommandsTest, FindOptionsAndErrors) {
  Run(R"({"insert": "c", "documents": [{"_id": 1, "a": 3}, {"_id": 2, "a": 2}, {"_id": 3, "a": 1}]})");
  EXPECT_EQ(Run(R"({"find": "c", "filter": {"a": {"$gte": 1}}, "sort": {"a": 1}, "skip": 1,
                    "limit": 1, "projection": {"_id": 0}})"),
            Json(R"({"cursor": {"firstBatch": [{"a": 2}], "id": 0, "ns": "db.c"}, "ok": 1.0})"));
  EXPECT_NE(Run(R"({"find": "c", "limit": -1})").find("\"code\":51024"), std::string::npos);
  EXPECT_NE(Run(R"({"find": "c", "bogus": 1})").find("BSON field 'find.bogus' is an unknown field."),
            std::string::npos);
  EXPECT_NE(Run(R"({"find": "c", "filter": 1})").find("\"code\":14"), std::string::npos);
  EXPECT_NE(Run(R"({"find": "c", "hint": "nope"})").find("hint provided does not correspond"),
            std::string::npos);
  EXPECT_NE(Run(R"({"find": "c", "min": {"a": 1}})").find("\"code\":238"), std::string::npos);
  EXPECT_EQ(Run(R"({"find": "missing"})"),
            Json(R"({"cursor": {"firstBatch": [], "id": 0, "ns": "db.missing"}, "ok": 1.0})"));
}

TEST_F(CrudCommandsTest, FindAndModifyShapes) {
  Run(R"({"insert": "c", "documents": [{"_id": 1, "n": 1}]})");
  EXPECT_EQ(Run(R"({"findAndModify": "c", "query": {"_id": 1}, "update": {"$inc": {"n": 1}},
                    "new": true})"),
            Json(R"({"lastErrorObject": {"n": 1, "updatedExisting": true},
                     "value": {"_id": 1, "n": 2}, "ok": 1.0})"));
  EXPECT_EQ(Run(R"({"findAndModify": "c", "query": {"_id": 2}, "update": {"$inc": {"n": 1}},
                    "upsert": true})"),
            Json(R"({"lastErrorObject": {"n": 1, "updatedExisting": false, "upserted": 2},
                     "value": null, "ok": 1.0})"));
  EXPECT_EQ(Run(R"({"findAndModify": "c", "query": {"_id": 1}, "remove": true,
                    "fields": {"n": 0}})"),
            Json(R"({"lastErrorObject": {"n": 1}, "value": {"_id": 1}, "ok": 1.0})"));
  EXPECT_NE(Run(R"({"findAndModify": "c", "remove": true, "upsert": true})")
                .find("Cannot specify both upsert=true and remove=true"),
            std::string::npos);
  EXPECT_NE(Run(R"({"findAndModify": "c", "query": {"_id": 2}, "update": {"$set": {"_id": 3}}})")
                .find("Plan executor error during findAndModify :: caused by :: "),
            std::string::npos);
}

TEST_F(CrudCommandsTest, CountDistinctAggregate) {
  Run(R"({"insert": "c", "documents": [{"_id": 1, "a": [1, 2]}, {"_id": 2, "a": 2.0},
                                        {"_id": 3, "a": {"b": 1}}]})");
  EXPECT_EQ(Run(R"({"count": "c"})"), Json(R"({"n": 3, "ok": 1.0})"));
  EXPECT_EQ(Run(R"({"count": "c", "query": {"a": 2}, "limit": 1})"), Json(R"({"n": 1, "ok": 1.0})"));
  EXPECT_EQ(Run(R"({"distinct": "c", "key": "a"})"),
            Json(R"({"values": [1, 2, {"b": 1}], "ok": 1.0})"));
  EXPECT_EQ(Run(R"({"aggregate": "c", "pipeline": [{"$match": {"a": 2}}, {"$count": "n"}],
                    "cursor": {}})"),
            Json(R"({"cursor": {"firstBatch": [{"n": 2}], "id": 0, "ns": "db.c"}, "ok": 1.0})"));
  EXPECT_NE(Run(R"({"aggregate": "c", "pipeline": []})")
                .find("The 'cursor' option is required, except for aggregate with the explain "
                      "argument"),
            std::string::npos);
}

TEST_F(CrudCommandsTest, WritesMaintainSecondaryIndexes) {
  EXPECT_NE(Run(R"({"createIndexes": "c", "indexes": [{"key": {"e": 1}, "name": "e_1",
                                                       "unique": true}]})")
                .find("\"ok\":1.0"),
            std::string::npos);
  EXPECT_EQ(Run(R"({"insert": "c", "documents": [{"_id": 1, "e": "a"}, {"_id": 2, "e": "a"},
                                                 {"_id": 3, "e": "b"}], "ordered": false})"),
            Json(R"({"n": 2, "writeErrors": [
                       {"index": 1, "code": 11000, "keyPattern": {"e": 1}, "keyValue": {"e": "a"},
                        "errmsg": "E11000 duplicate key error collection: db.c index: e_1 dup key: { e: \"a\" }"}],
                     "ok": 1.0})"));
  // The failed statement left no record behind, and the index answers queries.
  EXPECT_EQ(Run(R"({"count": "c"})"), Json(R"({"n": 2, "ok": 1.0})"));
  EXPECT_EQ(Run(R"({"update": "c", "updates": [{"q": {"e": "b"}, "u": {"$set": {"e": "c"}}}]})"),
            Json(R"({"n": 1, "nModified": 1, "ok": 1.0})"));
  EXPECT_EQ(Run(R"({"insert": "c", "documents": [{"_id": 4, "e": "b"}]})"),
            Json(R"({"n": 1, "ok": 1.0})"));
  EXPECT_EQ(Run(R"({"delete": "c", "deletes": [{"q": {"e": "a"}, "limit": 0}]})"),
            Json(R"({"n": 1, "ok": 1.0})"));
  EXPECT_EQ(Run(R"({"find": "c", "filter": {"e": {"$gte": "a"}}, "sort": {"e": 1}})"),
            Json(R"({"cursor": {"firstBatch": [{"_id": 4, "e": "b"}, {"_id": 3, "e": "c"}],
                                 "id": 0, "ns": "db.c"}, "ok": 1.0})"));
}

}  // namespace
}  // namespace dds::commands
