// GenerateValidationError against the expectations of mongod's own generator tests
// (src/mongo/db/matcher/doc_validation_error_test.cpp and doc_validation_error_json_schema_test.cpp).
#include "query/doc_validation_error.h"

#include <string>
#include <string_view>

#include "bson/bson.h"
#include "test_util.h"

namespace dds::query {
namespace {

// Returns the `details` generated for `doc` (given an `_id: 1` when it has none) against
// `validator`, as relaxed JSON.
std::string Details(std::string_view validator, std::string_view doc) {
  bson::BsonDocument d = bson::FromJson(doc);
  if (d.view()["_id"].eoo()) {
    bson::BsonBuilder b;
    b.AppendInt32("_id", 1);
    b.AppendElements(d.view());
    d = b.Done();
  }
  bson::BsonDocument err = GenerateValidationError(bson::FromJson(validator), d);
  return err.view()["details"].Object().ToJson();
}

std::string Json(std::string_view json) { return bson::FromJson(json).ToJson(); }

TEST(DocValidationError, FailingDocumentIdComesFirst) {
  bson::BsonDocument err =
      GenerateValidationError(bson::FromJson(R"({"a": {"$eq": 2}})"),
                              bson::FromJson(R"({"a": 1, "_id": 10})"));
  EXPECT_EQ(err.ToJson(),
            Json(R"({"failingDocumentId": 10, "details": {"operatorName": "$eq",
                    "specifiedAs": {"a": {"$eq": 2}}, "reason": "comparison failed",
                    "consideredValue": 1}})"));
}

TEST(DocValidationError, ComparisonsReportMissingFieldsAndTraversedValues) {
  EXPECT_EQ(Details(R"({"a": {"$lt": 0}})", R"({"b": 1})"),
            Json(R"({"operatorName": "$lt", "specifiedAs": {"a": {"$lt": 0}},
                    "reason": "field was missing"})"));
  EXPECT_EQ(Details(R"({"a.b": {"$eq": 0}})", R"({"a": [{"b": [1, 2]}, {"b": [3, 4]}]})"),
            Json(R"({"operatorName": "$eq", "specifiedAs": {"a.b": {"$eq": 0}},
                    "reason": "comparison failed", "consideredValues": [1, 2, 3, 4]})"));
  EXPECT_EQ(Details(R"({"a": {"$eq": [1, 2]}})", R"({"a": []})"),
            Json(R"({"operatorName": "$eq", "specifiedAs": {"a": {"$eq": [1, 2]}},
                    "reason": "comparison failed", "consideredValues": []})"));
  EXPECT_EQ(Details(R"({"a": {"$ne": 2}})", R"({"a": [1, 2, 3]})"),
            Json(R"({"operatorName": "$ne", "specifiedAs": {"a": {"$ne": 2}},
                    "reason": "comparison succeeded", "consideredValues": [1, 2, 3]})"));
}

TEST(DocValidationError, LogicalOperators) {
  EXPECT_EQ(Details(R"({"a": {"$gt": 0, "$lt": 10}})", R"({"a": 11})"),
            Json(R"({"operatorName": "$and", "clausesNotSatisfied": [{"index": 1, "details":
                    {"operatorName": "$lt", "specifiedAs": {"a": {"$lt": 10}},
                     "reason": "comparison failed", "consideredValue": 11}}]})"));
  EXPECT_EQ(Details(R"({"$nor": [{"a": {"$gt": 10}}, {"b": {"$lt": 10}}]})",
                    R"({"a": 9, "b": 9})"),
            Json(R"({"operatorName": "$nor", "clausesSatisfied": [{"index": 1, "details":
                    {"operatorName": "$lt", "specifiedAs": {"b": {"$lt": 10}},
                     "reason": "comparison succeeded", "consideredValue": 9}}]})"));
  EXPECT_EQ(Details(R"({"a": {"$not": {"$lt": 20, "$gt": 5}}})", R"({"a": 10})"),
            Json(R"({"operatorName": "$not", "details": {"operatorName": "$and",
                    "clausesSatisfied": [
                      {"index": 0, "details": {"operatorName": "$lt",
                       "specifiedAs": {"a": {"$lt": 20}}, "reason": "comparison succeeded",
                       "consideredValue": 10}},
                      {"index": 1, "details": {"operatorName": "$gt",
                       "specifiedAs": {"a": {"$gt": 5}}, "reason": "comparison succeeded",
                       "consideredValue": 10}}]}})"));
  EXPECT_EQ(Details(R"({"$and": [{"$or": [{"price": {"$lt": 20}}]},
                                 {"$nor": [{"qty": {"$gt": 30}},
                                           {"qty": {"$not": {"$lt": 20}}}]}]})",
                    R"({"price": 10, "qty": 25})"),
            Json(R"({"operatorName": "$and", "clausesNotSatisfied": [{"index": 1, "details":
                    {"operatorName": "$nor", "clausesSatisfied": [{"index": 1, "details":
                      {"operatorName": "$not", "details": {"operatorName": "$lt",
                       "specifiedAs": {"qty": {"$lt": 20}}, "reason": "comparison failed",
                       "consideredValue": 25}}}]}}]})"));
}

