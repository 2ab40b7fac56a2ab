// BsonBuilder: writes a BSON document into one growing buffer. Nested documents and arrays are
// written in place with StartDocument/StartArray ... End(), so building never copies subtrees.
//
// Not thread-safe. Array element names are the caller's ("0", "1", ...; see IndexName()).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bson/document.h"

namespace dds::bson {

// Returns the decimal name of array index `i` ("0", "1", ...), cached for small indexes.
std::string_view IndexName(size_t i);

class BsonBuilder {
 public:
  BsonBuilder();
  // Starts with `reserve_bytes` of capacity.
  explicit BsonBuilder(size_t reserve_bytes);

  BsonBuilder& AppendDouble(std::string_view name, double v);
  BsonBuilder& AppendString(std::string_view name, std::string_view v);
  BsonBuilder& AppendDocument(std::string_view name, const BsonView& doc);
  BsonBuilder& AppendArray(std::string_view name, const BsonView& array);
  BsonBuilder& AppendBinary(std::string_view name, uint8_t subtype, std::string_view bytes);
  BsonBuilder& AppendUndefined(std::string_view name);
  BsonBuilder& AppendObjectId(std::string_view name, const ObjectId& oid);
  BsonBuilder& AppendBool(std::string_view name, bool v);
  BsonBuilder& AppendDate(std::string_view name, int64_t millis);
  BsonBuilder& AppendNull(std::string_view name);
  BsonBuilder& AppendRegex(std::string_view name, std::string_view pattern, std::string_view flags);
  BsonBuilder& AppendDbPointer(std::string_view name, std::string_view ns, const ObjectId& oid);
  BsonBuilder& AppendCode(std::string_view name, std::string_view code);
  BsonBuilder& AppendSymbol(std::string_view name, std::string_view symbol);
  BsonBuilder& AppendCodeWScope(std::string_view name, std::string_view code, const BsonView& scope);
  BsonBuilder& AppendInt32(std::string_view name, int32_t v);
  BsonBuilder& AppendTimestamp(std::string_view name, uint32_t seconds, uint32_t increment);
  BsonBuilder& AppendTimestampRaw(std::string_view name, uint64_t raw);
  BsonBuilder& AppendInt64(std::string_view name, int64_t v);
  BsonBuilder& AppendDecimal(std::string_view name, const Decimal128& v);
  BsonBuilder& AppendMinKey(std::string_view name);
  BsonBuilder& AppendMaxKey(std::string_view name);

  // Appends `e` under its own name.
  BsonBuilder& AppendElement(const BsonElement& e);
  // Appends the value of `e` under `name`. Appending EOO appends nothing.
  BsonBuilder& AppendElementAs(std::string_view name, const BsonElement& e);
  // Appends every element of `doc`.
  BsonBuilder& AppendElements(const BsonView& doc);

  // Opens a nested document or array; everything appended until End() goes inside it.
  BsonBuilder& StartDocument(std::string_view name);
  BsonBuilder& StartArray(std::string_view name);
  BsonBuilder& End();
  // Returns the nesting depth of open StartDocument/StartArray calls.
  size_t open_depth() const { return open_.size(); }

  // Returns the number of bytes written so far (the finished document is one byte longer).
  size_t len() const { return buf_.size(); }
  bool HasFields() const { return buf_.size() > 4; }

  // Finishes the document and returns it; the builder is then empty and reusable.
  // REQUIRES: every StartDocument/StartArray was closed.
  BsonDocument Done();
  // Finishes the document and returns its bytes.
  std::string DoneBytes();

 private:
  void AppendHeader(BsonType type, std::string_view name);
  void AppendRawInt32(int32_t v);
  void AppendRawInt64(int64_t v);
  void AppendCString(std::string_view s);
  void AppendStringValue(std::string_view s);
  void PatchLength(size_t offset);

  std::string buf_;
  std::vector<size_t> open_;
};

// Builds an array with automatic index names.
class BsonArrayBuilder {
 public:
  BsonArrayBuilder() = default;
  BsonBuilder& builder() { return builder_; }
  // Returns the name to use for the next element and advances.
  std::string_view NextName() { return IndexName(count_++); }
  size_t count() const { return count_; }
  BsonArrayBuilder& AppendElement(const BsonElement& e) {
    builder_.AppendElementAs(NextName(), e);
    return *this;
  }
  BsonDocument Done() { return builder_.Done(); }

 private:
  BsonBuilder builder_;
  size_t count_ = 0;
};

}  // namespace dds::bson
