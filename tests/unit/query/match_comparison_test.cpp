#include "match_test_util.h"

namespace dds::query {
namespace {

TEST(MatchComparison, ImplicitEquality) {
  EXPECT_TRUE(Matches(R"({"a": 1})", R"({"a": 1})"));
  EXPECT_TRUE(Matches(R"({"a": 1})", R"({"a": 1.0})"));
  EXPECT_TRUE(Matches(R"({"a": 1})", R"({"a": {"$numberLong": "1"}})"));
  EXPECT_TRUE(Matches(R"({"a": 1})", R"({"a": {"$numberDecimal": "1.00"}})"));
  EXPECT_FALSE(Matches(R"({"a": 1})", R"({"a": "1"})"));
  EXPECT_FALSE(Matches(R"({"a": 1})", R"({"b": 1})"));
  EXPECT_TRUE(Matches(R"({})", R"({"b": 1})"));
  EXPECT_TRUE(Matches(R"({"a": 1, "b": "x"})", R"({"a": 1, "b": "x"})"));
  EXPECT_FALSE(Matches(R"({"a": 1, "b": "x"})", R"({"a": 1, "b": "y"})"));
}

TEST(MatchComparison, EqualityOnDocumentsIsExactIncludingOrder) {
  EXPECT_TRUE(Matches(R"({"a": {"b": 1, "c": 2}})", R"({"a": {"b": 1, "c": 2}})"));
  EXPECT_FALSE(Matches(R"({"a": {"b": 1, "c": 2}})", R"({"a": {"c": 2, "b": 1}})"));
  EXPECT_FALSE(Matches(R"({"a": {"b": 1}})", R"({"a": {"b": 1, "c": 2}})"));
}

TEST(MatchComparison, RangesStayWithinTypeBracket) {
  EXPECT_TRUE(Matches(R"({"a": {"$gt": 5}})", R"({"a": 6})"));
  EXPECT_TRUE(Matches(R"({"a": {"$gt": 5}})", R"({"a": 5.5})"));
  EXPECT_FALSE(Matches(R"({"a": {"$gt": 5}})", R"({"a": 5})"));
  EXPECT_FALSE(Matches(R"({"a": {"$gt": 5}})", R"({"a": "x"})"));
  EXPECT_FALSE(Matches(R"({"a": {"$lt": 5}})", R"({"a": null})"));
  EXPECT_FALSE(Matches(R"({"a": {"$lt": 5}})", R"({})"));
  EXPECT_TRUE(Matches(R"({"a": {"$gte": 5}})", R"({"a": 5})"));
  EXPECT_TRUE(Matches(R"({"a": {"$lte": 5}})", R"({"a": 5})"));
  EXPECT_TRUE(Matches(R"({"a": {"$lt": "b"}})", R"({"a": "a"})"));
  EXPECT_FALSE(Matches(R"({"a": {"$lt": "b"}})", R"({"a": 1})"));
  EXPECT_TRUE(Matches(R"({"a": {"$gt": {"$date": "2020-01-01T00:00:00Z"}}})",
                      R"({"a": {"$date": "2021-01-01T00:00:00Z"}})"));
  EXPECT_FALSE(Matches(R"({"a": {"$gt": {"$date": "2020-01-01T00:00:00Z"}}})", R"({"a": 5})"));
}

TEST(MatchComparison, MinKeyMaxKeyBoundEverything) {
  EXPECT_TRUE(Matches(R"({"a": {"$gt": {"$minKey": 1}}})", R"({"a": "x"})"));
  EXPECT_TRUE(Matches(R"({"a": {"$lt": {"$maxKey": 1}}})", R"({"a": 5})"));
  EXPECT_FALSE(Matches(R"({"a": {"$lt": {"$minKey": 1}}})", R"({"a": 5})"));
  EXPECT_FALSE(Matches(R"({"a": {"$eq": {"$maxKey": 1}}})", R"({"a": 5})"));
}

TEST(MatchComparison, NaNEqualsOnlyNaN) {
  EXPECT_TRUE(Matches(R"({"a": {"$numberDouble": "NaN"}})", R"({"a": {"$numberDouble": "NaN"}})"));
  EXPECT_FALSE(Matches(R"({"a": {"$gt": {"$numberDouble": "NaN"}}})", R"({"a": 1})"));
  EXPECT_FALSE(Matches(R"({"a": {"$lt": 1}})", R"({"a": {"$numberDouble": "NaN"}})"));
  EXPECT_TRUE(Matches(R"({"a": {"$gte": {"$numberDouble": "NaN"}}})", R"({"a": {"$numberDouble": "NaN"}})"));
}

TEST(MatchComparison, NeAndNinMatchMissing) {
  EXPECT_TRUE(Matches(R"({"a": {"$ne": 1}})", R"({})"));
  EXPECT_TRUE(Matches(R"({"a": {"$ne": 1}})", R"({"a": 2})"));
  EXPECT_FALSE(Matches(R"({"a": {"$ne": 1}})", R"({"a": 1})"));
  EXPECT_FALSE(Matches(R"({"a": {"$ne": 1}})", R"({"a": [2, 1]})"));
  EXPECT_TRUE(Matches(R"({"a": {"$nin": [1, 2]}})", R"({})"));
  EXPECT_FALSE(Matches(R"({"a": {"$nin": [1, 2]}})", R"({"a": 2})"));
  EXPECT_TRUE(Matches(R"({"a": {"$nin": [1, 2]}})", R"({"a": 3})"));
}

TEST(MatchComparison, InWithRegexAndNull) {
  EXPECT_TRUE(Matches(R"({"a": {"$in": [1, 2]}})", R"({"a": 2})"));
  EXPECT_TRUE(Matches(R"({"a": {"$in": [1, {"$regularExpression": {"pattern": "^x", "options": ""}}]}})",
                      R"({"a": "xyz"})"));
  EXPECT_FALSE(Matches(R"({"a": {"$in": [1, {"$regularExpression": {"pattern": "^x", "options": ""}}]}})",
                       R"({"a": "yx"})"));
  EXPECT_TRUE(Matches(R"({"a": {"$in": [null]}})", R"({})"));
  EXPECT_TRUE(Matches(R"({"a": {"$in": [[1, 2]]}})", R"({"a": [1, 2]})"));
  EXPECT_TRUE(Matches(R"({"a": {"$in": [2]}})", R"({"a": [1, 2]})"));
  EXPECT_FALSE(Matches(R"({"a": {"$in": []}})", R"({"a": 1})"));
}

TEST(MatchComparison, ParseErrors) {
  EXPECT_CODE(ParseStatus(R"({"a": {"$in": 1}})"), ErrorCode::kBadValue);
  EXPECT_EQ(ParseStatus(R"({"a": {"$in": 1}})").reason(), "$in needs an array");
  EXPECT_CODE(ParseStatus(R"({"a": {"$nin": {}}})"), ErrorCode::kBadValue);
  EXPECT_CODE(ParseStatus(R"({"a": {"$in": [{"$gt": 1}]}})"), ErrorCode::kBadValue);
  EXPECT_CODE(ParseStatus(R"({"a": {"$foo": 1}})"), ErrorCode::kBadValue);
  EXPECT_EQ(ParseStatus(R"({"a": {"$foo": 1}})").reason(), "unknown operator: $foo");
  EXPECT_CODE(ParseStatus(R"({"$foo": 1})"), ErrorCode::kBadValue);
  EXPECT_EQ(ParseStatus(R"({"$foo": 1})").reason().rfind("unknown top level operator: $foo", 0), 0u);
  EXPECT_CODE(ParseStatus(R"({"a": {"$gt": 1, "b": 1}})"), ErrorCode::kBadValue);
  EXPECT_CODE(ParseStatus(R"({"a": {"$ne": {"$regularExpression": {"pattern": "x", "options": ""}}}})"),
              ErrorCode::kBadValue);
  EXPECT_CODE(ParseStatus(R"({"a": {"$eq": {"$undefined": true}}})"), ErrorCode::kBadValue);
  // Field-level operators are not top-level ones and vice versa.
  EXPECT_CODE(ParseStatus(R"({"$gt": 1})"), ErrorCode::kBadValue);
  EXPECT_CODE(ParseStatus(R"({"a": {"$and": [{"a": 1}]}})"), ErrorCode::kBadValue);
}

TEST(MatchComparison, DbRefIsAValueNotAnOperator) {
  EXPECT_TRUE(Matches(R"({"r": {"$ref": "c", "$id": 1}})", R"({"r": {"$ref": "c", "$id": 1}})"));
}

TEST(MatchComparison, CommentIsIgnored) {
  EXPECT_TRUE(Matches(R"({"a": 1, "$comment": "hello"})", R"({"a": 1})"));
  EXPECT_TRUE(Matches(R"({"$comment": "hello"})", R"({"a": 1})"));
}

}  // namespace
}  // namespace dds::query
