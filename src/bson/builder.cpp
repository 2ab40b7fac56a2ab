#include "bson/builder.h"

#include <array>

#include "common/assert.h"

namespace dds::bson {

std::string_view IndexName(size_t i) {
  static const std::array<std::string, 1000> kNames = [] {
    std::array<std::string, 1000> names;
    for (size_t k = 0; k < names.size(); ++k) names[k] = std::to_string(k);
    return names;
  }();
  if (i < kNames.size()) return kNames[i];
  thread_local std::string scratch;
  scratch = std::to_string(i);
  return scratch;
}

BsonBuilder::BsonBuilder() : BsonBuilder(64) {}

BsonBuilder::BsonBuilder(size_t reserve_bytes) {
  buf_.reserve(reserve_bytes);
  buf_.append(4, '\0');
}

void BsonBuilder::AppendHeader(BsonType type, std::string_view name) {
  buf_.push_back(static_cast<char>(type));
  AppendCString(name);
}

void BsonBuilder::AppendCString(std::string_view s) {
  buf_.append(s.data(), s.size());
  buf_.push_back('\0');
}

void BsonBuilder::AppendRawInt32(int32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);
  buf_.append(b, 4);
}

void BsonBuilder::AppendRawInt64(int64_t v) {
  char b[8];
  std::memcpy(b, &v, 8);
  buf_.append(b, 8);
}

void BsonBuilder::AppendStringValue(std::string_view s) {
  AppendRawInt32(static_cast<int32_t>(s.size() + 1));
  AppendCString(s);
}

void BsonBuilder::PatchLength(size_t offset) {
  int32_t n = static_cast<int32_t>(buf_.size() - offset);
  std::memcpy(&buf_[offset], &n, 4);
}

BsonBuilder& BsonBuilder::AppendDouble(std::string_view name, double v) {
  AppendHeader(BsonType::kDouble, name);
  char b[8];
  std::memcpy(b, &v, 8);
  buf_.append(b, 8);
  return *this;
}

BsonBuilder& BsonBuilder::AppendString(std::string_view name, std::string_view v) {
  AppendHeader(BsonType::kString, name);
  AppendStringValue(v);
  return *this;
}

BsonBuilder& BsonBuilder::AppendDocument(std::string_view name, const BsonView& doc) {
  AppendHeader(BsonType::kObject, name);
  buf_.append(doc.data(), doc.size());
  return *this;
}

BsonBuilder& BsonBuilder::AppendArray(std::string_view name, const BsonView& array) {
  AppendHeader(BsonType::kArray, name);
  buf_.append(array.data(), array.size());
  return *this;
}

BsonBuilder& BsonBuilder::AppendBinary(std::string_view name, uint8_t subtype,
                                       std::string_view bytes) {
  AppendHeader(BsonType::kBinData, name);
  AppendRawInt32(static_cast<int32_t>(bytes.size()));
  buf_.push_back(static_cast<char>(subtype));
  buf_.append(bytes.data(), bytes.size());
  return *this;
}

BsonBuilder& BsonBuilder::AppendUndefined(std::string_view name) {
  AppendHeader(BsonType::kUndefined, name);
  return *this;
}

BsonBuilder& BsonBuilder::AppendObjectId(std::string_view name, const ObjectId& oid) {
  AppendHeader(BsonType::kObjectId, name);
  buf_.append(reinterpret_cast<const char*>(oid.data()), ObjectId::kSize);
  return *this;
}

BsonBuilder& BsonBuilder::AppendBool(std::string_view name, bool v) {
  AppendHeader(BsonType::kBool, name);
  buf_.push_back(v ? 1 : 0);
  return *this;
}

BsonBuilder& BsonBuilder::AppendDate(std::string_view name, int64_t millis) {
  AppendHeader(BsonType::kDate, name);
  AppendRawInt64(millis);
  return *this;
}

BsonBuilder& BsonBuilder::AppendNull(std::string_view name) {
  AppendHeader(BsonType::kNull, name);
  return *this;
}

BsonBuilder& BsonBuilder::AppendRegex(std::string_view name, std::string_view pattern,
                                      std::string_view flags) {
  AppendHeader(BsonType::kRegex, name);
  AppendCString(pattern);
  AppendCString(flags);
  return *this;
}

