// Value: one owned BSON value (or "missing") as the expression language passes it around. Stored
// as a one-element document {"": v} so any BSON type is representable without a parallel type
// system; element() is a view valid while the Value lives and is not moved.
//
// Not thread-safe to mutate; immutable Values may be shared.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bson/bson.h"

namespace dds::agg {

class Value {
 public:
  // The missing value.
  Value() = default;
  static Value FromElement(const bson::BsonElement& e);
  static Value Null();
  static Value Bool(bool v);
  static Value Int32(int32_t v);
  static Value Int64(int64_t v);
  static Value Double(double v);
  static Value Decimal(const bson::Decimal128& v);
  static Value String(std::string_view v);
  static Value Date(int64_t millis);
  static Value Document(const bson::BsonView& doc);
  // `array` is a BSON array document (keys "0", "1", ...).
  static Value Array(const bson::BsonView& array);
  static Value ArrayOf(const std::vector<Value>& items);
  // Builds from a {"": v} holder (or an empty document for missing).
  static Value FromHolder(bson::BsonDocument holder);

  bool missing() const { return holder_.empty(); }
  // Null, undefined or missing.
  bool nullish() const { return element().IsNullish(); }
  bson::BsonType type() const { return element().type(); }
  // EOO when missing.
  bson::BsonElement element() const { return holder_.view().FirstElement(); }
  bool TrueValue() const { return element().TrueValue(); }
  bool IsArray() const { return type() == bson::BsonType::kArray; }
  bool IsObject() const { return type() == bson::BsonType::kObject; }
  bool IsNumber() const { return element().IsNumber(); }
  // Array elements (REQUIRES IsArray()).
  std::vector<Value> ArrayItems() const;
  // Returns the holder document {"": v}.
  const bson::BsonDocument& holder() const { return holder_; }
  // Returns the type name as $type reports it ("missing" when missing).
  std::string TypeName() const;
  // Renders for error messages.
  std::string ToString() const;

 private:
  bson::BsonDocument holder_;
};

// Compares like the aggregation language does (BSON order; missing < undefined-equal < null).
int CompareValues(const Value& a, const Value& b);
inline bool ValuesEqual(const Value& a, const Value& b) { return CompareValues(a, b) == 0; }

}  // namespace dds::agg
