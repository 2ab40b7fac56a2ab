// MNode: a small mutable document tree used while applying update operators. A node starts as a
// view of an element of the original document (no copy) and is expanded into editable object or
// array children only along the paths an update touches; Write() serializes the result. The
// original document's buffer must outlive the tree. Not thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agg/value.h"
#include "bson/bson.h"
#include "common/status.h"

namespace dds::update {

class MNode {
 public:
  enum class Kind { kValue, kObject, kArray };

  MNode() = default;
  static MNode FromElement(const bson::BsonElement& e);
  static MNode FromValue(agg::Value v);
  static MNode EmptyObject();
  static MNode FromDocument(const bson::BsonView& doc);

  Kind kind() const { return kind_; }
  // The BSON type of the node's value (kObject/kArray for expanded containers).
  bson::BsonType type() const;
  bool IsContainer() const { return type() == bson::BsonType::kObject || type() == bson::BsonType::kArray; }
  // REQUIRES kind() == kValue.
  bson::BsonElement element() const { return owned_set_ ? owned_.element() : view_; }
  // Returns the node as a Value (serializing containers).
  agg::Value ToValue() const;

  // Turns an object/array value into an editable container. REQUIRES IsContainer().
  void Expand();
  void SetValue(agg::Value v);

  // Containers (expand first).
  size_t size() const { return children_.size(); }
  MNode* child(size_t i) { return &children_[i]; }
  const MNode* child(size_t i) const { return &children_[i]; }
  const std::string& name(size_t i) const { return names_[i]; }
  // Object: returns the child named `name` or nullptr. Array: the element at a numeric index.
  MNode* Find(std::string_view name);
  // Object: appends a new field. REQUIRES kind() == kObject.
  MNode* Append(std::string_view name, MNode node);
  // Removes child i (object field or array element).
  void Remove(size_t i);
  // Array: appends an element.
  MNode* Push(MNode node);
  void Insert(size_t pos, MNode node);
  std::vector<MNode>& children() { return children_; }

  // Writes the node under `name`.
  void Write(bson::BsonBuilder* b, std::string_view name) const;
  // Writes an object node's fields as a whole document; `size_hint` presizes the buffer.
  bson::BsonDocument ToDocument(size_t size_hint = 256) const;
  // mongod's rendering in error messages: {a: 1}.
  std::string ShellString(std::string_view name) const;

 private:
  Kind kind_ = Kind::kValue;
  bson::BsonElement view_;
  agg::Value owned_;
  bool owned_set_ = false;
  std::vector<std::string> names_;  // object field names
  std::vector<MNode> children_;
};

// Parses a decimal array index; nullopt when `s` is not all digits or too large.
std::optional<size_t> ParseArrayIndex(std::string_view s);

}  // namespace dds::update
