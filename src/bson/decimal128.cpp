#include "bson/decimal128.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace dds::bson {
namespace {

constexpr int kExponentBias = 6176;
constexpr int kMaxExponent = 6111;
constexpr int kMinExponent = -6176;
constexpr uint64_t kCombinationMask = 0x1F;
constexpr uint64_t kInfinityBits = 0x7800000000000000ULL;
constexpr uint64_t kNaNBits = 0x7C00000000000000ULL;

using u128 = unsigned __int128;

std::string U128ToString(u128 v) {
  if (v == 0) return "0";
  std::string s;
  while (v > 0) {
    s.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  return std::string(s.rbegin(), s.rend());
}

Decimal128 Compose(bool negative, u128 coefficient, int exponent) {
  uint64_t biased = static_cast<uint64_t>(exponent + kExponentBias);
  uint64_t high = static_cast<uint64_t>(coefficient >> 64) & 0x1FFFFFFFFFFFFULL;
  high |= biased << 49;
  if (negative) high |= 1ULL << 63;
  return Decimal128(static_cast<uint64_t>(coefficient), high);
}

const u128 kMaxCoefficient = [] {
  u128 v = 1;
  for (int i = 0; i < 34; ++i) v *= 10;
  return v - 1;
}();

// A finite operand of the arithmetic: value = (-1)^negative * digits * 10^exponent, where
// `digits` is a decimal digit string without leading zeros ("" for zero).
struct Unpacked {
  bool negative = false;
  std::string digits;
  int exponent = 0;
};

Unpacked Unpack(const Decimal128& d) {
  Unpacked u;
  u128 coefficient;
  d.Decompose(&coefficient, &u.exponent);
  u.negative = d.IsNegative();
  if (coefficient != 0) u.digits = U128ToString(coefficient);
  return u;
}

void StripLeadingZeros(std::string* digits) {
  size_t nz = digits->find_first_not_of('0');
  digits->erase(0, nz == std::string::npos ? digits->size() : nz);
}

// Magnitude comparison of two digit strings without leading zeros.
int CompareDigits(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  int c = a.compare(b);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

std::string AddDigits(const std::string& a, const std::string& b) {
  std::string out;
  int carry = 0;
  for (size_t i = 0; i < std::max(a.size(), b.size()) || carry; ++i) {
    int x = carry;
    if (i < a.size()) x += a[a.size() - 1 - i] - '0';
    if (i < b.size()) x += b[b.size() - 1 - i] - '0';
    out.push_back(static_cast<char>('0' + x % 10));
    carry = x / 10;
  }
  std::reverse(out.begin(), out.end());
  StripLeadingZeros(&out);
  return out;
}

// a - b for a >= b.
std::string SubtractDigits(const std::string& a, const std::string& b) {
  std::string out;
  int borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    int x = (a[a.size() - 1 - i] - '0') - borrow;
    if (i < b.size()) x -= b[b.size() - 1 - i] - '0';
    borrow = x < 0;
    out.push_back(static_cast<char>('0' + (x + 10) % 10));
  }
  std::reverse(out.begin(), out.end());
  StripLeadingZeros(&out);
  return out;
}

std::string MultiplyDigits(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return std::string();
  std::vector<int> acc(a.size() + b.size(), 0);
  for (size_t i = a.size(); i-- > 0;) {
    for (size_t j = b.size(); j-- > 0;) acc[i + j + 1] += (a[i] - '0') * (b[j] - '0');
  }
  for (size_t k = acc.size(); k-- > 1;) {
    acc[k - 1] += acc[k] / 10;
    acc[k] %= 10;
  }
  std::string out;
  for (int d : acc) out.push_back(static_cast<char>('0' + d));
  StripLeadingZeros(&out);
  return out;
}

// Rounds the exact value (-1)^negative * digits * 10^exponent (plus a nonzero amount below the
// last digit when `sticky`) half-even into a Decimal128: at most 34 digits, exponent within
// [kMinExponent, kMaxExponent], overflow to Infinity.
Decimal128 RoundAndCompose(bool negative, std::string digits, int exponent, bool sticky) {
  StripLeadingZeros(&digits);
  int drop = std::max(static_cast<int>(digits.size()) - 34, kMinExponent - exponent);
  if (drop > 0) {
    bool above_half = false, exactly_half = false;
    if (drop <= static_cast<int>(digits.size())) {
      size_t keep = digits.size() - static_cast<size_t>(drop);
      char first = digits[keep];
      bool rest_nonzero = sticky || digits.find_first_not_of('0', keep + 1) != std::string::npos;
      above_half = first > '5' || (first == '5' && rest_nonzero);
      exactly_half = first == '5' && !rest_nonzero;
      digits.resize(keep);
    } else {
      digits.clear();  // everything is below half of the last kept unit
    }
    exponent += drop;
    bool odd = !digits.empty() && ((digits.back() - '0') & 1);
    if (above_half || (exactly_half && odd)) {
      digits = AddDigits(digits, "1");
      if (digits.size() > 34) {  // 999...9 + 1: one more zero to drop
        digits.pop_back();
        ++exponent;
      }
    }
  }
  StripLeadingZeros(&digits);
  if (digits.empty()) return Compose(negative, 0, std::clamp(exponent, kMinExponent, kMaxExponent));
  while (exponent > kMaxExponent && digits.size() < 34) {
    digits.push_back('0');
    --exponent;
  }
  if (exponent > kMaxExponent) return Decimal128(0, kInfinityBits | (negative ? 1ULL << 63 : 0));
  u128 coefficient = 0;
  for (char c : digits) coefficient = coefficient * 10 + static_cast<u128>(c - '0');
  return Compose(negative, coefficient, exponent);
}

Decimal128 NaN() { return Decimal128(0, kNaNBits); }
Decimal128 Infinity(bool negative) {
  return Decimal128(0, kInfinityBits | (negative ? 1ULL << 63 : 0));
}

}  // namespace

Decimal128 Decimal128::FromDoubleExact(double v) {
  if (std::isnan(v)) return NaN();
  if (std::isinf(v)) return Infinity(v < 0);
  ExactDecimal exact = ExactDecimal::FromDouble(v);
  // exact: 0.digits * 10^exponent.
  int exponent = exact.exponent - static_cast<int>(exact.digits.size());
  if (exact.digits.empty()) return Compose(std::signbit(v), 0, 0);
  return RoundAndCompose(exact.negative, exact.digits, exponent, false);
}

Decimal128 Decimal128::FromDoubleRounded15(double v) {
  if (std::isnan(v) || std::isinf(v) || v == 0) return FromDouble(v);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.14e", v);  // d.dddddddddddddde+XX: 15 significant digits
  return FromString(buf).value_or(Decimal128());
}

Decimal128 Decimal128::RoundToExponent(int target, Rounding rounding) const {
  if (IsNaN() || IsInfinite()) return *this;
  Unpacked u = Unpack(*this);
  if (u.exponent >= target) {
    if (u.digits.empty()) return Compose(u.negative, 0, std::clamp(target, kMinExponent, kMaxExponent));
    if (static_cast<int>(u.digits.size()) + (u.exponent - target) > 34) return NaN();
    u.digits.append(static_cast<size_t>(u.exponent - target), '0');
    return RoundAndCompose(u.negative, u.digits, target, false);
  }
  int drop = target - u.exponent;
  bool nonzero_dropped;
  std::string kept;
  char first = '0';
  if (drop > static_cast<int>(u.digits.size())) {
    nonzero_dropped = !u.digits.empty();
  } else {
    size_t keep = u.digits.size() - static_cast<size_t>(drop);
    kept = u.digits.substr(0, keep);
    first = u.digits[keep];
    nonzero_dropped = u.digits.find_first_not_of('0', keep) != std::string::npos;
  }
  bool up = false;  // away from zero
  switch (rounding) {
    case Rounding::kHalfEven: {
      bool rest = drop <= static_cast<int>(u.digits.size()) &&
                  u.digits.find_first_not_of('0', u.digits.size() - drop + 1) != std::string::npos;
      bool odd = !kept.empty() && ((kept.back() - '0') & 1);
      up = first > '5' || (first == '5' && (rest || odd));
      break;
    }
    case Rounding::kFloor: up = nonzero_dropped && u.negative; break;
    case Rounding::kCeiling: up = nonzero_dropped && !u.negative; break;
    case Rounding::kTowardZero: break;
  }
  if (up) kept = AddDigits(kept, "1");
  StripLeadingZeros(&kept);
  return RoundAndCompose(u.negative, kept, target, false);
}

Decimal128 Decimal128::Add(const Decimal128& other) const {
  if (IsNaN() || other.IsNaN()) return NaN();
  if (IsInfinite() || other.IsInfinite()) {
    if (IsInfinite() && other.IsInfinite() && IsNegative() != other.IsNegative()) return NaN();
    return IsInfinite() ? *this : other;
  }
  Unpacked a = Unpack(*this), b = Unpack(other);
  if (a.exponent < b.exponent) std::swap(a, b);  // a has the larger exponent
  int ideal = b.exponent;
  if (a.digits.empty()) {
    if (!b.digits.empty()) return RoundAndCompose(b.negative, b.digits, b.exponent, false);
    // 0 + 0: negative only when both are (round-half-even mode).
    return Compose(a.negative && b.negative, 0, ideal);
  }
  // Beyond 70 digits of alignment the smaller operand only decides rounding (its magnitude is
  // below half a unit of the 34th digit of the result): keep it as a tiny nonzero of its sign.
  constexpr int kMaxShift = 70;
  if (a.exponent - b.exponent > kMaxShift) {
    if (!b.digits.empty()) b.digits = "1";
    b.exponent = a.exponent - kMaxShift;
  }
  std::string aligned = a.digits + std::string(static_cast<size_t>(a.exponent - b.exponent), '0');
  if (a.negative == b.negative) {
    return RoundAndCompose(a.negative, AddDigits(aligned, b.digits), b.exponent, false);
  }
  int c = CompareDigits(aligned, b.digits);
  if (c == 0) return Compose(false, 0, std::max(ideal, kMinExponent));
  if (c > 0) return RoundAndCompose(a.negative, SubtractDigits(aligned, b.digits), b.exponent, false);
  return RoundAndCompose(b.negative, SubtractDigits(b.digits, aligned), b.exponent, false);
}

Decimal128 Decimal128::Subtract(const Decimal128& other) const {
  if (other.IsNaN()) return NaN();
  return Add(other.Negate());
}

Decimal128 Decimal128::Multiply(const Decimal128& other) const {
  bool negative = IsNegative() != other.IsNegative();
  if (IsNaN() || other.IsNaN()) return NaN();
  if (IsInfinite() || other.IsInfinite()) {
    if ((!IsInfinite() && IsZero()) || (!other.IsInfinite() && other.IsZero())) return NaN();
    return Infinity(negative);
  }
  Unpacked a = Unpack(*this), b = Unpack(other);
  return RoundAndCompose(negative, MultiplyDigits(a.digits, b.digits), a.exponent + b.exponent,
                         false);
}

Decimal128 Decimal128::Divide(const Decimal128& other) const {
  bool negative = IsNegative() != other.IsNegative();
  if (IsNaN() || other.IsNaN()) return NaN();
  if (IsInfinite()) return other.IsInfinite() ? NaN() : Infinity(negative);
  if (other.IsInfinite()) return Compose(negative, 0, kMinExponent);
  Unpacked a = Unpack(*this), b = Unpack(other);
  if (b.digits.empty()) return a.digits.empty() ? NaN() : Infinity(negative);
  int ideal = a.exponent - b.exponent;
  if (a.digits.empty()) return RoundAndCompose(negative, "", ideal, false);
  // Long division, one decimal digit at a time: the remainder stays below the divisor (< 10^34),
  // so remainder * 10 + digit fits in 128 bits. 36 quotient digits leave room to round.
  u128 divisor = 0;
  for (char c : b.digits) divisor = divisor * 10 + static_cast<u128>(c - '0');
  int scale = std::max(0, 36 + static_cast<int>(b.digits.size()) - static_cast<int>(a.digits.size()));
  std::string dividend = a.digits + std::string(static_cast<size_t>(scale), '0');
  std::string quotient;
  u128 remainder = 0;
  for (char c : dividend) {
    remainder = remainder * 10 + static_cast<u128>(c - '0');
    quotient.push_back(static_cast<char>('0' + static_cast<int>(remainder / divisor)));
    remainder %= divisor;
  }
  StripLeadingZeros(&quotient);
  int exponent = ideal - scale;
  if (remainder == 0) {
    // Exact: as close to the ideal exponent as the digits allow (6 / 3 = 2, not 2.000...).
    while (exponent < ideal && !quotient.empty() && quotient.back() == '0') {
      quotient.pop_back();
      ++exponent;
    }
  }
  return RoundAndCompose(negative, quotient, exponent, remainder != 0);
}

Decimal128 Decimal128::FromInt64(int64_t v) {
  bool negative = v < 0;
  u128 magnitude = negative ? static_cast<u128>(-(v + 1)) + 1 : static_cast<u128>(v);
  return Compose(negative, magnitude, 0);
}

Decimal128 Decimal128::FromDouble(double v) {
  if (std::isnan(v)) return Decimal128(0, kNaNBits);
  if (std::isinf(v)) return Decimal128(0, kInfinityBits | (v < 0 ? 1ULL << 63 : 0));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return FromString(buf).value_or(Decimal128());
}

std::optional<Decimal128> Decimal128::FromString(std::string_view s) {
  bool negative = false;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  std::string_view rest = s.substr(i);
  auto iequals = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t k = 0; k < a.size(); ++k) {
      if (std::tolower(static_cast<unsigned char>(a[k])) != b[k]) return false;
    }
    return true;
  };
  if (iequals(rest, "nan")) return Decimal128(0, kNaNBits);
  if (iequals(rest, "inf") || iequals(rest, "infinity")) {
    return Decimal128(0, kInfinityBits | (negative ? 1ULL << 63 : 0));
  }
  std::string digits;
  int exponent = 0;
  bool seen_dot = false, seen_digit = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      seen_digit = true;
      if (!(digits.empty() && c == '0')) digits.push_back(c);
      if (seen_dot) --exponent;
    } else if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else {
      break;
    }
  }
  if (!seen_digit) return std::nullopt;
  if (i < s.size()) {
    if (s[i] != 'e' && s[i] != 'E') return std::nullopt;
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
    if (i >= s.size()) return std::nullopt;
    long long e = 0;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      e = e * 10 + (s[i] - '0');
      if (e > 100000) return std::nullopt;
    }
    exponent += static_cast<int>(exp_negative ? -e : e);
  }
  // Drop trailing zeros only when the exponent would otherwise overflow or digits exceed 34.
  while (digits.size() > 34 && digits.back() == '0') {
    digits.pop_back();
    ++exponent;
  }
  if (digits.size() > 34) return std::nullopt;
  if (digits.empty()) {
    exponent = std::clamp(exponent, kMinExponent, kMaxExponent);
    return Compose(negative, 0, exponent);
  }
  while (exponent > kMaxExponent && digits.size() < 34) {
    digits.push_back('0');
    --exponent;
  }
  while (exponent < kMinExponent && !digits.empty() && digits.back() == '0') {
    digits.pop_back();
    ++exponent;
  }
  if (exponent > kMaxExponent || exponent < kMinExponent) return std::nullopt;
  u128 coefficient = 0;
  for (char c : digits) coefficient = coefficient * 10 + static_cast<u128>(c - '0');
  return Compose(negative, coefficient, exponent);
}

