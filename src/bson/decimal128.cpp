#include "bson/decimal128.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

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

}  // namespace

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
