#include "bson/element.h"

#include <cmath>

#include "bson/document.h"
#include "bson/extjson.h"

namespace dds::bson {

BsonElement::BsonElement(const char* data) : data_(data) {
  if (data_ == nullptr || data_[0] == 0) {
    total_size_ = 1;
    return;
  }
  name_size_ = static_cast<uint32_t>(std::strlen(data_ + 1));
  total_size_ = static_cast<uint32_t>(2 + name_size_ + ValueSize(type(), value()));
}

size_t BsonElement::ValueSize(BsonType type, const char* v) {
  switch (type) {
    case BsonType::kEoo:
    case BsonType::kUndefined:
    case BsonType::kNull:
    case BsonType::kMinKey:
    case BsonType::kMaxKey: return 0;
    case BsonType::kBool: return 1;
    case BsonType::kInt32: return 4;
    case BsonType::kDouble:
    case BsonType::kDate:
    case BsonType::kTimestamp:
    case BsonType::kInt64: return 8;
    case BsonType::kDecimal128: return 16;
    case BsonType::kObjectId: return 12;
    case BsonType::kString:
    case BsonType::kSymbol:
    case BsonType::kJavaScript: return 4 + static_cast<size_t>(Load<int32_t>(v));
    case BsonType::kObject:
    case BsonType::kArray:
    case BsonType::kJavaScriptWithScope: return static_cast<size_t>(Load<int32_t>(v));
    case BsonType::kBinData: return 5 + static_cast<size_t>(Load<int32_t>(v));
    case BsonType::kRegex: {
      size_t pattern = std::strlen(v) + 1;
      return pattern + std::strlen(v + pattern) + 1;
    }
    case BsonType::kDbPointer: return 4 + static_cast<size_t>(Load<int32_t>(v)) + 12;
  }
  return 0;
}

double BsonElement::NumberDouble() const {
  switch (type()) {
    case BsonType::kDouble: return Double();
    case BsonType::kInt32: return Int32();
    case BsonType::kInt64: return static_cast<double>(Int64());
    case BsonType::kDecimal128: return Decimal().ToDouble();
    default: return 0;
  }
}

std::optional<int64_t> BsonElement::ExactInt64() const {
  switch (type()) {
    case BsonType::kInt32: return Int32();
    case BsonType::kInt64: return Int64();
    case BsonType::kDouble: {
      double d = Double();
      if (std::trunc(d) != d || d < -9223372036854775808.0 || d >= 9223372036854775808.0) {
        return std::nullopt;
      }
      return static_cast<int64_t>(d);
    }
    case BsonType::kDecimal128: {
      Decimal128 dec = Decimal();
      if (dec.IsNaN() || dec.IsInfinite()) return std::nullopt;
      ExactDecimal exact = ExactDecimal::FromDecimal(dec);
      if (exact.digits.empty()) return 0;
      if (exact.exponent < static_cast<int>(exact.digits.size()) || exact.exponent > 19) {
        return std::nullopt;
      }
      __int128 v = 0;
      for (char c : exact.digits) v = v * 10 + (c - '0');
      for (int i = static_cast<int>(exact.digits.size()); i < exact.exponent; ++i) v *= 10;
      if (exact.negative) v = -v;
      if (v < INT64_MIN || v > INT64_MAX) return std::nullopt;
      return static_cast<int64_t>(v);
    }
    default: return std::nullopt;
  }
}

std::optional<int32_t> BsonElement::ExactInt32() const {
  std::optional<int64_t> v = ExactInt64();
  if (!v || *v < INT32_MIN || *v > INT32_MAX) return std::nullopt;
  return static_cast<int32_t>(*v);
}

bool BsonElement::TrueValue() const {
  switch (type()) {
    case BsonType::kEoo:
    case BsonType::kNull:
    case BsonType::kUndefined: return false;
    case BsonType::kBool: return Bool();
    case BsonType::kInt32: return Int32() != 0;
    case BsonType::kInt64: return Int64() != 0;
    case BsonType::kDouble: return Double() != 0;  // NaN is true, as in mongod
    case BsonType::kDecimal128: return !Decimal().IsZero();
    default: return true;
  }
}

std::string BsonElement::ValueToJson() const { return ElementValueToJson(*this, ExtJsonMode::kRelaxed); }

}  // namespace dds::bson
