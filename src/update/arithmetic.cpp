#include "update/arithmetic.h"

#include <cstdio>

namespace dds::update {

using bson::BsonElement;
using bson::BsonType;
using bson::Decimal128;

namespace {

Decimal128 ToDecimal(const BsonElement& e) {
  switch (e.type()) {
    case BsonType::kDecimal128:
      return e.Decimal();
    case BsonType::kDouble:
      return Decimal128::FromDoubleRounded15(e.Double());
    default:
      return Decimal128::FromInt64(*e.ExactInt64());
  }
}

}  // namespace

std::optional<agg::Value> ApplyArithmetic(const BsonElement& a, const BsonElement& b, bool multiply) {
  BsonType ta = a.type(), tb = b.type();
  if (ta == BsonType::kDecimal128 || tb == BsonType::kDecimal128) {
    Decimal128 da = ToDecimal(a), db = ToDecimal(b);
    return agg::Value::Decimal(multiply ? da.Multiply(db) : da.Add(db));
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
