#include <cmath>

#include "bson/decimal128.h"
#include "test_util.h"

namespace dds::bson {
namespace {

std::string RoundTrip(std::string_view s) {
  auto d = Decimal128::FromString(s);
  return d ? d->ToString() : "<invalid>";
}

// Expected strings follow the decimal128 to-string rules of the BSON corpus specification.
TEST(Decimal128, ToStringFollowsTheSpecification) {
  EXPECT_EQ(RoundTrip("0"), "0");
  EXPECT_EQ(RoundTrip("-0"), "-0");
  EXPECT_EQ(RoundTrip("1"), "1");
  EXPECT_EQ(RoundTrip("-1"), "-1");
  EXPECT_EQ(RoundTrip("0.1"), "0.1");
  EXPECT_EQ(RoundTrip("1.5"), "1.5");
  EXPECT_EQ(RoundTrip("1.50"), "1.50");
  EXPECT_EQ(RoundTrip("12345678901234567890123456789012.34"), "12345678901234567890123456789012.34");
  EXPECT_EQ(RoundTrip("1E+3"), "1E+3");
  EXPECT_EQ(RoundTrip("1000"), "1000");
  EXPECT_EQ(RoundTrip("0.000001"), "0.000001");
  EXPECT_EQ(RoundTrip("0.0000001"), "1E-7");
  EXPECT_EQ(RoundTrip("1.23E-10"), "1.23E-10");
  EXPECT_EQ(RoundTrip("0E+3"), "0E+3");
  EXPECT_EQ(RoundTrip("NaN"), "NaN");
  EXPECT_EQ(RoundTrip("Infinity"), "Infinity");
  EXPECT_EQ(RoundTrip("-Inf"), "-Infinity");
  EXPECT_EQ(RoundTrip("9.999999999999999999999999999999999E+6144"),
            "9.999999999999999999999999999999999E+6144");
  EXPECT_EQ(RoundTrip("1E-6176"), "1E-6176");
}

TEST(Decimal128, RejectsMalformedStrings) {
  EXPECT_EQ(RoundTrip(""), "<invalid>");
  EXPECT_EQ(RoundTrip("abc"), "<invalid>");
  EXPECT_EQ(RoundTrip("1.2.3"), "<invalid>");
  EXPECT_EQ(RoundTrip("1E"), "<invalid>");
  EXPECT_EQ(RoundTrip("1E+99999"), "<invalid>");
  EXPECT_EQ(RoundTrip("12345678901234567890123456789012345"), "<invalid>");
}

TEST(Decimal128, KnownBitPatterns) {
  // 1 is coefficient 1 with exponent 0: high word 0x3040000000000000.
  auto one = Decimal128::FromString("1");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->high(), 0x3040000000000000ULL);
  EXPECT_EQ(one->low(), 1u);
  EXPECT_EQ(Decimal128::FromInt64(-5).ToString(), "-5");
  EXPECT_EQ(Decimal128::FromInt64(INT64_MIN).ToString(), "-9223372036854775808");
  EXPECT_EQ(Decimal128::FromDouble(0.1).ToString(), "0.1");
  EXPECT_TRUE(Decimal128::FromDouble(std::nan("")).IsNaN());
  EXPECT_TRUE(Decimal128().IsZero());
}

TEST(Decimal128, ToDouble) {
  EXPECT_DOUBLE_EQ(Decimal128::FromString("2.5")->ToDouble(), 2.5);
  EXPECT_TRUE(std::isinf(Decimal128::FromString("-Infinity")->ToDouble()));
}

TEST(ExactDecimal, ComparesAcrossRepresentations) {
  auto dec = [](const char* s) { return ExactDecimal::FromDecimal(*Decimal128::FromString(s)); };
  EXPECT_EQ(CompareExact(dec("1.0"), ExactDecimal::FromInt64(1)), 0);
  EXPECT_EQ(CompareExact(dec("100"), dec("1E+2")), 0);
  // double 0.1 is slightly above decimal 0.1.
  EXPECT_GT(CompareExact(ExactDecimal::FromDouble(0.1), dec("0.1")), 0);
  EXPECT_LT(CompareExact(dec("-2"), ExactDecimal::FromDouble(-1.5)), 0);
  EXPECT_LT(CompareExact(dec("NaN"), dec("-Infinity")), 0);
  EXPECT_EQ(CompareExact(dec("NaN"), ExactDecimal::FromDouble(std::nan(""))), 0);
  EXPECT_GT(CompareExact(dec("Infinity"), dec("9.999999999999999999999999999999999E+6144")), 0);
  EXPECT_EQ(CompareExact(dec("-0"), ExactDecimal::FromDouble(0.0)), 0);
  EXPECT_GT(CompareExact(ExactDecimal::FromInt64(INT64_MAX), ExactDecimal::FromDouble(9.2e18)), 0);
}

}  // namespace
}  // namespace dds::bson
