#include "update_test_util.h"

namespace dds::update {
namespace {

TEST(UpdateSet, CreatesPathsAndOrdersFields) {
  auto r = ApplyUpdate(R"({"$set": {"b": 1, "a.x": 2}})", R"({"_id": 1})");
  ASSERT_OK(r.status);
  EXPECT_EQ(r.json, R"({"_id":1,"a":{"x":2},"b":1})");
  EXPECT_TRUE(r.modified);
  r = ApplyUpdate(R"({"$set": {"a.2": 5}})", R"({"_id": 1, "a": [1]})");
  EXPECT_EQ(r.json, R"({"_id":1,"a":[1,null,5]})");
  r = ApplyUpdate(R"({"$set": {"a.10": 1, "a.9": 1, "a.b": 1}})", R"({"_id": 1, "a": {}})");
  EXPECT_EQ(r.json, R"({"_id":1,"a":{"9":1,"10":1,"b":1}})");
}

TEST(UpdateSet, NoOpIsNotModified) {
  auto r = ApplyUpdate(R"({"$set": {"a": 1}})", R"({"_id": 1, "a": 1})");
  ASSERT_OK(r.status);
  EXPECT_FALSE(r.modified);
  r = ApplyUpdate(R"({"$set": {"a": 1.0}})", R"({"_id": 1, "a": 1})");
  EXPECT_TRUE(r.modified);
  r = ApplyUpdate(R"({"$set": {}})", R"({"_id": 1, "a": 1})");
  ASSERT_OK(r.status);
  EXPECT_FALSE(r.modified);
  r = ApplyUpdate(R"({"$unset": {"zz": 1}})", R"({"_id": 1, "a": 1})");
  EXPECT_FALSE(r.modified);
}

TEST(UpdateSet, PathNotViable) {
  auto r = ApplyUpdate(R"({"$set": {"a.b": 1}})", R"({"_id": 1, "a": 1})");
  EXPECT_CODE(r.status, ErrorCode::kPathNotViable);
  EXPECT_EQ(r.status.reason(), "Cannot create field 'b' in element {a: 1}");
  r = ApplyUpdate(R"({"$set": {"a.b": 1}})", R"({"_id": 1, "a": [1]})");
  EXPECT_CODE(r.status, ErrorCode::kPathNotViable);
}

TEST(UpdateUnset, RemovesFieldsAndNullsArrayElements) {
  auto r = ApplyUpdate(R"({"$unset": {"a": "", "c.d": 1}})", R"({"_id": 1, "a": 1, "b": 2, "c": {"d": 1, "e": 2}})");
  EXPECT_EQ(r.json, R"({"_id":1,"b":2,"c":{"e":2}})");
  r = ApplyUpdate(R"({"$unset": {"a.1": 1}})", R"({"_id": 1, "a": [1, 2, 3]})");
  EXPECT_EQ(r.json, R"({"_id":1,"a":[1,null,3]})");
  r = ApplyUpdate(R"({"$unset": {"a.b": 1}})", R"({"_id": 1, "a": 5})");
  ASSERT_OK(r.status);
  EXPECT_FALSE(r.modified);
}

TEST(UpdateInc, ArithmeticAndErrors) {
  EXPECT_EQ(ApplyUpdate(R"({"$inc": {"a": 1}})", R"({"_id": 1, "a": 1})").json, R"({"_id":1,"a":2})");
  EXPECT_EQ(ApplyUpdate(R"({"$inc": {"a": 1}})", R"({"_id": 1})").json, R"({"_id":1,"a":1})");
  EXPECT_EQ(ApplyUpdate(R"({"$inc": {"a": 1.5}})", R"({"_id": 1, "a": 1})").json, R"({"_id":1,"a":2.5})");
  EXPECT_EQ(ApplyUpdate(R"({"$inc": {"a": 1}})", R"({"_id": 1, "a": 2147483647})").json,
            R"({"_id":1,"a":2147483648})");
  auto r = ApplyUpdate(R"({"$inc": {"a": 1}})", R"({"_id": 1, "a": "x"})");
  EXPECT_CODE(r.status, ErrorCode::kTypeMismatch);
  EXPECT_EQ(r.status.reason(),
            "Cannot apply $inc to a value of non-numeric type. {_id: 1} has the field 'a' of non-numeric type string");
  r = ApplyUpdate(R"({"$inc": {"a": "x"}})", R"({"_id": 1})");
  EXPECT_CODE(r.status, ErrorCode::kTypeMismatch);
  EXPECT_EQ(r.status.reason(), R"(Cannot increment with non-numeric argument: {a: "x"})");
  EXPECT_EQ(ApplyUpdate(R"({"$mul": {"a": 3}})", R"({"_id": 1, "a": 2})").json, R"({"_id":1,"a":6})");
  EXPECT_EQ(ApplyUpdate(R"({"$mul": {"a": 3}})", R"({"_id": 1})").json, R"({"_id":1,"a":0})");
}

TEST(UpdateErrors, ParseErrors) {
  EXPECT_CODE(ApplyUpdate(R"({"$foo": {"a": 1}})", "{}").status, ErrorCode::kFailedToParse);
  EXPECT_CODE(ApplyUpdate(R"({"$set": 1})", "{}").status, ErrorCode::kFailedToParse);
  EXPECT_CODE(ApplyUpdate(R"({"$set": {"a": 1}, "b": 1})", "{}").status, ErrorCode::kFailedToParse);
  EXPECT_CODE(ApplyUpdate(R"({"$set": {"a": 1}, "$inc": {"a": 1}})", "{}").status,
              ErrorCode::kConflictingUpdateOperators);
  auto r = ApplyUpdate(R"({"$set": {"a.b": 1}, "$inc": {"a": 1}})", "{}");
  EXPECT_CODE(r.status, ErrorCode::kConflictingUpdateOperators);
  EXPECT_CODE(ApplyUpdate(R"({"$set": {"": 1}})", "{}").status, ErrorCode::kEmptyFieldName);
  EXPECT_CODE(ApplyUpdate(R"({"$set": {"a..b": 1}})", "{}").status, ErrorCode::kEmptyFieldName);
  EXPECT_CODE(ApplyUpdate(R"({"a": 1, "$set": {"b": 1}})", "{}").status, ErrorCode::kDollarPrefixedFieldName);
}

TEST(UpdateErrors, ImmutableId) {
  auto r = ApplyUpdate(R"({"$set": {"_id": 2}})", R"({"_id": 1})");
  EXPECT_CODE(r.status, ErrorCode::kImmutableField);
  EXPECT_EQ(r.status.reason(), "Performing an update on the path '_id' would modify the immutable field '_id'");
  EXPECT_OK(ApplyUpdate(R"({"$set": {"_id": 1}})", R"({"_id": 1})").status);
  EXPECT_CODE(ApplyUpdate(R"({"$unset": {"_id": 1}})", R"({"_id": 1})").status, ErrorCode::kImmutableField);
  r = ApplyUpdate(R"({"_id": 2, "a": 1})", R"({"_id": 1})");
  EXPECT_CODE(r.status, ErrorCode::kImmutableField);
}

TEST(UpdateReplacement, KeepsIdFirst) {
  auto r = ApplyUpdate(R"({"a": 1, "b": 2})", R"({"x": 0, "_id": 7})");
  ASSERT_OK(r.status);
  EXPECT_EQ(r.json, R"({"_id":7,"a":1,"b":2})");
  r = ApplyUpdate(R"({"b": 2, "_id": 7})", R"({"_id": 7})");
  EXPECT_EQ(r.json, R"({"_id":7,"b":2})");
  r = ApplyUpdate(R"({"_id": 7})", R"({"_id": 7})");
  EXPECT_FALSE(r.modified);
  EXPECT_CODE(ApplyUpdate(R"({"a": 1})", "{}", "[]", "{}", /*multi=*/true).status, ErrorCode::kFailedToParse);
}

TEST(UpdateUpsert, SeedsFromQueryEqualities) {
  auto r = Upsert(R"({"$set": {"b": 1}})", R"({"_id": 5, "a": 1, "c.d": 2, "e": {"$gt": 1}, "$and": [{"f": {"$eq": 3}}]})");
  ASSERT_OK(r.status);
  EXPECT_EQ(r.json, R"({"_id":5,"a":1,"c":{"d":2},"f":3,"b":1})");
  r = Upsert(R"({"$setOnInsert": {"x": 1}, "$inc": {"n": 1}})", R"({"a": 1})");
  ASSERT_OK(r.status);
  EXPECT_NE(r.json.find(R"("a":1,"n":1,"x":1)"), std::string::npos) << r.json;
  EXPECT_EQ(r.json.rfind(R"({"_id":{"$oid":)", 0), 0u) << r.json;
  r = Upsert(R"({"z": 1})", R"({"_id": 3, "a": 1})");
  EXPECT_EQ(r.json, R"({"_id":3,"z":1})");
  r = Upsert(R"({"_id": 4, "z": 1})", R"({"_id": 3})");
  EXPECT_CODE(r.status, ErrorCode::kImmutableField);
  r = Upsert(R"({"$set": {"a.$": 1}})", R"({"a": 1})");
  EXPECT_CODE(r.status, ErrorCode::kBadValue);
}

TEST(UpdateSetOnInsert, IgnoredForExistingDocuments) {
  auto r = ApplyUpdate(R"({"$setOnInsert": {"x": 1}})", R"({"_id": 1})");
  ASSERT_OK(r.status);
  EXPECT_FALSE(r.modified);
}

}  // namespace
}  // namespace dds::update
