// Decimal128 arithmetic against IEEE 754-2008 results (round-half-even, ideal exponents) and
// mongod's double conversions.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "bson/decimal128.h"

namespace dds::bson {
namespace {

Decimal128 D(const char* s) { return *Decimal128::FromString(s); }
std::string Add(const char* a, const char* b) { return D(a).Add(D(b)).ToString(); }
std::string Sub(const char* a, const char* b) { return D(a).Subtract(D(b)).ToString(); }
std::string Mul(const char* a, const char* b) { return D(a).Multiply(D(b)).ToString(); }
std::string Div(const char* a, const char* b) { return D(a).Divide(D(b)).ToString(); }

TEST(Decimal128Arith, AddKeepsTheIdealExponent) {
  EXPECT_EQ(Add("1.10", "2.205"), "3.305");
  EXPECT_EQ(Add("0.1", "0.2"), "0.3");
  EXPECT_EQ(Add("0.400000000000000", "0.1"), "0.500000000000000");
  EXPECT_EQ(Add("1E+2", "1"), "101");
  EXPECT_EQ(Add("0E+10", "7E-3"), "0.007");
  EXPECT_EQ(Add("-5", "2.5"), "-2.5");
}

TEST(Decimal128Arith, ZeroSigns) {
  EXPECT_EQ(Add("1", "-1"), "0");
  EXPECT_EQ(Add("-0", "-0"), "-0");
  EXPECT_EQ(Add("0", "-0"), "0");
  EXPECT_EQ(Add("1.00", "-1"), "0.00");
  EXPECT_EQ(Mul("-0", "5"), "-0");
}

TEST(Decimal128Arith, RoundsHalfEvenTo34Digits) {
  EXPECT_EQ(Add("9999999999999999999999999999999999", "1"), "1.000000000000000000000000000000000E+34");
  EXPECT_EQ(Add("1234567890123456789012345678901234", "0.5"), "1234567890123456789012345678901234");
  EXPECT_EQ(Add("1234567890123456789012345678901235", "0.5"), "1234567890123456789012345678901236");
  EXPECT_EQ(Add("1234567890123456789012345678901234", "0.5000001"), "1234567890123456789012345678901235");
  EXPECT_EQ(Add("1E+40", "1"), "1.000000000000000000000000000000000E+40");
}

TEST(Decimal128Arith, FarApartOperandsStillDecideRounding) {
  // 10^40 - 10^-100 rounds back up to 10^40; 10^40 + 10^-100 stays.
  EXPECT_EQ(Add("1E+40", "-1E-100"), "1.000000000000000000000000000000000E+40");
  EXPECT_EQ(Add("9.999999999999999999999999999999999E+39", "1E-100"),
            "9.999999999999999999999999999999999E+39");
  // Exactly half a unit of the last digit: ties go to the even neighbour.
  EXPECT_EQ(Add("1.000000000000000000000000000000000E+40", "5E+6"),
            "1.000000000000000000000000000000000E+40");
  EXPECT_EQ(Add("1.000000000000000000000000000000001E+40", "5E+6"),
            "1.000000000000000000000000000000002E+40");
  EXPECT_EQ(Add("1.000000000000000000000000000000000E+40", "5.000001E+6"),
            "1.000000000000000000000000000000001E+40");
}

TEST(Decimal128Arith, Subtract) {
  EXPECT_EQ(Sub("0.3", "0.1"), "0.2");
  EXPECT_EQ(Sub("1", "0.0001"), "0.9999");
  EXPECT_EQ(Sub("-1", "1"), "-2");
}

TEST(Decimal128Arith, Multiply) {
  EXPECT_EQ(Mul("2.5", "4"), "10.0");
  EXPECT_EQ(Mul("0.1", "0.1"), "0.01");
  EXPECT_EQ(Mul("-3", "1.5"), "-4.5");
  // 1524157875323883675019051998750190|521: the dropped 521 rounds up.
  EXPECT_EQ(Mul("1234567890123456789", "1234567890123456789"),
            "1.524157875323883675019051998750191E+36");
  EXPECT_EQ(Mul("1E+6144", "10"), "Infinity");
  EXPECT_EQ(Mul("-1E+6144", "10"), "-Infinity");
  EXPECT_EQ(Mul("1E-6176", "0.1"), "0E-6176");
}

TEST(Decimal128Arith, Divide) {
  EXPECT_EQ(Div("1", "3"), "0.3333333333333333333333333333333333");
  EXPECT_EQ(Div("2", "3"), "0.6666666666666666666666666666666667");
  EXPECT_EQ(Div("6", "3"), "2");
  EXPECT_EQ(Div("1", "4"), "0.25");
  EXPECT_EQ(Div("1.00", "4"), "0.25");
  EXPECT_EQ(Div("100", "4"), "25");
  EXPECT_EQ(Div("1E+2", "4"), "25");
  EXPECT_EQ(Div("2.40", "2"), "1.20");
  EXPECT_EQ(Div("-7", "2"), "-3.5");
  EXPECT_EQ(Div("0", "5"), "0");
  EXPECT_EQ(Div("1", "0"), "Infinity");
  EXPECT_EQ(Div("0", "0"), "NaN");
}

TEST(Decimal128Arith, Specials) {
  EXPECT_EQ(Add("Infinity", "-Infinity"), "NaN");
  EXPECT_EQ(Add("Infinity", "5"), "Infinity");
  EXPECT_EQ(Add("NaN", "5"), "NaN");
  EXPECT_EQ(Mul("Infinity", "0"), "NaN");
  EXPECT_EQ(Mul("-Infinity", "2"), "-Infinity");
  EXPECT_EQ(Div("Infinity", "Infinity"), "NaN");
  EXPECT_EQ(Div("5", "Infinity"), "0E-6176");
}

TEST(Decimal128Arith, DoubleConversions) {
  EXPECT_EQ(Decimal128::FromDoubleExact(0.1).ToString(), "0.1000000000000000055511151231257827");
  EXPECT_EQ(Decimal128::FromDoubleExact(2.5).ToString(), "2.5");
  EXPECT_EQ(Decimal128::FromDoubleExact(-3.0).ToString(), "-3");
  EXPECT_EQ(Decimal128::FromDoubleRounded15(0.1).ToString(), "0.100000000000000");
  EXPECT_EQ(Decimal128::FromDoubleRounded15(1.0).ToString(), "1.00000000000000");
  EXPECT_EQ(Decimal128::FromDoubleRounded15(2.5).ToString(), "2.50000000000000");
  EXPECT_EQ(Decimal128::FromDoubleRounded15(-1234.5).ToString(), "-1234.50000000000");
  EXPECT_TRUE(Decimal128::FromDoubleRounded15(std::nan("")).IsNaN());
}

TEST(Decimal128Arith, RoundToExponent) {
  using R = Decimal128::Rounding;
  EXPECT_EQ(D("1.2345").RoundToExponent(-2, R::kHalfEven).ToString(), "1.23");
  EXPECT_EQ(D("1.235").RoundToExponent(-2, R::kHalfEven).ToString(), "1.24");
  EXPECT_EQ(D("1.225").RoundToExponent(-2, R::kHalfEven).ToString(), "1.22");
  EXPECT_EQ(D("1.2251").RoundToExponent(-2, R::kHalfEven).ToString(), "1.23");
  EXPECT_EQ(D("-1.5").RoundToExponent(0, R::kFloor).ToString(), "-2");
  EXPECT_EQ(D("1.5").RoundToExponent(0, R::kCeiling).ToString(), "2");
  EXPECT_EQ(D("-2.7").RoundToExponent(0, R::kTowardZero).ToString(), "-2");
  EXPECT_EQ(D("9.99").RoundToExponent(0, R::kHalfEven).ToString(), "10");
  EXPECT_EQ(D("0.004").RoundToExponent(-2, R::kHalfEven).ToString(), "0.00");
  EXPECT_EQ(D("1E+5").RoundToExponent(0, R::kFloor).ToString(), "100000");
  EXPECT_EQ(D("2.5").RoundToExponent(-3, R::kHalfEven).ToString(), "2.500");
  EXPECT_TRUE(D("1E+40").RoundToExponent(0, R::kHalfEven).IsNaN());
  EXPECT_EQ(D("1234").RoundToExponent(2, R::kHalfEven).ToString(), "1.2E+3");
}

// 4000 random operations whose results Python's decimal module computed in the decimal128
// context (tools/gen_decimal_cases.py): every digit, exponent and rounding must agree.
TEST(Decimal128Arith, AgreesWithTheReferenceImplementation) {
  std::string path = std::string(__FILE__);
  path = path.substr(0, path.rfind('/')) + "/testdata/decimal128_arith.txt";
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << path;
  std::string line;
  int checked = 0, failed = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string op, a, b, want;
    fields >> op >> a >> b >> want;
    Decimal128 x = D(a.c_str()), y = D(b.c_str());
    Decimal128 r = op == "add" ? x.Add(y) : op == "sub" ? x.Subtract(y) : op == "mul" ? x.Multiply(y) : x.Divide(y);
    ++checked;
    if (r.ToString() != want && failed++ < 20) ADD_FAILURE() << line << " got " << r.ToString();
  }
  EXPECT_EQ(failed, 0);
  EXPECT_GT(checked, 3500);
}

}  // namespace
}  // namespace dds::bson