bool Decimal128::IsNaN() const { return ((high_ >> 58) & kCombinationMask) == 0x1F; }

bool Decimal128::IsInfinite() const { return ((high_ >> 58) & kCombinationMask) == 0x1E; }

void Decimal128::Decompose(u128* coefficient, int* exponent) const {
  uint64_t combination = (high_ >> 58) & kCombinationMask;
  int biased;
  u128 coeff;
  if ((combination >> 3) == 3) {
    // 11-prefixed form: the implied coefficient exceeds the maximum, so it is non-canonical zero.
    biased = static_cast<int>((high_ >> 47) & 0x3FFF);
    coeff = 0;
  } else {
    biased = static_cast<int>((high_ >> 49) & 0x3FFF);
    coeff = (static_cast<u128>(high_ & 0x1FFFFFFFFFFFFULL) << 64) | low_;
    if (coeff > kMaxCoefficient) coeff = 0;
  }
  *coefficient = coeff;
  *exponent = biased - kExponentBias;
}

bool Decimal128::IsZero() const {
  if (IsNaN() || IsInfinite()) return false;
  u128 c;
  int e;
  Decompose(&c, &e);
  return c == 0;
}

std::string Decimal128::ToString() const {
  if (IsNaN()) return "NaN";
  if (IsInfinite()) return IsNegative() ? "-Infinity" : "Infinity";
  u128 coefficient;
  int exponent;
  Decompose(&coefficient, &exponent);
  std::string digits = U128ToString(coefficient);
  std::string out = IsNegative() ? "-" : "";
  int adjusted = exponent + static_cast<int>(digits.size()) - 1;
  if (exponent > 0 || adjusted < -6) {
    // Scientific notation.
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += 'E';
    out += adjusted >= 0 ? "+" : "-";
    out += std::to_string(std::abs(adjusted));
    return out;
  }
  if (exponent == 0) return out + digits;
  int point = static_cast<int>(digits.size()) + exponent;  // digits before the point
  if (point > 0) {
    out += digits.substr(0, point) + "." + digits.substr(point);
  } else {
    out += "0." + std::string(-point, '0') + digits;
  }
  return out;
}

