#include "update/arithmetic.h"

#include <cmath>
#include <cstdio>

namespace dds::update {

using bson::BsonElement;
using bson::BsonType;
using bson::Decimal128;

namespace {

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

bool ScaleUp(u128* c, int digits) {
  for (int i = 0; i < digits; ++i) {
    if (__builtin_mul_overflow(*c, static_cast<u128>(10), c)) return false;
  }
  return true;
}

std::optional<Decimal128> Make(bool negative, u128 coefficient, int exponent) {
  std::string s = negative ? "-" : "";
  s += U128ToString(coefficient);
  s += 'E';
  s += std::to_string(exponent);
  return Decimal128::FromString(s);
}

Decimal128 ToDecimal(const BsonElement& e) {
  switch (e.type()) {
    case BsonType::kDecimal128:
      return e.Decimal();
    case BsonType::kDouble:
      return Decimal128::FromDouble(e.Double());
    default:
      return Decimal128::FromInt64(*e.ExactInt64());
  }
}

bool Finite(const Decimal128& d) { return !d.IsNaN() && !d.IsInfinite(); }

}  // namespace

std::optional<Decimal128> DecimalAdd(const Decimal128& a, const Decimal128& b) {
  if (!Finite(a) || !Finite(b)) return std::nullopt;
  u128 ca, cb;
  int ea, eb;
  a.Decompose(&ca, &ea);
  b.Decompose(&cb, &eb);
  int e = std::min(ea, eb);
  if (!ScaleUp(&ca, ea - e) || !ScaleUp(&cb, eb - e)) return std::nullopt;
  bool na = a.IsNegative(), nb = b.IsNegative();
  if (na == nb) {
    u128 sum;
    if (__builtin_add_overflow(ca, cb, &sum)) return std::nullopt;
    return Make(na, sum, e);
  }
  if (ca == cb) return Make(false, 0, e);
  return ca > cb ? Make(na, ca - cb, e) : Make(nb, cb - ca, e);
}

std::optional<Decimal128> DecimalMultiply(const Decimal128& a, const Decimal128& b) {
  if (!Finite(a) || !Finite(b)) return std::nullopt;
  u128 ca, cb, product;
  int ea, eb;
  a.Decompose(&ca, &ea);
  b.Decompose(&cb, &eb);
  if (__builtin_mul_overflow(ca, cb, &product)) return std::nullopt;
  return Make(a.IsNegative() != b.IsNegative(), product, ea + eb);
}

std::optional<agg::Value> ApplyArithmetic(const BsonElement& a, const BsonElement& b, bool multiply) {
  BsonType ta = a.type(), tb = b.type();
  if (ta == BsonType::kDecimal128 || tb == BsonType::kDecimal128) {
    Decimal128 da = ToDecimal(a), db = ToDecimal(b);
    std::optional<Decimal128> r = multiply ? DecimalMultiply(da, db) : DecimalAdd(da, db);
    if (r) return agg::Value::Decimal(*r);
    // Non-finite operands, or beyond 34 digits: through double (docs/known-differences.md).
    double x = da.ToDouble(), y = db.ToDouble();
    return agg::Value::Decimal(Decimal128::FromDouble(multiply ? x * y : x + y));
  }
  if (ta == BsonType::kDouble || tb == BsonType::kDouble) {
    double x = a.NumberDouble(), y = b.NumberDouble();
    return agg::Value::Double(multiply ? x * y : x + y);
  }
  int64_t x = *a.ExactInt64(), y = *b.ExactInt64(), r;
  bool overflow = multiply ? __builtin_mul_overflow(x, y, &r) : __builtin_add_overflow(x, y, &r);
  if (overflow) return std::nullopt;
  if (ta == BsonType::kInt32 && tb == BsonType::kInt32 && r >= INT32_MIN && r <= INT32_MAX) {
    return agg::Value::Int32(static_cast<int32_t>(r));
  }
  return agg::Value::Int64(r);
}

std::string SafeNumDebugString(const BsonElement& e) {
  switch (e.type()) {
    case BsonType::kInt32:
      return "(NumberInt)" + std::to_string(e.Int32());
    case BsonType::kInt64:
      return "(NumberLong)" + std::to_string(e.Int64());
    case BsonType::kDouble: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", e.Double());
      return std::string("(NumberDouble)") + buf;
    }
    case BsonType::kDecimal128:
      return "(NumberDecimal)" + e.Decimal().ToString();
    default:
      return "(EOO)";
  }
}

bool NumbersIdentical(const BsonElement& a, const BsonElement& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case BsonType::kInt32:
      return a.Int32() == b.Int32();
    case BsonType::kInt64:
      return a.Int64() == b.Int64();
    case BsonType::kDouble:
      return a.Double() == b.Double();
    case BsonType::kDecimal128: {
      Decimal128 x = a.Decimal(), y = b.Decimal();
      if (x.IsNaN() || y.IsNaN()) return false;
      return bson::CompareExact(bson::ExactDecimal::FromDecimal(x), bson::ExactDecimal::FromDecimal(y)) == 0;
    }
    default:
      return false;
  }
}

}  // namespace dds::update
