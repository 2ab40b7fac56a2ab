#include "commands/write_helpers.h"

#include <gtest/gtest.h>

#include "bson/bson.h"
#include "test_util.h"

namespace dds::commands {
namespace {

using bson::BsonBuilder;
using bson::BsonDocument;
using bson::BsonView;
using bson::FromJson;

TEST(CrudWriteHelpers, KeepsDocumentWithLeadingIdUntouched) {
  BsonDocument doc = FromJson(R"({"_id": 1, "a": 2})");
  std::string scratch;
  PreparedDocument out;
  ASSERT_OK(PrepareInsertDocument(doc, &scratch, &out));
  EXPECT_EQ(out.view.data(), doc.view().data());
  EXPECT_EQ(out.id.Int32(), 1);
  EXPECT_TRUE(scratch.empty());
}

TEST(CrudWriteHelpers, MovesIdFirst) {
  BsonDocument doc = FromJson(R"({"a": 2, "_id": "x", "b": 3})");
  std::string scratch;
  PreparedDocument out;
  ASSERT_OK(PrepareInsertDocument(doc, &scratch, &out));
  EXPECT_EQ(out.view.ToJson(), FromJson(R"({"_id": "x", "a": 2, "b": 3})").ToJson());
  EXPECT_EQ(out.id.field_name(), "_id");
}

TEST(CrudWriteHelpers, GeneratesObjectId) {
  BsonDocument doc = FromJson(R"({"a": 2})");
  std::string scratch;
  PreparedDocument out;
  ASSERT_OK(PrepareInsertDocument(doc, &scratch, &out));
  EXPECT_EQ(out.view.FirstElement().type(), bson::BsonType::kObjectId);
  EXPECT_EQ(out.view.CountFields(), 2);
}

TEST(CrudWriteHelpers, RejectsInvalidIds) {
  std::string scratch;
  PreparedDocument out;
  Status s = PrepareInsertDocument(FromJson(R"({"_id": [1]})"), &scratch, &out);
  ASSERT_CODE(s, ErrorCode::kInvalidIdField);
  EXPECT_EQ(s.reason(), "The '_id' value cannot be of type array");
  BsonBuilder b;
  b.AppendRegex("_id", "a", "");
  ASSERT_CODE(PrepareInsertDocument(b.Done(), &scratch, &out), ErrorCode::kInvalidIdField);
  BsonBuilder twice;
  twice.AppendInt32("_id", 1).AppendInt32("_id", 2);
  ASSERT_CODE(PrepareInsertDocument(twice.Done(), &scratch, &out), ErrorCode::kBadValue);
}

TEST(CrudWriteHelpers, RejectsDeepNesting) {
  std::string json;
  for (int i = 0; i < 120; ++i) json += "{\"a\": ";
  json += "1";
  for (int i = 0; i < 120; ++i) json += "}";
  std::string scratch;
  PreparedDocument out;
  ASSERT_CODE(PrepareInsertDocument(FromJson(json), &scratch, &out), ErrorCode::kBadValue);
}

TEST(CrudWriteHelpers, DuplicateKeyWriteErrorShape) {
  BsonDocument id = FromJson(R"({"_id": 1})");
  Status s = DuplicateIdError("db.coll", id.view().FirstElement());
  ASSERT_CODE(s, ErrorCode::kDuplicateKey);
  EXPECT_EQ(s.reason(), "E11000 duplicate key error collection: db.coll index: _id_ dup key: { _id: 1 }");
  BsonBuilder b;
  b.StartArray("writeErrors");
  AppendWriteError(&b, "0", 3, s);
  b.End();
  BsonDocument reply = b.Done();
  EXPECT_EQ(reply.ToJson(),
            FromJson(R"({"writeErrors": [{"index": 3, "code": 11000, "keyPattern": {"_id": 1},
                         "keyValue": {"_id": 1}, "errmsg": "E11000 duplicate key error collection: db.coll index: _id_ dup key: { _id: 1 }"}]})")
                .ToJson());
}

TEST(CrudWriteHelpers, FillsZeroTopLevelTimestamps) {
  BsonBuilder b;
  b.AppendInt32("_id", 1).AppendTimestamp("ts", 0, 0);
  b.StartDocument("sub").AppendTimestamp("ts", 0, 0).End();
  BsonDocument doc = b.Done();
  std::string scratch;
  PreparedDocument out;
  ASSERT_OK(PrepareInsertDocument(doc, &scratch, &out));
  EXPECT_GT(out.view["ts"].TimestampSeconds(), 0u);
  EXPECT_EQ(out.view["sub"].Object()["ts"].Timestamp(), 0u);  // only the top level
}

TEST(CrudWriteHelpers, FormatsNumbersLikeMongod) {
  EXPECT_EQ(FormatNumberForMessage(2), "2");
  EXPECT_EQ(FormatNumberForMessage(2.5), "2.5");
  EXPECT_EQ(FormatNumberForMessage(-1), "-1");
}

}  // namespace
}  // namespace dds::commands
