#include "agg_test_util.h"

namespace dds::agg {
namespace {

TEST(Expression, FieldPathsAndVariables) {
  EXPECT_EQ(Eval(R"("$a")", R"({"a": 5})"), "5");
  EXPECT_EQ(Eval(R"("$a.b")", R"({"a": {"b": "x"}})"), R"("x")");
  EXPECT_EQ(Eval(R"("$a.b")", R"({"a": [{"b": 1}, {"c": 2}, {"b": 3}]})"), "[1,3]");
  EXPECT_EQ(Eval(R"("$missing")", R"({"a": 1})"), "MISSING");
  EXPECT_EQ(Eval(R"("$$ROOT")", R"({"a": 1})"), R"({"a":1})");
  EXPECT_EQ(Eval(R"("$$CURRENT.a")", R"({"a": 1})"), "1");
  EXPECT_EQ(Eval(R"("$$nope")"), "error:17276");
  EXPECT_EQ(Eval(R"("$")"), "error:16872");
  EXPECT_EQ(Eval(R"({"$literal": "$a"})", R"({"a": 1})"), R"("$a")");
  EXPECT_EQ(Eval(R"({"x": "$a", "y": [1, "$a"]})", R"({"a": 2})"), R"({"x":2,"y":[1,2]})");
}

TEST(Expression, ParseErrors) {
  EXPECT_EQ(Eval(R"({"$foo": 1})"), "error:168");
  EXPECT_EQ(Eval(R"({"$add": 1, "$sub": 2})"), "error:15983");
  EXPECT_EQ(Eval(R"({"$gt": [1]})"), "error:16020");
}

TEST(Expression, DuplicateFieldInObjectLiteral) {
  bson::BsonBuilder b;
  b.StartDocument("e");
  b.AppendInt32("a", 1);
  b.AppendInt32("a", 2);
  b.End();
  bson::BsonDocument d = b.Done();
  EXPECT_EQ(CompileExpression(d["e"], bson::BsonView()).status().code(), 16406);
}

TEST(Expression, Arithmetic) {
  EXPECT_EQ(Eval(R"({"$add": [1, 2]})"), "3");
  EXPECT_EQ(Eval(R"({"$add": [1, 2.5]})"), "3.5");
  EXPECT_EQ(Eval(R"({"$add": [2147483647, 1]})"), "2147483648");
  EXPECT_EQ(Eval(R"({"$add": [1, null]})"), "null");
  EXPECT_EQ(Eval(R"({"$add": [1, "$missing"]})"), "null");
  EXPECT_EQ(Eval(R"({"$add": [1, "x"]})"), "error:16554");
  EXPECT_EQ(Eval(R"({"$add": [{"$date": "2020-01-01T00:00:00Z"}, 1000]})"), R"({"$date":"2020-01-01T00:00:01.000Z"})");
  EXPECT_EQ(Eval(R"({"$add": [{"$date": "2020-01-01T00:00:00Z"}, {"$date": "2020-01-01T00:00:00Z"}]})"), "error:16612");
  EXPECT_EQ(Eval(R"({"$subtract": [5, 7]})"), "-2");
  EXPECT_EQ(Eval(R"({"$multiply": [3, 4]})"), "12");
  EXPECT_EQ(Eval(R"({"$divide": [7, 2]})"), "3.5");
  EXPECT_EQ(Eval(R"({"$divide": [1, 0]})"), "error:16608");
  EXPECT_EQ(Eval(R"({"$mod": [7, 3]})"), "1");
  EXPECT_EQ(Eval(R"({"$mod": [7, 0]})"), "error:16610");
  EXPECT_EQ(Eval(R"({"$abs": -3})"), "3");
  EXPECT_EQ(Eval(R"({"$floor": 2.5})"), "2.0");
}

TEST(Expression, ComparisonAndBoolean) {
  EXPECT_EQ(Eval(R"({"$eq": [1, 1.0]})"), "true");
  EXPECT_EQ(Eval(R"({"$eq": ["$missing", null]})"), "false");
  EXPECT_EQ(Eval(R"({"$gt": ["a", 1]})"), "true");
  EXPECT_EQ(Eval(R"({"$cmp": [1, 2]})"), "-1");
  EXPECT_EQ(Eval(R"({"$and": [1, true]})"), "true");
  EXPECT_EQ(Eval(R"({"$and": []})"), "true");
  EXPECT_EQ(Eval(R"({"$or": [0, null]})"), "false");
  EXPECT_EQ(Eval(R"({"$not": [0]})"), "true");
}

TEST(Expression, Conditionals) {
  EXPECT_EQ(Eval(R"({"$cond": [true, 1, 2]})"), "1");
  EXPECT_EQ(Eval(R"({"$cond": {"if": false, "then": 1, "else": 2}})"), "2");
  EXPECT_EQ(Eval(R"({"$cond": {"if": false, "then": 1}})"), "error:17082");
  EXPECT_EQ(Eval(R"({"$ifNull": ["$a", "d"]})"), R"("d")");
  EXPECT_EQ(Eval(R"({"$ifNull": ["$a", "d"]})", R"({"a": 0})"), "0");
  EXPECT_EQ(Eval(R"({"$switch": {"branches": [{"case": false, "then": 1}], "default": 9}})"), "9");
  EXPECT_EQ(Eval(R"({"$let": {"vars": {"x": 2}, "in": {"$multiply": ["$$x", 3]}}})"), "6");
}

TEST(Expression, StringsAndArrays) {
  EXPECT_EQ(Eval(R"({"$concat": ["a", "b"]})"), R"("ab")");
  EXPECT_EQ(Eval(R"({"$concat": ["a", null]})"), "null");
  EXPECT_EQ(Eval(R"({"$concat": ["a", 1]})"), "error:16702");
  EXPECT_EQ(Eval(R"({"$toLower": "AbC"})"), R"("abc")");
  EXPECT_EQ(Eval(R"({"$toUpper": "$missing"})"), R"("")");
  EXPECT_EQ(Eval(R"({"$size": [[1, 2, 3]]})"), "3");
  EXPECT_EQ(Eval(R"({"$size": "$a"})"), "error:17124");
  EXPECT_EQ(Eval(R"({"$in": [2, [1, 2]]})"), "true");
  EXPECT_EQ(Eval(R"({"$in": [2, "$a"]})"), "error:40081");
  EXPECT_EQ(Eval(R"({"$arrayElemAt": [[1, 2, 3], -1]})"), "3");
  EXPECT_EQ(Eval(R"({"$arrayElemAt": [[1, 2, 3], 5]})"), "MISSING");
  EXPECT_EQ(Eval(R"({"$filter": {"input": [1, 2, 3], "cond": {"$gt": ["$$this", 1]}}})"), "[2,3]");
  EXPECT_EQ(Eval(R"({"$map": {"input": [1, 2], "as": "x", "in": {"$add": ["$$x", 1]}}})"), "[2,3]");
  EXPECT_EQ(Eval(R"({"$reduce": {"input": [1, 2, 3], "initialValue": 0, "in": {"$add": ["$$value", "$$this"]}}})"), "6");
  EXPECT_EQ(Eval(R"({"$split": ["a,b", ","]})"), R"(["a","b"])");
  EXPECT_EQ(Eval(R"({"$substrCP": ["héllo", 1, 2]})"), R"("él")");
  EXPECT_EQ(Eval(R"({"$strLenCP": "héllo"})"), "5");
  EXPECT_EQ(Eval(R"({"$trim": {"input": "  x  "}})"), R"("x")");
  EXPECT_EQ(Eval(R"({"$mergeObjects": [{"a": 1}, {"b": 2, "a": 3}]})"), R"({"a":3,"b":2})");
  EXPECT_EQ(Eval(R"({"$objectToArray": {"a": 1}})"), R"([{"k":"a","v":1}])");
  EXPECT_EQ(Eval(R"({"$arrayToObject": [[["a", 1]]]})"), R"({"a":1})");
}

TEST(Expression, TypesAndDates) {
  EXPECT_EQ(Eval(R"({"$type": "$a"})"), R"("missing")");
  EXPECT_EQ(Eval(R"({"$type": 1})"), R"("int")");
  EXPECT_EQ(Eval(R"({"$toInt": "12"})"), "12");
  EXPECT_EQ(Eval(R"({"$toInt": "x"})"), "error:241");
  EXPECT_EQ(Eval(R"({"$convert": {"input": "x", "to": "int", "onError": 0}})"), "0");
  EXPECT_EQ(Eval(R"({"$toString": 5})"), R"("5")");
  EXPECT_EQ(Eval(R"({"$toString": 2.0})"), R"("2")");
  EXPECT_EQ(Eval(R"({"$toString": 0.1})"), R"("0.1")");
  EXPECT_EQ(Eval(R"({"$toString": {"$numberDecimal": "1.50"}})"), R"("1.50")");
  EXPECT_EQ(Eval(R"({"$year": {"$date": "2021-03-04T05:06:07Z"}})"), "2021");
  EXPECT_EQ(Eval(R"({"$dayOfWeek": {"$date": "2021-03-04T05:06:07Z"}})"), "5");
  EXPECT_EQ(Eval(R"({"$dateToString": {"date": {"$date": "2021-03-04T05:06:07.089Z"}, "format": "%Y-%m-%d %H:%M:%S.%L"}})"),
            R"("2021-03-04 05:06:07.089")");
}

}  // namespace
}  // namespace dds::agg
