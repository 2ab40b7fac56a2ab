#include "query/index_bounds.h"

#include <gtest/gtest.h>

#include "bson/bson.h"
#include "query/match_parser.h"
#include "test_util.h"

namespace dds::query {
namespace {

std::vector<std::string> Strings(const IntervalList& list) {
  std::vector<std::string> out;
  for (const Interval& i : list) out.push_back(i.ToString());
  return out;
}

IntervalList BoundsOf(const std::string& filter_json) {
  bson::BsonDocument filter = bson::FromJson(filter_json);
  auto expr = ParseMatchExpression(filter.view());
  EXPECT_TRUE(expr.ok());
  std::optional<IntervalList> b = BoundsForPredicate(*expr.value(), false);
  return b ? *b : IntervalList{};
}

using V = std::vector<std::string>;

TEST(IndexBounds, ComparisonsStayInTheirTypeBracket) {
  EXPECT_EQ(Strings(BoundsOf(R"({"a":5})")), V{"[5, 5]"});
  EXPECT_EQ(Strings(BoundsOf(R"({"a":{"$gt":5}})")), V{"(5, inf.0]"});
  EXPECT_EQ(Strings(BoundsOf(R"({"a":{"$lte":"m"}})")), V{"[\"\", \"m\"]"});
  EXPECT_EQ(Strings(BoundsOf(R"({"a":{"$in":[3,1,"x",1.0]}})")), (V{"[1, 1]", "[3, 3]", "[\"x\", \"x\"]"}));
  EXPECT_EQ(Strings(BoundsOf(R"({"a":null})")), (V{"[undefined, undefined]", "[null, null]"}));
  EXPECT_EQ(BoundsOf(R"({"a":{"$in":[]}})").size(), 0u);
}

TEST(IndexBounds, IntersectAndUnion) {
  IntervalList both = IntersectIntervals(BoundsOf(R"({"a":{"$gt":1}})"), BoundsOf(R"({"a":{"$lt":9}})"));
  EXPECT_EQ(Strings(both), V{"(1, 9)"});
  EXPECT_TRUE(IntersectIntervals(BoundsOf(R"({"a":{"$gt":5}})"), BoundsOf(R"({"a":{"$lt":2}})")).empty());
  // A string range and a number range never intersect.
  EXPECT_TRUE(IntersectIntervals(BoundsOf(R"({"a":{"$gt":5}})"), BoundsOf(R"({"a":{"$lt":"z"}})")).empty());
  IntervalList point = IntersectIntervals(BoundsOf(R"({"a":4})"), BoundsOf(R"({"a":{"$gte":4}})"));
  ASSERT_EQ(point.size(), 1u);
  EXPECT_TRUE(point[0].is_point());
  IntervalList merged = UnionIntervals({BoundsOf(R"({"a":{"$lt":3}})")[0], BoundsOf(R"({"a":{"$gte":3}})")[0]});
  EXPECT_EQ(Strings(merged), V{"[-inf.0, inf.0]"});
}

TEST(IndexBounds, ExplainShowsDescendingFieldsReversed) {
  storage::IndexDescriptor d;
  d.index_id = 3;
  d.name = "a_1_b_-1";
  d.spec = bson::FromJson(R"({"v":2,"key":{"a":1,"b":-1},"name":"a_1_b_-1"})");
  auto info = index::ParseIndexInfo(d);
  ASSERT_OK(info);
  IndexBounds bounds;
  bounds.fields = {BoundsOf(R"({"a":2})"), BoundsOf(R"({"b":{"$gt":5}})")};
  EXPECT_EQ(bounds.ToExplain(info.value(), true).ToJson(),
            R"j({"a":["[2, 2]"],"b":["[inf.0, 5)"]})j");
  EXPECT_EQ(bounds.ToExplain(info.value(), false).ToJson(),
            R"j({"a":["[2, 2]"],"b":["(5, inf.0]"]})j");
  EXPECT_EQ(bounds.SinglePointPrefix(), 1u);
  EXPECT_EQ(bounds.ToKeyRanges(info.value()).size(), 1u);
}

}  // namespace
}  // namespace dds::query
