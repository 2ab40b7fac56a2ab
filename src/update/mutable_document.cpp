#include "update/mutable_document.h"

namespace dds::update {

using bson::BsonElement;
using bson::BsonType;

MNode MNode::FromElement(const BsonElement& e) {
  MNode n;
  n.view_ = e;
  return n;
}

MNode MNode::FromValue(agg::Value v) {
  MNode n;
  n.owned_ = std::move(v);
  n.owned_set_ = true;
  return n;
}

MNode MNode::EmptyObject() {
  MNode n;
  n.kind_ = Kind::kObject;
  return n;
}

MNode MNode::FromDocument(const bson::BsonView& doc) {
  MNode n;
  n.kind_ = Kind::kObject;
  size_t count = doc.CountFields();
  n.names_.reserve(count);
  n.children_.reserve(count);
  for (const BsonElement& e : doc) {
    n.names_.emplace_back(e.field_name());
    n.children_.push_back(FromElement(e));
  }
  return n;
}

BsonType MNode::type() const {
  switch (kind_) {
    case Kind::kObject: return BsonType::kObject;
    case Kind::kArray: return BsonType::kArray;
    default: return element().type();
  }
}

void MNode::Expand() {
  if (kind_ != Kind::kValue) return;
  BsonElement e = element();
  Kind k = e.type() == BsonType::kArray ? Kind::kArray : Kind::kObject;
  std::vector<std::string> names;
  std::vector<MNode> children;
  size_t count = e.Object().CountFields();
  if (k == Kind::kObject) names.reserve(count);
  children.reserve(count);
  if (owned_set_) {
    // Owned values must keep their bytes alive: copy each child into its own Value.
    for (const BsonElement& c : e.Object()) {
      if (k == Kind::kObject) names.emplace_back(c.field_name());
      children.push_back(FromValue(agg::Value::FromElement(c)));
    }
  } else {
    for (const BsonElement& c : e.Object()) {
      if (k == Kind::kObject) names.emplace_back(c.field_name());
      children.push_back(FromElement(c));
    }
  }
  kind_ = k;
  names_ = std::move(names);
  children_ = std::move(children);
  owned_ = agg::Value();
  owned_set_ = false;
  view_ = BsonElement();
}

void MNode::SetValue(agg::Value v) {
  kind_ = Kind::kValue;
  owned_ = std::move(v);
  owned_set_ = true;
  view_ = BsonElement();
  names_.clear();
  children_.clear();
}

agg::Value MNode::ToValue() const {
  if (kind_ == Kind::kValue) return owned_set_ ? owned_ : agg::Value::FromElement(view_);
  bson::BsonBuilder b;
  Write(&b, "");
  return agg::Value::FromHolder(b.Done());
}

MNode* MNode::Find(std::string_view name) {
  if (kind_ == Kind::kObject) {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == name) return &children_[i];
    }
    return nullptr;
  }
  if (kind_ == Kind::kArray) {
    std::optional<size_t> idx = ParseArrayIndex(name);
    if (idx && *idx < children_.size()) return &children_[*idx];
  }
  return nullptr;
}

MNode* MNode::Append(std::string_view name, MNode node) {
  names_.emplace_back(name);
  children_.push_back(std::move(node));
  return &children_.back();
}

void MNode::Remove(size_t i) {
  if (kind_ == Kind::kObject) names_.erase(names_.begin() + static_cast<long>(i));
  children_.erase(children_.begin() + static_cast<long>(i));
}

MNode* MNode::Push(MNode node) {
  children_.push_back(std::move(node));
  return &children_.back();
}

void MNode::Insert(size_t pos, MNode node) {
  children_.insert(children_.begin() + static_cast<long>(pos), std::move(node));
}

void MNode::Write(bson::BsonBuilder* b, std::string_view name) const {
  switch (kind_) {
    case Kind::kValue: b->AppendElementAs(name, element()); return;
    case Kind::kObject:
      b->StartDocument(name);
      for (size_t i = 0; i < children_.size(); ++i) children_[i].Write(b, names_[i]);
      b->End();
      return;
    case Kind::kArray:
      b->StartArray(name);
      for (size_t i = 0; i < children_.size(); ++i) children_[i].Write(b, bson::IndexName(i));
      b->End();
      return;
  }
}

bson::BsonDocument MNode::ToDocument(size_t size_hint) const {
  bson::BsonBuilder b(size_hint);
  for (size_t i = 0; i < children_.size(); ++i) children_[i].Write(&b, names_[i]);
  return b.Done();
}

std::string MNode::ShellString(std::string_view name) const {
  // mongod renders the element as {name: value} in these messages.
  agg::Value v = ToValue();
  return "{" + std::string(name) + ": " + bson::ElementValueToShellString(v.element()) + "}";
}

std::optional<size_t> ParseArrayIndex(std::string_view s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  size_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<size_t>(c - '0');
  }
  // mongod rejects leading zeros as array indexes ("01" is a field name).
  if (s.size() > 1 && s[0] == '0') return std::nullopt;
  return v;
}

}  // namespace dds::update
