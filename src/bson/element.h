// BsonElement: a read-only view of one BSON element (type byte, field name, value) inside a
// buffer that the caller keeps alive. Copying an element copies only the pointer.
//
// Elements are built only over validated bytes (see validate.h); accessors REQUIRE the matching
// type and never check bounds. A default-constructed element is "EOO": the missing value.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "bson/bson_types.h"
#include "bson/decimal128.h"
#include "bson/object_id.h"

namespace dds::bson {

class BsonView;

class BsonElement {
 public:
  BsonElement() = default;
  // REQUIRES: `data` points at the type byte of a validated element.
  explicit BsonElement(const char* data);

  bool eoo() const { return data_ == nullptr || data_[0] == 0; }
  // Returns true if the element is present (not EOO).
  explicit operator bool() const { return !eoo(); }
  BsonType type() const { return eoo() ? BsonType::kEoo : static_cast<BsonType>(data_[0]); }
  std::string_view field_name() const {
    return eoo() ? std::string_view() : std::string_view(data_ + 1, name_size_);
  }
  // Returns the bytes of the whole element (type, name, value).
  const char* raw() const { return data_; }
  size_t size() const { return total_size_; }
  // Returns the bytes of the value only.
  const char* value() const { return data_ + 2 + name_size_; }
  size_t value_size() const { return total_size_ - 2 - name_size_; }

  double Double() const { return Load<double>(value()); }
  int32_t Int32() const { return Load<int32_t>(value()); }
  int64_t Int64() const { return Load<int64_t>(value()); }
  bool Bool() const { return value()[0] != 0; }
  // Milliseconds since the epoch.
  int64_t Date() const { return Load<int64_t>(value()); }
  // The raw 64-bit timestamp: seconds in the high half, increment in the low half.
  uint64_t Timestamp() const { return Load<uint64_t>(value()); }
  uint32_t TimestampSeconds() const { return static_cast<uint32_t>(Timestamp() >> 32); }
  uint32_t TimestampIncrement() const { return static_cast<uint32_t>(Timestamp()); }
  Decimal128 Decimal() const {
    return Decimal128(Load<uint64_t>(value()), Load<uint64_t>(value() + 8));
  }
  ObjectId Oid() const { return ObjectId(reinterpret_cast<const uint8_t*>(value())); }
  // String, Symbol and JavaScript values (without the trailing NUL).
  std::string_view String() const {
    return std::string_view(value() + 4, static_cast<size_t>(Load<int32_t>(value())) - 1);
  }
  // Object and Array values. Defined in document.h.
  BsonView Object() const;
  BsonView Array() const;
  uint8_t BinSubtype() const { return static_cast<uint8_t>(value()[4]); }
  std::string_view BinData() const {
    return std::string_view(value() + 5, static_cast<size_t>(Load<int32_t>(value())));
  }
  std::string_view RegexPattern() const { return std::string_view(value()); }
  std::string_view RegexFlags() const {
    const char* p = value();
    return std::string_view(p + std::strlen(p) + 1);
  }
  std::string_view DbPointerNamespace() const { return String(); }
  ObjectId DbPointerOid() const {
    return ObjectId(reinterpret_cast<const uint8_t*>(value() + 4 + Load<int32_t>(value())));
  }
  std::string_view CodeWScopeCode() const {
    return std::string_view(value() + 8, static_cast<size_t>(Load<int32_t>(value() + 4)) - 1);
  }
  BsonView CodeWScopeScope() const;

  bool IsNumber() const { return IsNumericType(type()); }
  bool IsObject() const { return type() == BsonType::kObject; }
  bool IsArray() const { return type() == BsonType::kArray; }
  bool IsString() const { return type() == BsonType::kString; }
  // Null, undefined or missing.
  bool IsNullish() const {
    BsonType t = type();
    return t == BsonType::kNull || t == BsonType::kUndefined || t == BsonType::kEoo;
  }
  // Returns the numeric value as a double (any numeric type). REQUIRES: IsNumber().
  double NumberDouble() const;
  // Returns the numeric value as an int64 if it is integral and in range (any numeric type).
  std::optional<int64_t> ExactInt64() const;
  // Returns the numeric value as an int32 if it is integral and in range (any numeric type).
  std::optional<int32_t> ExactInt32() const;
  // MongoDB truthiness: false, 0, null, undefined and missing are false; all else true.
  bool TrueValue() const;

  // Returns the element as canonical-ish relaxed Extended JSON: "name: value" is not included,
  // only the value.
  std::string ValueToJson() const;

 private:
  template <typename T>
  static T Load(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  // Size in bytes of a value of `type` starting at `value`.
  static size_t ValueSize(BsonType type, const char* value);

  const char* data_ = nullptr;
  uint32_t name_size_ = 0;
  uint32_t total_size_ = 0;
};

}  // namespace dds::bson