TEST(DocValidationError, ExistsTypeAndRegex) {
  EXPECT_EQ(Details(R"({"a": {"$exists": false}})", R"({"a": 1})"),
            Json(R"({"operatorName": "$exists", "specifiedAs": {"a": {"$exists": false}},
                    "reason": "path does exist"})"));
  EXPECT_EQ(Details(R"({"a": {"$type": "double"}})", R"({"a": ["x", "y", "z"]})"),
            Json(R"({"operatorName": "$type", "specifiedAs": {"a": {"$type": "double"}},
                    "reason": "type did not match", "consideredValues": ["x", "y", "z"],
                    "consideredType": "string"})"));
  EXPECT_EQ(Details(R"({"a": {"$type": "double"}})", R"({"a": []})"),
            Json(R"({"operatorName": "$type", "specifiedAs": {"a": {"$type": "double"}},
                    "reason": "type did not match", "consideredValues": []})"));
  EXPECT_EQ(Details(R"({"a": {"$regex": "^x"}})", R"({"a": [0, 1, 2]})"),
            Json(R"({"operatorName": "$regex", "specifiedAs": {"a": {"$regex": "^x"}},
                    "reason": "type did not match", "consideredType": "int",
                    "expectedTypes": ["regex", "string", "symbol"],
                    "consideredValues": [0, 1, 2]})"));
  EXPECT_EQ(Details(R"({"a": {"$regex": "^x"}})", R"({"a": ["y", 1, 2]})"),
            Json(R"({"operatorName": "$regex", "specifiedAs": {"a": {"$regex": "^x"}},
                    "reason": "regular expression did not match",
                    "consideredValues": ["y", 1, 2]})"));
  EXPECT_EQ(Details(R"({"a": {"$not": {"$mod": [2, 0]}}})", R"({"a": 2})"),
            Json(R"({"operatorName": "$not", "details": {"operatorName": "$mod",
                    "specifiedAs": {"a": {"$mod": [2, 0]}},
                    "reason": "$mod did evaluate to expected remainder",
                    "consideredValue": 2}})"));
}

TEST(DocValidationError, JsonSchemaKeywords) {
  EXPECT_EQ(Details(R"({"$jsonSchema": {"properties": {"a": {"minimum": 2, "type": "number"}},
                                        "required": ["a", "b"]}})",
                    R"({"a": 1})"),
            Json(R"({"operatorName": "$jsonSchema", "schemaRulesNotSatisfied": [
                    {"operatorName": "properties", "propertiesNotSatisfied": [
                      {"propertyName": "a", "details": [{"operatorName": "minimum",
                       "specifiedAs": {"minimum": 2}, "reason": "comparison failed",
                       "consideredValue": 1}]}]},
                    {"operatorName": "required", "specifiedAs": {"required": ["a", "b"]},
                     "missingProperties": ["b"]}]})"));
  EXPECT_EQ(Details(R"({"$jsonSchema": {"minProperties": 3}})", R"({"a": 1})"),
            Json(R"({"operatorName": "$jsonSchema", "schemaRulesNotSatisfied": [
                    {"operatorName": "minProperties", "specifiedAs": {"minProperties": 3},
                     "reason": "specified number of properties was not satisfied",
                     "numberOfProperties": 2}]})"));
  EXPECT_EQ(Details(R"({"$jsonSchema": {"properties": {"a": {"oneOf": [{"minimum": 1},
                                                                        {"maximum": 5}]}}}})",
                    R"({"a": 3})"),
            Json(R"({"operatorName": "$jsonSchema", "schemaRulesNotSatisfied": [
                    {"operatorName": "properties", "propertiesNotSatisfied": [
                      {"propertyName": "a", "details": [{"operatorName": "oneOf",
                       "reason": "more than one subschema matched",
                       "matchingSchemaIndexes": [0, 1]}]}]}]})"));
  EXPECT_EQ(Details(R"({"$jsonSchema": {"dependencies": {"a": ["b", "c"]}}})", R"({"a": 1})"),
            Json(R"({"operatorName": "$jsonSchema", "schemaRulesNotSatisfied": [
                    {"operatorName": "dependencies", "failingDependencies": [
                      {"conditionalProperty": "a", "missingProperties": ["b", "c"]}]}]})"));
}

