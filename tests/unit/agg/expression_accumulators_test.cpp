// $sum $avg $min $max $stdDevPop $stdDevSamp used as expressions.
#include "agg_test_util.h"

namespace dds::agg {
namespace {

TEST(ExpressionAccumulators, OneArrayArgumentFoldsItsElements) {
  const char* doc = R"({"a": [1, 2, 3, "x", null], "b": 10})";
  EXPECT_EQ(Eval(R"({"$sum": "$a"})", doc), "6");
  EXPECT_EQ(Eval(R"({"$avg": "$a"})", doc), "2.0");
  EXPECT_EQ(Eval(R"({"$max": "$a"})", doc), R"("x")");
  EXPECT_EQ(Eval(R"({"$min": "$a"})", doc), "1");
  EXPECT_EQ(Eval(R"({"$sum": ["$a"]})", doc), "6");
  EXPECT_EQ(Eval(R"({"$stdDevPop": [[2, 4, 4, 4, 5, 5, 7, 9]]})"), "2.0");
}

TEST(ExpressionAccumulators, SeveralArgumentsFoldTheArguments) {
  const char* doc = R"({"a": [1, 2, 3], "b": 10})";
  EXPECT_EQ(Eval(R"({"$sum": ["$a", "$b", 5]})", doc), "15");  // the array is not a number
  EXPECT_EQ(Eval(R"({"$max": [5, 1, "$b"]})", doc), "10");
  EXPECT_EQ(Eval(R"({"$min": [5, null, "$missing"]})", doc), "5");
  EXPECT_EQ(Eval(R"({"$avg": [1, 2]})"), "1.5");
}

TEST(ExpressionAccumulators, EmptyAndNonNumericInputs) {
  EXPECT_EQ(Eval(R"({"$sum": "$missing"})"), "0");
  EXPECT_EQ(Eval(R"({"$sum": "x"})"), "0");
  EXPECT_EQ(Eval(R"({"$avg": "x"})"), "null");
  EXPECT_EQ(Eval(R"({"$max": []})"), "null");
  EXPECT_EQ(Eval(R"({"$stdDevSamp": [1]})"), "null");
}

}  // namespace
}  // namespace dds::agg