double Decimal128::ToDouble() const {
  if (IsNaN()) return std::nan("");
  if (IsInfinite()) return IsNegative() ? -HUGE_VAL : HUGE_VAL;
  return std::strtod(ToString().c_str(), nullptr);
}

namespace {

ExactDecimal FromDigitString(bool negative, std::string digits, int exponent_of_last_digit) {
  ExactDecimal d;
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return d;  // zero
  digits.erase(0, first);
  size_t last = digits.find_last_not_of('0');
  exponent_of_last_digit += static_cast<int>(digits.size() - 1 - last);
  digits.erase(last + 1);
  d.negative = negative;
  d.exponent = exponent_of_last_digit + static_cast<int>(digits.size());
  d.digits = std::move(digits);
  return d;
}

}  // namespace

ExactDecimal ExactDecimal::FromDouble(double v) {
  ExactDecimal d;
  if (std::isnan(v)) {
    d.kind = Kind::kNaN;
    return d;
  }
  if (std::isinf(v)) {
    d.kind = v > 0 ? Kind::kPosInf : Kind::kNegInf;
    return d;
  }
  if (v == 0) return d;
  if (v == std::trunc(v) && std::fabs(v) < 9.2e18) return FromInt64(static_cast<int64_t>(v));
  // glibc prints the exact binary value when asked for enough digits (at most 767 significant).
  char buf[1100];
  std::snprintf(buf, sizeof buf, "%.770e", std::fabs(v));
  const char* e = std::strchr(buf, 'e');
  std::string digits;
  for (const char* p = buf; p < e; ++p) {
    if (*p != '.') digits.push_back(*p);
  }
  int exp10 = std::atoi(e + 1);
  return FromDigitString(v < 0, digits, exp10 - static_cast<int>(digits.size()) + 1);
}

