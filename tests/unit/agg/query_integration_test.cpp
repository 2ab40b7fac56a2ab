// Query features that need the agg expression engine ($expr, computed projection fields), which
// the agg library installs into the query layer.
#include "agg_test_util.h"
#include "query/match_parser.h"
#include "query/projection.h"

namespace dds::agg {
namespace {

bool ExprMatches(std::string_view filter, std::string_view doc, std::string_view let = "{}") {
  bson::BsonDocument let_doc = bson::FromJson(let);
  query::MatchParseOptions options;
  options.let_vars = let_doc;
  auto m = query::ParseMatchExpression(bson::FromJson(filter), options);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  if (!m.ok()) return false;
  return m.value()->Matches(bson::FromJson(doc));
}

TEST(QueryExpr, ExprInFilters) {
  EXPECT_TRUE(ExprMatches(R"({"$expr": {"$gt": ["$a", "$b"]}})", R"({"a": 5, "b": 3})"));
  EXPECT_FALSE(ExprMatches(R"({"$expr": {"$gt": ["$a", "$b"]}})", R"({"a": 1, "b": 3})"));
  EXPECT_TRUE(ExprMatches(R"({"x": 1, "$expr": {"$eq": ["$a", "$$v"]}})", R"({"x": 1, "a": 7})", R"({"v": 7})"));
  EXPECT_TRUE(ExprMatches(R"({"$or": [{"$expr": false}, {"$expr": "$a"}]})", R"({"a": 1})"));
  EXPECT_FALSE(ExprMatches(R"({"$expr": "$missing"})", R"({"a": 1})"));
  auto bad = query::ParseMatchExpression(bson::FromJson(R"({"$expr": {"$foo": 1}})"));
  EXPECT_CODE(bad.status(), ErrorCode::kInvalidPipelineOperator);
  auto undefined_var = query::ParseMatchExpression(bson::FromJson(R"({"$expr": {"$eq": ["$a", "$$nope"]}})"));
  EXPECT_EQ(undefined_var.status().code(), 17276);
  // Evaluation errors surface as DbException from Matches().
  auto m = query::ParseMatchExpression(bson::FromJson(R"({"$expr": {"$size": "$a"}})"));
  ASSERT_OK(m);
  EXPECT_THROW(m.value()->Matches(bson::FromJson(R"({"a": 1})")), DbException);
}

std::string FindProject(std::string_view spec, std::string_view doc) {
  auto p = query::Projection::Parse(bson::FromJson(spec));
  if (!p.ok()) return "error:" + std::to_string(p.status().code());
  auto r = p->Apply(bson::FromJson(doc));
  if (!r.ok()) return "error:" + std::to_string(r.status().code());
  return r->ToJson();
}

TEST(QueryExpr, ComputedProjectionFields) {
  EXPECT_EQ(FindProject(R"({"total": {"$add": ["$a", "$b"]}})", R"({"_id": 1, "a": 1, "b": 2})"),
            R"({"_id":1,"total":3})");
  EXPECT_EQ(FindProject(R"({"x": "$a", "a": 1})", R"({"_id": 1, "a": 1})"), R"({"_id":1,"a":1,"x":1})");
  EXPECT_EQ(FindProject(R"({"lit": {"$literal": 1}, "_id": 0})", R"({"_id": 1})"), R"({"lit":1})");
  EXPECT_EQ(FindProject(R"({"s": "hello"})", R"({"_id": 1})"), R"({"_id":1,"s":"hello"})");
  EXPECT_EQ(FindProject(R"({"a.b": {"$literal": 5}})", R"({"_id": 1, "a": {"c": 1}})"), R"({"_id":1,"a":{"b":5}})");
  EXPECT_EQ(FindProject(R"({"x": "$a", "b": 0})", R"({"_id": 1})"), "error:31254");
  // Not an expression name, and "$bogus" is no field name either: mongod's projection parser
  // answers 31325 "Unknown expression $bogus"; an unknown operator inside an expression is 168.
  EXPECT_EQ(FindProject(R"({"x": {"$bogus": 1}})", R"({"_id": 1})"), "error:31325");
  EXPECT_EQ(FindProject(R"({"x": {"$add": [{"$bogus": 1}]}})", R"({"_id": 1})"), "error:168");
}

}  // namespace
}  // namespace dds::agg
