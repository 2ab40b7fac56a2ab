// Compat §3.3: paths, arrays and null — one test per row of the table.
#include "match_test_util.h"

namespace dds::query {
namespace {

TEST(MatchPath, DottedPathWalksEmbeddedDocuments) {
  EXPECT_TRUE(Matches(R"({"a.b": 1})", R"({"a": {"b": 1}})"));
  EXPECT_TRUE(Matches(R"({"a.b.c": 1})", R"({"a": {"b": {"c": 1}}})"));
  EXPECT_FALSE(Matches(R"({"a.b": 1})", R"({"a": {"c": 1}})"));
  EXPECT_FALSE(Matches(R"({"a.b": 1})", R"({"a": 1})"));
}

TEST(MatchPath, ImplicitArrayTraversal) {
  EXPECT_TRUE(Matches(R"({"a.b": 1})", R"({"a": [{"b": 2}, {"b": 1}]})"));
  EXPECT_FALSE(Matches(R"({"a.b": 3})", R"({"a": [{"b": 2}, {"b": 1}]})"));
  EXPECT_TRUE(Matches(R"({"a.b.c": 1})", R"({"a": [{"b": [{"c": 2}, {"c": 1}]}]})"));
  EXPECT_TRUE(Matches(R"({"a.b": 1})", R"({"a": {"b": [0, 1]}})"));
}

TEST(MatchPath, ArrayFieldMatchesWholeOrElement) {
  EXPECT_TRUE(Matches(R"({"tags": "x"})", R"({"tags": ["x", "y"]})"));
  EXPECT_TRUE(Matches(R"({"tags": ["x", "y"]})", R"({"tags": ["x", "y"]})"));
  EXPECT_FALSE(Matches(R"({"tags": ["x", "y"]})", R"({"tags": ["y", "x"]})"));
  EXPECT_TRUE(Matches(R"({"tags": ["x", "y"]})", R"({"tags": [["x", "y"], "z"]})"));
  EXPECT_TRUE(Matches(R"({"tags": []})", R"({"tags": []})"));
  EXPECT_TRUE(Matches(R"({"tags": []})", R"({"tags": [[]]})"));
}

TEST(MatchPath, RangeOnArrayMayUseDifferentElements) {
  EXPECT_TRUE(Matches(R"({"a": {"$gt": 1, "$lt": 5}})", R"({"a": [0, 10]})"));
  EXPECT_FALSE(Matches(R"({"a": {"$elemMatch": {"$gt": 1, "$lt": 5}}})", R"({"a": [0, 10]})"));
  EXPECT_TRUE(Matches(R"({"a": {"$elemMatch": {"$gt": 1, "$lt": 5}}})", R"({"a": [0, 3]})"));
}

TEST(MatchPath, NumericComponents) {
  EXPECT_TRUE(Matches(R"({"a.0": 5})", R"({"a": [5]})"));
  EXPECT_FALSE(Matches(R"({"a.1": 5})", R"({"a": [5]})"));
  EXPECT_TRUE(Matches(R"({"a.0.b": 1})", R"({"a": [{"b": 1}]})"));
  EXPECT_TRUE(Matches(R"({"a.0": 5})", R"({"a": {"0": 5}})"));
  EXPECT_TRUE(Matches(R"({"a.0": 5})", R"({"a": [{"0": 5}]})"));
  EXPECT_TRUE(Matches(R"({"a.0.0": 5})", R"({"a": [[5]]})"));
  EXPECT_TRUE(Matches(R"({"a.1.b": 2})", R"({"a": [{"b": 1}, {"b": 2}]})"));
  EXPECT_FALSE(Matches(R"({"a.1.b": 1})", R"({"a": [{"b": 1}, {"b": 2}]})"));
}

TEST(MatchPath, NullMatchesNullMissingAndUndefined) {
  EXPECT_TRUE(Matches(R"({"a": null})", R"({"a": null})"));
  EXPECT_TRUE(Matches(R"({"a": null})", R"({})"));
  EXPECT_TRUE(Matches(R"({"a": null})", R"({"a": {"$undefined": true}})"));
  EXPECT_FALSE(Matches(R"({"a": null})", R"({"a": 0})"));
  EXPECT_TRUE(Matches(R"({"a": null})", R"({"a": [1, null]})"));
  EXPECT_FALSE(Matches(R"({"a": null})", R"({"a": [1, 2]})"));
  EXPECT_TRUE(Matches(R"({"a.b": null})", R"({"a": [{"c": 1}]})"));
  EXPECT_TRUE(Matches(R"({"a.b": null})", R"({"a": 4})"));
  EXPECT_TRUE(Matches(R"({"a.b": null})", R"({"a": {}})"));
  EXPECT_FALSE(Matches(R"({"a.b": null})", R"({"a": [{"b": 1}, {"b": 3}]})"));
  // Arrays of scalars produce no candidates for a sub-path.
  EXPECT_FALSE(Matches(R"({"a.b": null})", R"({"a": [1, 2]})"));
  EXPECT_FALSE(Matches(R"({"a.b": null})", R"({"a": []})"));
  EXPECT_TRUE(Matches(R"({"a": {"$gte": null}})", R"({})"));
  EXPECT_TRUE(Matches(R"({"a": {"$lte": null}})", R"({"a": null})"));
  EXPECT_FALSE(Matches(R"({"a": {"$gt": null}})", R"({})"));
  EXPECT_TRUE(Matches(R"({"a": {"$in": [null]}})", R"({"a": {"$undefined": true}})"));
}

TEST(MatchPath, ExistsFalseMatchesOnlyMissing) {
  EXPECT_TRUE(Matches(R"({"a": {"$exists": false}})", R"({})"));
  EXPECT_FALSE(Matches(R"({"a": {"$exists": false}})", R"({"a": null})"));
  EXPECT_FALSE(Matches(R"({"a": {"$exists": false}})", R"({"a": {"$undefined": true}})"));
}

TEST(MatchPath, NeNullIsComplementOfEqNull) {
  const char* docs[] = {R"({})", R"({"a": null})", R"({"a": 1})", R"({"a": [1, null]})",
                        R"({"a": [{"b": 1}]})", R"({"a": {"$undefined": true}})"};
  for (const char* d : docs) {
    EXPECT_NE(Matches(R"({"a": {"$ne": null}})", d), Matches(R"({"a": {"$eq": null}})", d)) << d;
    EXPECT_NE(Matches(R"({"a.b": {"$ne": null}})", d), Matches(R"({"a.b": null})", d)) << d;
  }
}

TEST(MatchPath, TypeArrayAndElements) {
  EXPECT_TRUE(Matches(R"({"a": {"$type": "array"}})", R"({"a": [1]})"));
  EXPECT_TRUE(Matches(R"({"a": {"$type": "array"}})", R"({"a": []})"));
  EXPECT_TRUE(Matches(R"({"a": {"$type": "int"}})", R"({"a": ["x", 1]})"));
  EXPECT_FALSE(Matches(R"({"a": {"$type": "array"}})", R"({"a": 1})"));
}

TEST(MatchPath, SizeAllElemMatchApplyToArrayItself) {
  EXPECT_TRUE(Matches(R"({"a": {"$size": 2}})", R"({"a": [1, [2, 3]]})"));
  EXPECT_FALSE(Matches(R"({"a": {"$size": 2}})", R"({"a": [[1, 2]]})"));
  EXPECT_TRUE(Matches(R"({"a.b": {"$size": 1}})", R"({"a": [{"b": [1]}, {"b": 2}]})"));
  EXPECT_FALSE(Matches(R"({"a": {"$elemMatch": {"$eq": 1}}})", R"({"a": [[1]]})"));
  EXPECT_TRUE(Matches(R"({"a": {"$all": [1, 2]}})", R"({"a": [2, 1, 3]})"));
}

TEST(MatchPath, NestedArraysNotFlattened) {
  EXPECT_FALSE(Matches(R"({"a": 1})", R"({"a": [[1]]})"));
  EXPECT_TRUE(Matches(R"({"a": [1]})", R"({"a": [[1]]})"));
  EXPECT_FALSE(Matches(R"({"a.b": 1})", R"({"a": [[{"b": 1}]]})"));
}

// The dataset of mongod's jstests/core/query/null_query_semantics.js for {"a.b": null}.
TEST(MatchPath, NullQuerySemanticsDataset) {
  struct Case {
    const char* doc;
    bool matches;
  } cases[] = {
      {R"({"a": {}})", true},
      {R"({"a": null})", true},
      {R"({"a": 4})", true},
      {R"({"a": {"b": "hi"}})", false},
      {R"({"a": {"b": null}})", true},
      {R"({})", true},
      {R"({"a": [[]]})", false},
      {R"({"a": []})", false},
      {R"({"a": [{"b": null}, {}]})", true},
      {R"({"a": [{"b": 1}, {"b": 3}]})", false},
      {R"({"a": [{"b": 3}, {}]})", true},
      {R"({"a": [null, null]})", false},
      {R"({"a": [1, "string", 4]})", false},
  };
  for (const Case& c : cases) EXPECT_EQ(Matches(R"({"a.b": null})", c.doc), c.matches) << c.doc;
}

TEST(MatchPath, PositionalKeyRecorded) {
  auto m = ParseMatchExpression(bson::FromJson(R"({"a.b": 5})"));
  ASSERT_OK(m);
  MatchDetails details;
  bson::BsonDocument doc = bson::FromJson(R"({"a": [{"b": 1}, {"b": [4, 5]}]})");
  ASSERT_TRUE(m.value()->Matches(doc, &details));
  ASSERT_TRUE(details.has_elem_match_key());
  EXPECT_EQ(details.elem_match_key(), "1");

  auto em = ParseMatchExpression(bson::FromJson(R"({"a": {"$elemMatch": {"x": 2}}})"));
  ASSERT_OK(em);
  details.Reset();
  ASSERT_TRUE(em.value()->Matches(bson::FromJson(R"({"a": [{"x": 1}, {"x": 2}]})"), &details));
  EXPECT_EQ(details.elem_match_key(), "1");
}

}  // namespace
}  // namespace dds::query