ExactDecimal ExactDecimal::FromInt64(int64_t v) {
  bool negative = v < 0;
  u128 magnitude = negative ? static_cast<u128>(-(v + 1)) + 1 : static_cast<u128>(v);
  return FromDigitString(negative, U128ToString(magnitude), 0);
}

ExactDecimal ExactDecimal::FromDecimal(const Decimal128& dec) {
  ExactDecimal d;
  if (dec.IsNaN()) {
    d.kind = Kind::kNaN;
    return d;
  }
  if (dec.IsInfinite()) {
    d.kind = dec.IsNegative() ? Kind::kNegInf : Kind::kPosInf;
    return d;
  }
  u128 coefficient;
  int exponent;
  dec.Decompose(&coefficient, &exponent);
  return FromDigitString(dec.IsNegative(), U128ToString(coefficient), exponent);
}

int CompareExact(const ExactDecimal& a, const ExactDecimal& b) {
  using Kind = ExactDecimal::Kind;
  if (a.kind != b.kind || a.kind != Kind::kFinite) {
    return static_cast<int>(a.kind) - static_cast<int>(b.kind);
  }
  auto sign = [](const ExactDecimal& x) { return x.digits.empty() ? 0 : (x.negative ? -1 : 1); };
  int sa = sign(a), sb = sign(b);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  int magnitude;
  if (a.exponent != b.exponent) {
    magnitude = a.exponent < b.exponent ? -1 : 1;
  } else {
    int c = a.digits.compare(b.digits);
    magnitude = c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return sa > 0 ? magnitude : -magnitude;
}

}  // namespace dds::bson
