// BsonView: a read-only view of a BSON document (or array) in a buffer the caller keeps alive.
// BsonDocument: an owning, immutable BSON document; views into it stay valid while it lives.
//
// Views are only built over validated bytes (see validate.h). Lookups are linear scans, which is
// what BSON allows; callers that read many fields iterate once instead.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "bson/element.h"

namespace dds::bson {

class BsonView {
 public:
  class Iterator {
   public:
    using value_type = BsonElement;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    explicit Iterator(const char* pos) : pos_(pos), current_(pos) {}
    const BsonElement& operator*() const { return current_; }
    const BsonElement* operator->() const { return &current_; }
    Iterator& operator++() {
      pos_ += current_.size();
      current_ = BsonElement(pos_);
      return *this;
    }
    Iterator operator++(int) {
      Iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const Iterator& other) const {
      // Only the end sentinel is compared against: an iterator is at the end when it sits on EOO.
      return current_.eoo() == other.current_.eoo() && (current_.eoo() || pos_ == other.pos_);
    }

   private:
    const char* pos_ = nullptr;
    BsonElement current_;
  };

  // An empty document.
  BsonView();
  // REQUIRES: `data` points at validated BSON.
  explicit BsonView(const char* data) : data_(data) {}

  const char* data() const { return data_; }
  int32_t size() const {
    int32_t n;
    std::memcpy(&n, data_, 4);
    return n;
  }
  bool empty() const { return size() <= 5; }
  std::string_view bytes() const { return std::string_view(data_, static_cast<size_t>(size())); }

  Iterator begin() const { return Iterator(data_ + 4); }
  Iterator end() const { return Iterator(); }

  // Returns the first element with `name`, or EOO.
  BsonElement operator[](std::string_view name) const { return Get(name); }
  BsonElement Get(std::string_view name) const;
  bool HasField(std::string_view name) const { return !Get(name).eoo(); }
  // Returns the first element, or EOO for an empty document.
  BsonElement FirstElement() const { return *begin(); }
  // Returns the number of fields (a linear scan).
  int CountFields() const;

  // Relaxed Extended JSON (for logs and tools).
  std::string ToJson() const;
  // mongod's shell-like form used in error messages: { a: 1, b: "x" }.
  std::string ToShellString() const;

  // Bytewise identity (same field names, types and values in the same order).
  bool BinaryEqual(const BsonView& other) const { return bytes() == other.bytes(); }

 private:
  const char* data_;
};

class BsonDocument {
 public:
  // An empty document.
  BsonDocument();
  // Copies the bytes of `view`.
  explicit BsonDocument(const BsonView& view);
  // Takes ownership of `bytes`, which must be validated BSON.
  static BsonDocument FromBytes(std::string bytes);

  BsonView view() const { return BsonView(bytes_.data()); }
  operator BsonView() const { return view(); }  // NOLINT: a document is usable as a view
  const std::string& bytes() const { return bytes_; }
  std::string&& ReleaseBytes() && { return std::move(bytes_); }
  int32_t size() const { return static_cast<int32_t>(bytes_.size()); }
  bool empty() const { return bytes_.size() <= 5; }
  BsonElement operator[](std::string_view name) const { return view().Get(name); }
  BsonView::Iterator begin() const { return view().begin(); }
  BsonView::Iterator end() const { return view().end(); }
  std::string ToJson() const { return view().ToJson(); }

 private:
  std::string bytes_;
};

inline BsonView BsonElement::Object() const { return BsonView(value()); }
inline BsonView BsonElement::Array() const { return BsonView(value()); }
inline BsonView BsonElement::CodeWScopeScope() const {
  return BsonView(value() + 8 + Load<int32_t>(value() + 4));
}

}  // namespace dds::bson
