#include "agg/value.h"

namespace dds::agg {
namespace {
template <typename F>
Value Make(F&& append) {
  bson::BsonBuilder b;
  append(b);
  return Value::FromHolder(b.Done());
}
}  // namespace

Value Value::FromHolder(bson::BsonDocument holder) {
  Value v;
  v.holder_ = std::move(holder);
  return v;
}

Value Value::FromElement(const bson::BsonElement& e) {
  if (e.eoo()) return Value();
  return Make([&](bson::BsonBuilder& b) { b.AppendElementAs("", e); });
}
Value Value::Null() {
  return Make([](bson::BsonBuilder& b) { b.AppendNull(""); });
}
Value Value::Bool(bool v) {
  return Make([&](bson::BsonBuilder& b) { b.AppendBool("", v); });
}
Value Value::Int32(int32_t v) {
  return Make([&](bson::BsonBuilder& b) { b.AppendInt32("", v); });
}
Value Value::Int64(int64_t v) {
  return Make([&](bson::BsonBuilder& b) { b.AppendInt64("", v); });
}
Value Value::Double(double v) {
  return Make([&](bson::BsonBuilder& b) { b.AppendDouble("", v); });
}
Value Value::Decimal(const bson::Decimal128& v) {
  return Make([&](bson::BsonBuilder& b) { b.AppendDecimal("", v); });
}
Value Value::String(std::string_view v) {
  return Make([&](bson::BsonBuilder& b) { b.AppendString("", v); });
}
Value Value::Date(int64_t millis) {
  return Make([&](bson::BsonBuilder& b) { b.AppendDate("", millis); });
}
Value Value::Document(const bson::BsonView& doc) {
  return Make([&](bson::BsonBuilder& b) { b.AppendDocument("", doc); });
}
Value Value::Array(const bson::BsonView& array) {
  return Make([&](bson::BsonBuilder& b) { b.AppendArray("", array); });
}
Value Value::ArrayOf(const std::vector<Value>& items) {
  return Make([&](bson::BsonBuilder& b) {
    b.StartArray("");
    size_t i = 0;
    for (const Value& v : items) {
      // Missing items become null inside arrays, as mongod does.
      if (v.missing()) b.AppendNull(bson::IndexName(i++));
      else b.AppendElementAs(bson::IndexName(i++), v.element());
    }
    b.End();
  });
}

std::vector<Value> Value::ArrayItems() const {
  std::vector<Value> out;
  for (const bson::BsonElement& e : element().Array()) out.push_back(FromElement(e));
  return out;
}

std::string Value::TypeName() const {
  if (missing()) return "missing";
  return std::string(bson::TypeAlias(type()));
}

std::string Value::ToString() const {
  if (missing()) return "MISSING";
  return bson::ElementValueToShellString(element());
}

int CompareValues(const Value& a, const Value& b) {
  return bson::CompareElementValues(a.element(), b.element());
}

}  // namespace dds::agg
