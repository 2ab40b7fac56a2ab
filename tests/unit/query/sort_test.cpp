#include <algorithm>

#include "bson/bson.h"
#include "query/sort_pattern.h"
#include "test_util.h"

namespace dds::query {
namespace {

std::vector<int> SortIds(std::string_view spec, std::vector<std::string> docs) {
  auto p = SortPattern::Parse(bson::FromJson(spec));
  EXPECT_TRUE(p.ok());
  std::vector<bson::BsonDocument> ds;
  for (const auto& d : docs) ds.push_back(bson::FromJson(d));
  std::stable_sort(ds.begin(), ds.end(), [&](const bson::BsonDocument& a, const bson::BsonDocument& b) {
    return p->CompareDocuments(a, b) < 0;
  });
  std::vector<int> ids;
  for (const auto& d : ds) ids.push_back(d["_id"].Int32());
  return ids;
}

TEST(SortPattern, ParseErrors) {
  EXPECT_EQ(SortPattern::Parse(bson::FromJson(R"({"a": 2})")).status().code(), 15975);
  EXPECT_EQ(SortPattern::Parse(bson::FromJson(R"({"a": 0})")).status().code(), 15975);
  EXPECT_EQ(SortPattern::Parse(bson::FromJson(R"({"a": "asc"})")).status().code(), 15974);
  EXPECT_CODE(SortPattern::Parse(bson::FromJson(R"({"a": {"$meta": "textScore"}})")), ErrorCode::kBadValue);
  auto p = SortPattern::Parse(bson::FromJson(R"({"$natural": -1})"));
  ASSERT_OK(p);
  EXPECT_EQ(p->natural_direction(), -1);
  EXPECT_TRUE(SortPattern::Parse(bson::FromJson("{}"))->empty());
  EXPECT_OK(SortPattern::Parse(bson::FromJson(R"({"a": 1.0, "b": -1})")));
}

TEST(SortPattern, CrossTypeOrderAndMissingAsNull) {
  std::vector<std::string> docs = {
      R"({"_id": 1, "a": "x"})", R"({"_id": 2, "a": 5})",    R"({"_id": 3})",
      R"({"_id": 4, "a": null})", R"({"_id": 5, "a": {"b": 1}})", R"({"_id": 6, "a": true})",
      R"({"_id": 7, "a": 2.5})",
  };
  EXPECT_EQ(SortIds(R"({"a": 1})", docs), (std::vector<int>{3, 4, 7, 2, 1, 5, 6}));
  EXPECT_EQ(SortIds(R"({"a": -1})", docs), (std::vector<int>{6, 5, 1, 2, 7, 3, 4}));
}

TEST(SortPattern, ArraysUseMinAscendingMaxDescending) {
  std::vector<std::string> docs = {
      R"({"_id": 1, "a": [1, 10]})", R"({"_id": 2, "a": [5]})", R"({"_id": 3, "a": 3})", R"({"_id": 4, "a": []})",
      R"({"_id": 5})",
  };
  EXPECT_EQ(SortIds(R"({"a": 1})", docs), (std::vector<int>{4, 5, 1, 3, 2}));
  EXPECT_EQ(SortIds(R"({"a": -1})", docs), (std::vector<int>{1, 2, 3, 5, 4}));
}

TEST(SortPattern, DottedPathsAndCompoundKeys) {
  std::vector<std::string> docs = {
      R"({"_id": 1, "a": {"b": 2}, "c": 1})", R"({"_id": 2, "a": [{"b": 0}, {"b": 9}], "c": 1})",
      R"({"_id": 3, "a": {"b": 2}, "c": 0})",
  };
  EXPECT_EQ(SortIds(R"({"a.b": 1, "c": 1})", docs), (std::vector<int>{2, 3, 1}));
  EXPECT_EQ(SortIds(R"({"a.b": -1, "c": -1})", docs), (std::vector<int>{2, 1, 3}));
}

TEST(SortPattern, ExtractKeyShape) {
  auto p = SortPattern::Parse(bson::FromJson(R"({"a": 1, "b": -1})"));
  ASSERT_OK(p);
  bson::BsonDocument key = p->ExtractKey(bson::FromJson(R"({"b": [1, 7], "a": 3})"));
  EXPECT_EQ(key.ToJson(), R"({"":3,"":7})");
  bson::BsonDocument key2 = p->ExtractKey(bson::FromJson(R"({})"));
  EXPECT_EQ(key2.ToJson(), R"({"":null,"":null})");
  EXPECT_LT(p->CompareKeys(key2, key), 0);
}

}  // namespace
}  // namespace dds::query
