#include <set>
#include <string>

#include "agg_test_util.h"

namespace dds::agg {
namespace {

TEST(ExpressionRand, UniformDoubleEachEvaluationAndNoArguments) {
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    std::string v = Eval(R"({"$rand": {}})");
    double d = std::stod(v);
    EXPECT_GE(d, 0.0);
    EXPECT_LT(d, 1.0);
    seen.insert(v);
  }
  EXPECT_GT(seen.size(), 1u);
  EXPECT_EQ(Eval(R"({"$rand": {"seed": 1}})"), "error:3040500");
  EXPECT_EQ(Eval(R"({"$rand": 1})"), "error:3040500");
}

TEST(ExpressionSets, SetOperators) {
  EXPECT_EQ(Eval(R"({"$setUnion": [[3, 1], [1, 2]]})"), "[1,2,3]");
  EXPECT_EQ(Eval(R"({"$setIntersection": [[3, 1, 2], [2, 3, 4]]})"), "[2,3]");
  EXPECT_EQ(Eval(R"({"$setDifference": [[3, 1, 2], [2]]})"), "[1,3]");
  EXPECT_EQ(Eval(R"({"$setEquals": [[1, 2, 2], [2, 1]]})"), "true");
  EXPECT_EQ(Eval(R"({"$setIsSubset": [[1], [2, 1]]})"), "true");
  EXPECT_EQ(Eval(R"({"$allElementsTrue": [[1, true, "x"]]})"), "true");
  EXPECT_EQ(Eval(R"({"$anyElementTrue": [[0, false, null]]})"), "false");
  EXPECT_EQ(Eval(R"({"$setUnion": [[1], 2]})"), "error:17043");
}

TEST(ExpressionStrings, RegexAndReplace) {
  EXPECT_EQ(Eval(R"({"$regexFind": {"input": "abcab", "regex": "b"}})"), R"({"match":"b","idx":1,"captures":[]})");
  EXPECT_EQ(Eval(R"({"$regexFindAll": {"input": "abcab", "regex": "b"}})"),
            R"([{"match":"b","idx":1,"captures":[]},{"match":"b","idx":4,"captures":[]}])");
  EXPECT_EQ(Eval(R"({"$regexFind": {"input": "abc", "regex": "z"}})"), "null");
  EXPECT_EQ(Eval(R"({"$regexMatch": {"input": "ABC", "regex": "b", "options": "i"}})"), "true");
  EXPECT_EQ(Eval(R"({"$replaceOne": {"input": "a-b-c", "find": "-", "replacement": "+"}})"), R"("a+b-c")");
  EXPECT_EQ(Eval(R"({"$replaceAll": {"input": "a-b-c", "find": "-", "replacement": "+"}})"), R"("a+b+c")");
  EXPECT_EQ(Eval(R"({"$replaceAll": {"input": null, "find": "-", "replacement": "+"}})"), "null");
}

TEST(ExpressionArrays, SortZipAndN) {
  EXPECT_EQ(Eval(R"({"$sortArray": {"input": [3, 1, 2], "sortBy": -1}})"), "[3,2,1]");
  EXPECT_EQ(Eval(R"({"$sortArray": {"input": [{"a": 2}, {"a": 1}], "sortBy": {"a": 1}}})"), R"([{"a":1},{"a":2}])");
  EXPECT_EQ(Eval(R"({"$zip": {"inputs": [[1, 2], ["a"]]}})"), R"([[1,"a"]])");
  EXPECT_EQ(Eval(R"({"$zip": {"inputs": [[1, 2], ["a"]], "useLongestLength": true, "defaults": [0, "z"]}})"),
            R"([[1,"a"],[2,"z"]])");
  EXPECT_EQ(Eval(R"({"$firstN": {"input": [1, 2, 3], "n": 2}})"), "[1,2]");
  EXPECT_EQ(Eval(R"({"$lastN": {"input": [1, 2, 3], "n": 2}})"), "[2,3]");
  EXPECT_EQ(Eval(R"({"$maxN": {"input": [1, null, 3, 2], "n": 2}})"), "[3,2]");
  EXPECT_EQ(Eval(R"({"$minN": {"input": [1, null, 3, 2], "n": 2}})"), "[1,2]");
}

TEST(ExpressionMisc, ConversionsAndSizes) {
  EXPECT_EQ(Eval(R"({"$toDecimal": "1.25"})"), R"({"$numberDecimal":"1.25"})");
  EXPECT_EQ(Eval(R"({"$toDecimal": 3})"), R"({"$numberDecimal":"3"})");
  EXPECT_EQ(Eval(R"({"$bsonSize": {"a": 1}})"), "12");
  EXPECT_EQ(Eval(R"({"$binarySize": "héllo"})"), "6");
  EXPECT_EQ(Eval(R"({"$tsSecond": {"$timestamp": {"t": 5, "i": 7}}})"), "5");
  EXPECT_EQ(Eval(R"({"$tsIncrement": {"$timestamp": {"t": 5, "i": 7}}})"), "7");
  EXPECT_EQ(Eval(R"({"$setField": {"field": "b", "input": {"a": 1}, "value": 2}})"), R"({"a":1,"b":2})");
  EXPECT_EQ(Eval(R"({"$unsetField": {"field": "a", "input": {"a": 1, "b": 2}}})"), R"({"b":2})");
  EXPECT_EQ(Eval(R"({"$getField": {"field": "a.b", "input": "$$ROOT"}})", R"({"a.b": 5})"), "5");
  EXPECT_EQ(Eval(R"({"$getField": "a.b"})", R"({"a.b": 6})"), "6");
}

}  // namespace
}  // namespace dds::agg
