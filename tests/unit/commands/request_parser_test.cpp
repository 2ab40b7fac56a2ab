#include "commands/request_parser.h"

#include <gtest/gtest.h>

#include "bson/bson.h"
#include "test_util.h"

namespace dds::commands {
namespace {

using bson::FromJson;

TEST(RequestParser, WrongTypeListsExpectedTypes) {
  bson::BsonDocument cmd = FromJson(R"({"find": "c", "limit": {"a": 1}})");
  FieldParser p("find", cmd);
  int64_t limit = 0;
  Status s = p.ReadNonNegativeInt64("limit", &limit);
  ASSERT_CODE(s, ErrorCode::kTypeMismatch);
  EXPECT_EQ(s.reason(),
            "BSON field 'find.limit' is the wrong type 'object', expected types '[long, int, "
            "decimal, double]'");
}

TEST(RequestParser, WrongTypeSingleType) {
  bson::BsonDocument cmd = FromJson(R"({"insert": "c", "ordered": 1})");
  FieldParser p("insert", cmd);
  bool ordered = true;
  Status s = p.ReadBool("ordered", &ordered);
  ASSERT_CODE(s, ErrorCode::kTypeMismatch);
  EXPECT_EQ(s.reason(),
            "BSON field 'insert.ordered' is the wrong type 'int', expected type 'bool'");
}

TEST(RequestParser, MissingRequiredField) {
  bson::BsonDocument doc = FromJson(R"({"limit": 1})");
  FieldParser p("delete.deletes", doc, FieldParser::kNested);
  bson::BsonView q;
  Status s = p.ReadObject("q", &q, Presence::kRequired);
  EXPECT_EQ(s.code(), 40414);
  EXPECT_EQ(s.reason(), "BSON field 'delete.deletes.q' is missing but a required field");
  EXPECT_EQ(s.code_name(), "Location40414");
}

TEST(RequestParser, UnknownFieldAfterReading) {
  bson::BsonDocument cmd = FromJson(R"({"find": "c", "filter": {}, "foo": 1})");
  FieldParser p("find", cmd);
  bson::BsonView filter;
  ASSERT_OK(p.ReadObject("filter", &filter));
  Status s = p.Finish();
  EXPECT_EQ(s.code(), 40415);
  EXPECT_EQ(s.reason(), "BSON field 'find.foo' is an unknown field.");
}

TEST(RequestParser, GenericArgumentsAreAccepted) {
  bson::BsonDocument cmd = FromJson(
      R"({"find": "c", "$db": "test", "lsid": {"id": 1}, "$clusterTime": {}, "txnNumber": 1,
          "autocommit": false, "startTransaction": true, "$readPreference": {"mode": "primary"},
          "readConcern": {}, "writeConcern": {"w": 1}, "maxTimeMS": 5, "comment": "x",
          "apiVersion": "1", "apiStrict": false, "apiDeprecationErrors": false})");
  FieldParser p("find", cmd);
  EXPECT_OK(p.Finish());
  EXPECT_TRUE(IsGenericArgument("$db"));
  EXPECT_TRUE(IsGenericArgument("stmtIds"));
  EXPECT_FALSE(IsGenericArgument("filter"));
}

TEST(RequestParser, NestedLevelRejectsGenericNames) {
  bson::BsonDocument doc = FromJson(R"({"q": {}, "lsid": 1})");
  FieldParser p("delete.deletes", doc, FieldParser::kNested);
  p.Ignore("q");
  Status s = p.Finish();
  EXPECT_EQ(s.code(), 40415);
  EXPECT_EQ(s.reason(), "BSON field 'delete.deletes.lsid' is an unknown field.");
}

TEST(RequestParser, NegativeValue) {
  bson::BsonDocument cmd = FromJson(R"({"find": "c", "limit": -1})");
  FieldParser p("find", cmd);
  int64_t limit = 0;
  Status s = p.ReadNonNegativeInt64("limit", &limit);
  EXPECT_EQ(s.code(), 51024);
  EXPECT_EQ(s.reason(), "BSON field 'limit' value must be >= 0, actual value '-1'");
}

TEST(RequestParser, SafeInt64TruncatesDoubles) {
  bson::BsonDocument cmd = FromJson(R"({"find": "c", "limit": 2.7, "skip": {"$numberLong": "5"}})");
  FieldParser p("find", cmd);
  int64_t limit = 0;
  std::optional<int64_t> skip;
  ASSERT_OK(p.ReadNonNegativeInt64("limit", &limit));
  ASSERT_OK(p.ReadInt64("skip", &skip));
  EXPECT_EQ(limit, 2);
  EXPECT_EQ(skip, 5);
  ASSERT_OK(p.Finish());
}

TEST(RequestParser, AbsentOptionalLeavesDefault) {
  bson::BsonDocument cmd = FromJson(R"({"find": "c"})");
  FieldParser p("find", cmd);
  bool single_batch = true;
  std::optional<std::string> hint;
  ASSERT_OK(p.ReadSafeBool("singleBatch", &single_batch));
  ASSERT_OK(p.ReadString("hint", &hint));
  EXPECT_TRUE(single_batch);
  EXPECT_FALSE(hint.has_value());
}

TEST(RequestParser, SafeBoolAcceptsNumbers) {
  bson::BsonDocument cmd = FromJson(R"({"find": "c", "singleBatch": 1, "tailable": "x"})");
  FieldParser p("find", cmd);
  bool single_batch = false, tailable = false;
  ASSERT_OK(p.ReadSafeBool("singleBatch", &single_batch));
  EXPECT_TRUE(single_batch);
  Status s = p.ReadSafeBool("tailable", &tailable);
  EXPECT_EQ(s.reason(),
            "BSON field 'find.tailable' is the wrong type 'string', expected types '[bool, long, "
            "int, decimal, double]'");
}

TEST(RequestParser, DuplicateKnownField) {
  bson::BsonBuilder b;
  b.AppendString("find", "c").AppendInt32("limit", 1).AppendInt32("limit", 2);
  bson::BsonDocument cmd = b.Done();
  FieldParser p("find", cmd);
  int64_t limit = 0;
  ASSERT_OK(p.ReadInt64("limit", &limit));
  Status s = p.Finish();
  EXPECT_EQ(s.code(), 40413);
  EXPECT_EQ(s.reason(), "BSON field 'find.limit' is a duplicate field");
}

TEST(RequestParser, StrictInt64) {
  bson::BsonDocument cmd = FromJson(R"({"getMore": 5, "collection": "c"})");
  FieldParser p("getMore", cmd);
  int64_t id = 0;
  Status s = p.ReadStrictInt64("getMore", &id, Presence::kRequired);
  EXPECT_EQ(s.reason(),
            "BSON field 'getMore.getMore' is the wrong type 'int', expected type 'long'");
}

TEST(RequestParser, CursorOption) {
  bson::BsonDocument cmd = FromJson(R"({"aggregate": "c", "cursor": {"batchSize": -2}})");
  FieldParser p("aggregate", cmd);
  std::optional<int64_t> batch;
  Status s = p.ReadCursorOption(&batch);
  EXPECT_EQ(s.code(), 51024);
  bson::BsonDocument cmd2 = FromJson(R"({"aggregate": "c", "cursor": {"foo": 1}})");
  FieldParser p2("aggregate", cmd2);
  s = p2.ReadCursorOption(&batch);
  EXPECT_EQ(s.reason(), "BSON field 'aggregate.cursor.foo' is an unknown field.");
  bson::BsonDocument cmd3 = FromJson(R"({"aggregate": "c", "cursor": {"batchSize": 3}})");
  FieldParser p3("aggregate", cmd3);
  bool present = false;
  ASSERT_OK(p3.ReadCursorOption(&batch, &present));
  EXPECT_TRUE(present);
  EXPECT_EQ(batch, 3);
  ASSERT_OK(p3.Finish());
}

}  // namespace
}  // namespace dds::commands