BsonBuilder& BsonBuilder::AppendDbPointer(std::string_view name, std::string_view ns,
                                          const ObjectId& oid) {
  AppendHeader(BsonType::kDbPointer, name);
  AppendStringValue(ns);
  buf_.append(reinterpret_cast<const char*>(oid.data()), ObjectId::kSize);
  return *this;
}

BsonBuilder& BsonBuilder::AppendCode(std::string_view name, std::string_view code) {
  AppendHeader(BsonType::kJavaScript, name);
  AppendStringValue(code);
  return *this;
}

BsonBuilder& BsonBuilder::AppendSymbol(std::string_view name, std::string_view symbol) {
  AppendHeader(BsonType::kSymbol, name);
  AppendStringValue(symbol);
  return *this;
}

BsonBuilder& BsonBuilder::AppendCodeWScope(std::string_view name, std::string_view code,
                                           const BsonView& scope) {
  AppendHeader(BsonType::kJavaScriptWithScope, name);
  size_t start = buf_.size();
  AppendRawInt32(0);
  AppendStringValue(code);
  buf_.append(scope.data(), scope.size());
  PatchLength(start);
  return *this;
}

BsonBuilder& BsonBuilder::AppendInt32(std::string_view name, int32_t v) {
  AppendHeader(BsonType::kInt32, name);
  AppendRawInt32(v);
  return *this;
}

BsonBuilder& BsonBuilder::AppendTimestamp(std::string_view name, uint32_t seconds,
                                          uint32_t increment) {
  return AppendTimestampRaw(name, (static_cast<uint64_t>(seconds) << 32) | increment);
}

BsonBuilder& BsonBuilder::AppendTimestampRaw(std::string_view name, uint64_t raw) {
  AppendHeader(BsonType::kTimestamp, name);
  AppendRawInt64(static_cast<int64_t>(raw));
  return *this;
}

BsonBuilder& BsonBuilder::AppendInt64(std::string_view name, int64_t v) {
  AppendHeader(BsonType::kInt64, name);
  AppendRawInt64(v);
  return *this;
}

BsonBuilder& BsonBuilder::AppendDecimal(std::string_view name, const Decimal128& v) {
  AppendHeader(BsonType::kDecimal128, name);
  AppendRawInt64(static_cast<int64_t>(v.low()));
  AppendRawInt64(static_cast<int64_t>(v.high()));
  return *this;
}

BsonBuilder& BsonBuilder::AppendMinKey(std::string_view name) {
  AppendHeader(BsonType::kMinKey, name);
  return *this;
}

BsonBuilder& BsonBuilder::AppendMaxKey(std::string_view name) {
  AppendHeader(BsonType::kMaxKey, name);
  return *this;
}

BsonBuilder& BsonBuilder::AppendElement(const BsonElement& e) {
  if (!e.eoo()) buf_.append(e.raw(), e.size());
  return *this;
}

BsonBuilder& BsonBuilder::AppendElementAs(std::string_view name, const BsonElement& e) {
  if (e.eoo()) return *this;
  AppendHeader(e.type(), name);
  buf_.append(e.value(), e.value_size());
  return *this;
}

BsonBuilder& BsonBuilder::AppendElements(const BsonView& doc) {
  if (!doc.empty()) buf_.append(doc.data() + 4, static_cast<size_t>(doc.size()) - 5);
  return *this;
}

BsonBuilder& BsonBuilder::StartDocument(std::string_view name) {
  AppendHeader(BsonType::kObject, name);
  open_.push_back(buf_.size());
  AppendRawInt32(0);
  return *this;
}

BsonBuilder& BsonBuilder::StartArray(std::string_view name) {
  AppendHeader(BsonType::kArray, name);
  open_.push_back(buf_.size());
  AppendRawInt32(0);
  return *this;
}

BsonBuilder& BsonBuilder::End() {
  DDS_INVARIANT(!open_.empty());
  buf_.push_back('\0');
  PatchLength(open_.back());
  open_.pop_back();
  return *this;
}

std::string BsonBuilder::DoneBytes() {
  DDS_INVARIANT(open_.empty());
  buf_.push_back('\0');
  PatchLength(0);
  std::string out = std::move(buf_);
  buf_.clear();
  buf_.append(4, '\0');
  return out;
}

BsonDocument BsonBuilder::Done() { return BsonDocument::FromBytes(DoneBytes()); }

}  // namespace dds::bson
