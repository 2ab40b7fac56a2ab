#include "match_test_util.h"

namespace dds::query {
namespace {

TEST(MatchJsonSchema, TypesRequiredAndProperties) {
  const char* schema = R"({"$jsonSchema": {"bsonType": "object", "required": ["name"],
      "properties": {"name": {"bsonType": "string", "minLength": 2},
                     "age": {"bsonType": ["int", "long"], "minimum": 0, "maximum": 150},
                     "tags": {"bsonType": "array", "items": {"bsonType": "string"}, "uniqueItems": true}}}})";
  EXPECT_TRUE(Matches(schema, R"({"name": "bob", "age": 30})"));
  EXPECT_FALSE(Matches(schema, R"({"age": 30})"));
  EXPECT_FALSE(Matches(schema, R"({"name": "b"})"));
  EXPECT_FALSE(Matches(schema, R"({"name": "bob", "age": -1})"));
  EXPECT_FALSE(Matches(schema, R"({"name": "bob", "age": 1.5})"));
  EXPECT_TRUE(Matches(schema, R"({"name": "bob", "tags": ["a", "b"]})"));
  EXPECT_FALSE(Matches(schema, R"({"name": "bob", "tags": ["a", "a"]})"));
  EXPECT_FALSE(Matches(schema, R"({"name": "bob", "tags": [1]})"));
}

TEST(MatchJsonSchema, CombinatorsEnumPatternAdditional) {
  EXPECT_TRUE(Matches(R"({"$jsonSchema": {"properties": {"s": {"enum": ["a", "b"]}}}})", R"({"s": "a"})"));
  EXPECT_FALSE(Matches(R"({"$jsonSchema": {"properties": {"s": {"enum": ["a", "b"]}}}})", R"({"s": "c"})"));
  EXPECT_TRUE(Matches(R"({"$jsonSchema": {"properties": {"s": {"pattern": "^x"}}}})", R"({"s": "xy"})"));
  EXPECT_TRUE(Matches(R"({"$jsonSchema": {"properties": {"s": {"pattern": "^x"}}}})", R"({"s": 5})"));
  EXPECT_FALSE(Matches(R"({"$jsonSchema": {"properties": {"a": {}}, "additionalProperties": false}})",
                       R"({"a": 1, "b": 2})"));
  EXPECT_TRUE(Matches(R"({"$jsonSchema": {"properties": {"a": {}, "b": {}}, "additionalProperties": false}})",
                      R"({"a": 1, "b": 2})"));
  EXPECT_TRUE(Matches(R"({"$jsonSchema": {"anyOf": [{"required": ["a"]}, {"required": ["b"]}]}})", R"({"b": 1})"));
  EXPECT_FALSE(Matches(R"({"$jsonSchema": {"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}})", R"({"a": 1, "b": 1})"));
  EXPECT_FALSE(Matches(R"({"$jsonSchema": {"not": {"required": ["a"]}}})", R"({"a": 1})"));
  EXPECT_TRUE(Matches(R"({"$jsonSchema": {"properties": {"n": {"type": "number", "multipleOf": 5}}}})", R"({"n": 10})"));
  EXPECT_FALSE(Matches(R"({"$jsonSchema": {"properties": {"n": {"type": "number", "multipleOf": 5}}}})", R"({"n": 11})"));
}

TEST(MatchJsonSchema, Errors) {
  EXPECT_CODE(ParseStatus(R"({"$jsonSchema": {"$ref": "#"}})"), ErrorCode::kFailedToParse);
  EXPECT_CODE(ParseStatus(R"({"$jsonSchema": {"foo": 1}})"), ErrorCode::kFailedToParse);
  EXPECT_CODE(ParseStatus(R"({"$jsonSchema": {"bsonType": "nope"}})"), ErrorCode::kBadValue);
  EXPECT_CODE(ParseStatus(R"({"$jsonSchema": {"type": "object", "bsonType": "object"}})"), ErrorCode::kFailedToParse);
  EXPECT_CODE(ParseStatus(R"({"$jsonSchema": 1})"), ErrorCode::kTypeMismatch);
}

}  // namespace
}  // namespace dds::query
