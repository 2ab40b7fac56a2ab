#include "match_test_util.h"

namespace dds::query {
namespace {

TEST(MatchLogical, AndOrNor) {
  EXPECT_TRUE(Matches(R"({"$and": [{"a": 1}, {"b": 2}]})", R"({"a": 1, "b": 2})"));
  EXPECT_FALSE(Matches(R"({"$and": [{"a": 1}, {"b": 2}]})", R"({"a": 1, "b": 3})"));
  EXPECT_TRUE(Matches(R"({"$or": [{"a": 1}, {"b": 2}]})", R"({"a": 5, "b": 2})"));
  EXPECT_FALSE(Matches(R"({"$or": [{"a": 1}, {"b": 2}]})", R"({"a": 5, "b": 3})"));
  EXPECT_TRUE(Matches(R"({"$nor": [{"a": 1}, {"b": 2}]})", R"({"a": 5, "b": 3})"));
  EXPECT_FALSE(Matches(R"({"$nor": [{"a": 1}, {"b": 2}]})", R"({"a": 1})"));
  EXPECT_TRUE(Matches(R"({"$or": [{"a": {"$gt": 1}}, {"$and": [{"b": 1}, {"c": 1}]}]})",
                      R"({"b": 1, "c": 1})"));
}

TEST(MatchLogical, ListErrors) {
  for (const char* op : {"$and", "$or", "$nor"}) {
    std::string empty = std::string(R"({")") + op + R"(": []})";
    Status s = ParseStatus(empty);
    EXPECT_CODE(s, ErrorCode::kBadValue);
    EXPECT_EQ(s.reason(), "$and/$or/$nor must be a nonempty array");
    EXPECT_CODE(ParseStatus(std::string(R"({")") + op + R"(": 1})"), ErrorCode::kBadValue);
    EXPECT_CODE(ParseStatus(std::string(R"({")") + op + R"(": [1]})"), ErrorCode::kBadValue);
  }
}

TEST(MatchLogical, Not) {
  EXPECT_TRUE(Matches(R"({"a": {"$not": {"$gt": 5}}})", R"({"a": 3})"));
  EXPECT_TRUE(Matches(R"({"a": {"$not": {"$gt": 5}}})", R"({})"));
  EXPECT_TRUE(Matches(R"({"a": {"$not": {"$gt": 5}}})", R"({"a": "x"})"));
  EXPECT_FALSE(Matches(R"({"a": {"$not": {"$gt": 5}}})", R"({"a": 6})"));
  EXPECT_FALSE(Matches(R"({"a": {"$not": {"$gt": 5}}})", R"({"a": [1, 6]})"));
  EXPECT_TRUE(Matches(R"({"a": {"$not": {"$regularExpression": {"pattern": "^x", "options": ""}}}})",
                      R"({"a": "yx"})"));
  EXPECT_FALSE(Matches(R"({"a": {"$not": {"$regex": "^x"}}})", R"({"a": "xy"})"));
  EXPECT_CODE(ParseStatus(R"({"a": {"$not": 1}})"), ErrorCode::kBadValue);
  EXPECT_CODE(ParseStatus(R"({"a": {"$not": {}}})"), ErrorCode::kBadValue);
  EXPECT_CODE(ParseStatus(R"({"a": {"$not": {"b": 1}}})"), ErrorCode::kBadValue);
}

TEST(MatchLogical, Exists) {
  EXPECT_TRUE(Matches(R"({"a": {"$exists": true}})", R"({"a": null})"));
  EXPECT_TRUE(Matches(R"({"a": {"$exists": true}})", R"({"a": []})"));
  EXPECT_FALSE(Matches(R"({"a": {"$exists": true}})", R"({"b": 1})"));
  EXPECT_TRUE(Matches(R"({"a": {"$exists": false}})", R"({"b": 1})"));
  EXPECT_FALSE(Matches(R"({"a": {"$exists": false}})", R"({"a": null})"));
  EXPECT_TRUE(Matches(R"({"a.b": {"$exists": true}})", R"({"a": [{"c": 1}, {"b": 2}]})"));
  EXPECT_FALSE(Matches(R"({"a.b": {"$exists": true}})", R"({"a": [{"c": 1}]})"));
  EXPECT_TRUE(Matches(R"({"a": {"$exists": 1}})", R"({"a": 0})"));
  EXPECT_TRUE(Matches(R"({"a": {"$exists": 0}})", R"({})"));
}

}  // namespace
}  // namespace dds::query
