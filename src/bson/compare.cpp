#include "bson/compare.h"

#include <cmath>
#include <cstring>

namespace dds::bson {
namespace {

template <typename T>
int Cmp(T a, T b) {
  return a < b ? -1 : (a > b ? 1 : 0);
}

int CompareBytes(std::string_view a, std::string_view b) {
  int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  if (c != 0) return c < 0 ? -1 : 1;
  return Cmp(a.size(), b.size());
}

// Compares an int64 with a double exactly (NaN lowest).
int CompareInt64Double(int64_t a, double b) {
  if (std::isnan(b)) return 1;
  if (b >= 9223372036854775808.0) return -1;
  if (b < -9223372036854775808.0) return 1;
  double truncated = std::trunc(b);
  int64_t bi = static_cast<int64_t>(truncated);
  if (a != bi) return Cmp(a, bi);
  return Cmp(0.0, b - truncated);
}

int CompareDoubles(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return Cmp(std::isnan(a) ? 0 : 1, std::isnan(b) ? 0 : 1);
  return Cmp(a, b);
}

ExactDecimal ToExact(const BsonElement& e) {
  switch (e.type()) {
    case BsonType::kInt32: return ExactDecimal::FromInt64(e.Int32());
    case BsonType::kInt64: return ExactDecimal::FromInt64(e.Int64());
    case BsonType::kDouble: return ExactDecimal::FromDouble(e.Double());
    default: return ExactDecimal::FromDecimal(e.Decimal());
  }
}

}  // namespace

int CompareNumbers(const BsonElement& a, const BsonElement& b) {
  BsonType ta = a.type(), tb = b.type();
  if (ta == BsonType::kDecimal128 || tb == BsonType::kDecimal128) {
    return CompareExact(ToExact(a), ToExact(b));
  }
  bool a_double = ta == BsonType::kDouble, b_double = tb == BsonType::kDouble;
  if (a_double && b_double) return CompareDoubles(a.Double(), b.Double());
  if (!a_double && !b_double) {
    int64_t x = ta == BsonType::kInt32 ? a.Int32() : a.Int64();
    int64_t y = tb == BsonType::kInt32 ? b.Int32() : b.Int64();
    return Cmp(x, y);
  }
  if (a_double) {
    int64_t y = tb == BsonType::kInt32 ? b.Int32() : b.Int64();
    return -CompareInt64Double(y, a.Double());
  }
  int64_t x = ta == BsonType::kInt32 ? a.Int32() : a.Int64();
  return CompareInt64Double(x, b.Double());
}

int CompareElementValues(const BsonElement& a, const BsonElement& b) {
  BsonType ta = a.type(), tb = b.type();
  int ra = CanonicalTypeRank(ta), rb = CanonicalTypeRank(tb);
  if (ra != rb) return Cmp(ra, rb);
  switch (ta) {
    case BsonType::kEoo:
    case BsonType::kUndefined:
    case BsonType::kNull:
    case BsonType::kMinKey:
    case BsonType::kMaxKey: return 0;
    case BsonType::kInt32:
    case BsonType::kInt64:
    case BsonType::kDouble:
    case BsonType::kDecimal128: return CompareNumbers(a, b);
    case BsonType::kString:
    case BsonType::kSymbol: return CompareBytes(a.String(), b.String());
    case BsonType::kObject:
    case BsonType::kArray: return CompareDocuments(a.Object(), b.Object());
    case BsonType::kBinData: {
      std::string_view da = a.BinData(), db = b.BinData();
      if (da.size() != db.size()) return Cmp(da.size(), db.size());
      if (a.BinSubtype() != b.BinSubtype()) return Cmp(a.BinSubtype(), b.BinSubtype());
      return CompareBytes(da, db);
    }
    case BsonType::kObjectId:
      return CompareBytes(std::string_view(a.value(), 12), std::string_view(b.value(), 12));
    case BsonType::kBool: return Cmp(a.Bool(), b.Bool());
    case BsonType::kDate: return Cmp(a.Date(), b.Date());
    case BsonType::kTimestamp: return Cmp(a.Timestamp(), b.Timestamp());
    case BsonType::kRegex: {
      int c = CompareBytes(a.RegexPattern(), b.RegexPattern());
      return c != 0 ? c : CompareBytes(a.RegexFlags(), b.RegexFlags());
    }
    case BsonType::kDbPointer: {
      int c = Cmp(a.DbPointerNamespace().size(), b.DbPointerNamespace().size());
      if (c != 0) return c;
      c = CompareBytes(a.DbPointerNamespace(), b.DbPointerNamespace());
      if (c != 0) return c;
      return CompareBytes(std::string_view(reinterpret_cast<const char*>(a.DbPointerOid().data()), 12),
                          std::string_view(reinterpret_cast<const char*>(b.DbPointerOid().data()), 12));
    }
    case BsonType::kJavaScript: return CompareBytes(a.String(), b.String());
    case BsonType::kJavaScriptWithScope: {
      int c = CompareBytes(a.CodeWScopeCode(), b.CodeWScopeCode());
      return c != 0 ? c : CompareDocuments(a.CodeWScopeScope(), b.CodeWScopeScope());
    }
  }
  return 0;
}

int CompareElementsWithNames(const BsonElement& a, const BsonElement& b) {
  int ra = CanonicalTypeRank(a.type()), rb = CanonicalTypeRank(b.type());
  if (ra != rb) return Cmp(ra, rb);
  int c = CompareBytes(a.field_name(), b.field_name());
  if (c != 0) return c;
  return CompareElementValues(a, b);
}

int CompareDocuments(const BsonView& a, const BsonView& b) {
  auto ia = a.begin(), ib = b.begin();
  while (true) {
    bool ea = ia == a.end(), eb = ib == b.end();
    if (ea || eb) return ea == eb ? 0 : (ea ? -1 : 1);
    int c = CompareElementsWithNames(*ia, *ib);
    if (c != 0) return c;
    ++ia;
    ++ib;
  }
}

}  // namespace dds::bson
