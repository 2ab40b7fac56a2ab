// Decimal128: the IEEE 754-2008 128-bit decimal (BID encoding) that BSON stores, with exact
// conversion to and from strings, exact comparison against other numbers, and the four arithmetic
// operations with IEEE 754-2008 rounding (round-half-even to 34 digits), as mongod computes them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dds::bson {

class Decimal128 {
 public:
  Decimal128() = default;
  Decimal128(uint64_t low, uint64_t high) : low_(low), high_(high) {}
  static Decimal128 FromInt64(int64_t v);
  // Returns the decimal closest to `v` with at most 15 significant digits (as mongod's
  // NumberDecimal(double) does).
  static Decimal128 FromDouble(double v);
  // Returns `v` with exactly 15 significant digits, trailing zeros kept (mongod's default
  // Decimal128(double): NumberDecimal(0.1) is 0.100000000000000, {$inc: {dec: 0.1}} adds that).
  static Decimal128 FromDoubleRounded15(double v);
  // Returns the exact binary value of `v` rounded to 34 significant digits (mongod's
  // kRoundTo34Digits: how a double joins decimal arithmetic, e.g. {$inc: {dec: 0.1}}).
  static Decimal128 FromDoubleExact(double v);
  // Parses "1.5", "-0", "1E+3", "NaN", "Infinity", "-Inf"...; nullopt when malformed or when the
  // value cannot be represented without rounding more than 34 digits.
  static std::optional<Decimal128> FromString(std::string_view s);

  uint64_t low() const { return low_; }
  uint64_t high() const { return high_; }

  bool IsNaN() const;
  bool IsInfinite() const;
  bool IsNegative() const { return high_ >> 63; }
  bool IsZero() const;

  // Returns the string form of the decimal128 specification ("1.5", "1.5E+10", "NaN", "-Infinity").
  std::string ToString() const;
  // Returns the nearest double.
  double ToDouble() const;

  // Splits a finite value into coefficient and exponent: value = coefficient * 10^exponent.
  // REQUIRES: !IsNaN() && !IsInfinite()
  void Decompose(unsigned __int128* coefficient, int* exponent) const;

  // IEEE 754-2008 arithmetic: the exact result rounded half-even to 34 digits, with the ideal
  // exponent when it is exact (1.10 + 2.205 = 3.305; 1.0 * 2 = 2.0; 6 / 3 = 2), overflow to
  // +-Infinity and gradual underflow to zero. NaN in gives NaN; Inf - Inf, 0 * Inf, 0 / 0 and
  // Inf / Inf give NaN; x / 0 gives +-Infinity (callers that must refuse it check first).
  Decimal128 Add(const Decimal128& other) const;
  Decimal128 Subtract(const Decimal128& other) const;
  Decimal128 Multiply(const Decimal128& other) const;
  Decimal128 Divide(const Decimal128& other) const;
  enum class Rounding { kHalfEven, kFloor, kCeiling, kTowardZero };
  // IEEE quantize: the value rounded to a multiple of 10^exponent and written with exactly that
  // exponent (coarser values gain trailing zeros: 1E+2 becomes 100; NaN when that needs more than
  // 34 digits). $round / $trunc to a place is RoundToExponent(-place, ...), $floor / $ceil 0.
  Decimal128 RoundToExponent(int exponent, Rounding rounding) const;
  Decimal128 Abs() const { return Decimal128(low_, high_ & ~(1ULL << 63)); }
  Decimal128 Negate() const { return Decimal128(low_, high_ ^ (1ULL << 63)); }

  friend bool operator==(const Decimal128& a, const Decimal128& b) {
    return a.low_ == b.low_ && a.high_ == b.high_;
  }

 private:
  uint64_t low_ = 0;
  uint64_t high_ = 0x3040000000000000ULL;  // +0E+0
};

// An exact decimal number for comparisons across numeric types: value = 0.digits * 10^exponent,
// digits without leading or trailing zeros (empty for zero).
struct ExactDecimal {
  enum class Kind { kNaN, kNegInf, kFinite, kPosInf };
  Kind kind = Kind::kFinite;
  bool negative = false;
  std::string digits;
  int exponent = 0;

  static ExactDecimal FromDouble(double v);
  static ExactDecimal FromInt64(int64_t v);
  static ExactDecimal FromDecimal(const Decimal128& d);
};

// Returns <0, 0, >0. NaN sorts below every other number and equals NaN (MongoDB's order).
int CompareExact(const ExactDecimal& a, const ExactDecimal& b);

}  // namespace dds::bson
