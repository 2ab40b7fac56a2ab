// Decimal arithmetic in the expression language: exact decimal128 results (not through double),
// and $round/$trunc/$ceil/$floor/$abs as mongod computes them.
#include "agg_test_util.h"

namespace dds::agg {
namespace {

std::string Dec(const char* s) { return std::string(R"({"$numberDecimal":")") + s + "\"}"; }

TEST(ExpressionDecimal, ArithmeticIsExact) {
  EXPECT_EQ(Eval(R"({"$add": [{"$numberDecimal": "0.1"}, {"$numberDecimal": "0.2"}]})"), Dec("0.3"));
  EXPECT_EQ(Eval(R"({"$add": [{"$numberDecimal": "1.10"}, 2]})"), Dec("3.10"));
  EXPECT_EQ(Eval(R"({"$add": [{"$numberDecimal": "1"}, 2.5]})"), Dec("3.5"));
  EXPECT_EQ(Eval(R"({"$add": [0.1, {"$numberDecimal": "0"}]})"),
            Dec("0.1000000000000000055511151231257827"));
  EXPECT_EQ(Eval(R"({"$subtract": [{"$numberDecimal": "0.3"}, {"$numberDecimal": "0.1"}]})"), Dec("0.2"));
  EXPECT_EQ(Eval(R"({"$multiply": [{"$numberDecimal": "19.99"}, 3]})"), Dec("59.97"));
  EXPECT_EQ(Eval(R"({"$divide": [{"$numberDecimal": "1"}, 3]})"), Dec("0.3333333333333333333333333333333333"));
  EXPECT_EQ(Eval(R"({"$divide": [{"$numberDecimal": "10"}, 4]})"), Dec("2.5"));
  EXPECT_EQ(Eval(R"({"$divide": [{"$numberDecimal": "1"}, {"$numberDecimal": "0"}]})"), "error:16608");
  EXPECT_EQ(Eval(R"({"$add": [{"$numberDecimal": "1"}, null]})"), "null");
}

TEST(ExpressionDecimal, RoundAndTruncTakeAPlace) {
  EXPECT_EQ(Eval(R"({"$round": [{"$numberDecimal": "1.2345"}, 2]})"), Dec("1.23"));
  EXPECT_EQ(Eval(R"({"$round": [{"$numberDecimal": "2.5"}, 0]})"), Dec("2"));
  EXPECT_EQ(Eval(R"({"$round": [{"$numberDecimal": "3.5"}]})"), Dec("4"));
  EXPECT_EQ(Eval(R"({"$round": [{"$numberDecimal": "1.2"}, 3]})"), Dec("1.200"));
  EXPECT_EQ(Eval(R"({"$trunc": [{"$numberDecimal": "-1.789"}, 1]})"), Dec("-1.7"));
  EXPECT_EQ(Eval(R"({"$trunc": [1.789, 2]})"), "1.78");
  EXPECT_EQ(Eval(R"({"$trunc": [-7.5]})"), "-7.0");
  EXPECT_EQ(Eval(R"({"$round": [2.675, 2]})"), "2.67");  // 2.675 is 2.67499999... in binary
  EXPECT_EQ(Eval(R"({"$round": [0.5]})"), "0.0");
  EXPECT_EQ(Eval(R"({"$round": [1.5]})"), "2.0");
  EXPECT_EQ(Eval(R"({"$round": [1234, -2]})"), "1200");
  EXPECT_EQ(Eval(R"({"$round": [1250, -2]})"), "1200");
  EXPECT_EQ(Eval(R"({"$round": [{"$numberLong": "1350"}, -2]})"), "1400");
  EXPECT_EQ(Eval(R"({"$round": [5, 1]})"), "5");
  EXPECT_EQ(Eval(R"({"$round": [2147483647, -1]})"), "2147483650");
  EXPECT_EQ(Eval(R"({"$round": [1.5, 1.5]})"), "error:51082");
  EXPECT_EQ(Eval(R"({"$round": [1.5, 101]})"), "error:51083");
  EXPECT_EQ(Eval(R"({"$trunc": ["x", 1]})"), "error:51081");
  EXPECT_EQ(Eval(R"({"$round": [1.5, null]})"), "null");
}

TEST(ExpressionDecimal, CeilFloorAbs) {
  EXPECT_EQ(Eval(R"({"$ceil": {"$numberDecimal": "1.01"}})"), Dec("2"));
  EXPECT_EQ(Eval(R"({"$floor": {"$numberDecimal": "-1.01"}})"), Dec("-2"));
  EXPECT_EQ(Eval(R"({"$floor": {"$numberDecimal": "1E+2"}})"), Dec("100"));
  EXPECT_EQ(Eval(R"({"$ceil": 1.2})"), "2.0");
  EXPECT_EQ(Eval(R"({"$floor": -1.2})"), "-2.0");
  EXPECT_EQ(Eval(R"({"$ceil": 7})"), "7");
  EXPECT_EQ(Eval(R"({"$abs": {"$numberDecimal": "-1.50"}})"), Dec("1.50"));
}

TEST(ExpressionDecimal, ConversionsFromDoubleKeep15Digits) {
  // mongod's documented examples: {$toDecimal: 2.5} is 2.50000000000000.
  EXPECT_EQ(Eval(R"({"$toDecimal": 2.5})"), Dec("2.50000000000000"));
  EXPECT_EQ(Eval(R"({"$convert": {"input": 0.1, "to": "decimal"}})"), Dec("0.100000000000000"));
  EXPECT_EQ(Eval(R"({"$convert": {"input": 7, "to": "decimal"}})"), Dec("7"));
}

}  // namespace
}  // namespace dds::agg