TEST(DocValidationError, JsonSchemaKeywordsComeInMongodTranslationOrder) {
  // Scalar keywords (pattern, maxLength, minLength, multipleOf, maximum, minimum), array keywords
  // (minItems, maxItems, uniqueItems, items), then the type of a nested value.
  EXPECT_EQ(Details(R"({"$jsonSchema": {"properties": {"a": {"minimum": 10,
                        "exclusiveMinimum": true, "multipleOf": 3, "maximum": 1,
                        "exclusiveMaximum": false}}}})",
                    R"({"a": 7})"),
            Json(R"({"operatorName": "$jsonSchema", "schemaRulesNotSatisfied": [
                    {"operatorName": "properties", "propertiesNotSatisfied": [
                      {"propertyName": "a", "details": [
                        {"operatorName": "multipleOf", "specifiedAs": {"multipleOf": 3},
                         "reason": "considered value is not a multiple of the specified value",
                         "consideredValue": 7},
                        {"operatorName": "maximum", "specifiedAs": {"maximum": 1},
                         "reason": "comparison failed", "consideredValue": 7},
                        {"operatorName": "minimum",
                         "specifiedAs": {"minimum": 10, "exclusiveMinimum": true},
                         "reason": "comparison failed", "consideredValue": 7}]}]}]})"));
  EXPECT_EQ(Details(R"({"$jsonSchema": {"properties": {"a": {"items": {"bsonType": "int"},
                        "maxItems": 1, "bsonType": "array"}}}})",
                    R"({"a": ["x", 2]})"),
            Json(R"({"operatorName": "$jsonSchema", "schemaRulesNotSatisfied": [
                    {"operatorName": "properties", "propertiesNotSatisfied": [
                      {"propertyName": "a", "details": [
                        {"operatorName": "maxItems", "specifiedAs": {"maxItems": 1},
                         "reason": "array did not match specified length",
                         "consideredValue": ["x", 2], "numberOfItems": 2},
                        {"operatorName": "items",
                         "reason": "At least one item did not match the sub-schema",
                         "itemIndex": 0, "details": [{"operatorName": "bsonType",
                           "specifiedAs": {"bsonType": "int"}, "reason": "type did not match",
                           "consideredValue": "x", "consideredType": "string"}]}]}]}]})"));
  // additionalItems with a sub-schema: the first rejected item after the positional ones, by its
  // index in the whole array.
  EXPECT_EQ(Details(R"({"$jsonSchema": {"properties": {"a": {"items": [{"bsonType": "string"}],
                        "additionalItems": {"bsonType": "int"}}}}})",
                    R"({"a": ["x", 1, "y", "z"]})"),
            Json(R"({"operatorName": "$jsonSchema", "schemaRulesNotSatisfied": [
                    {"operatorName": "properties", "propertiesNotSatisfied": [
                      {"propertyName": "a", "details": [
                        {"operatorName": "additionalItems",
                         "reason": "At least one additional item did not match the sub-schema",
                         "itemIndex": 2, "details": [{"operatorName": "bsonType",
                           "specifiedAs": {"bsonType": "int"}, "reason": "type did not match",
                           "consideredValue": "y", "consideredType": "string"}]}]}]}]})"));
}

}  // namespace
}  // namespace dds::query
