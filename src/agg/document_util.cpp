#include "agg/document_util.h"

namespace dds::agg {
namespace {

void SetInto(const bson::BsonView& doc, std::string_view path, const Value& v, bson::BsonBuilder* out);

// Applies the rest of `path` to each element of an array.
void SetIntoArray(const bson::BsonView& arr, std::string_view path, const Value& v, bson::BsonBuilder* out) {
  for (const bson::BsonElement& e : arr) {
    if (e.type() == bson::BsonType::kObject) {
      out->StartDocument(e.field_name());
      SetInto(e.Object(), path, v, out);
      out->End();
    } else if (e.type() == bson::BsonType::kArray) {
      out->StartArray(e.field_name());
      SetIntoArray(e.Array(), path, v, out);
      out->End();
    } else {
      out->StartDocument(e.field_name());
      SetInto(bson::BsonView(), path, v, out);
      out->End();
    }
  }
}

void SetInto(const bson::BsonView& doc, std::string_view path, const Value& v, bson::BsonBuilder* out) {
  size_t dot = path.find('.');
  std::string_view head = path.substr(0, dot);
  std::string_view rest = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  bool done = false;
  for (const bson::BsonElement& e : doc) {
    if (e.field_name() != head || done) {
      out->AppendElement(e);
      continue;
    }
    done = true;
    if (rest.empty()) {
      if (!v.missing()) out->AppendElementAs(head, v.element());
    } else if (e.type() == bson::BsonType::kObject) {
      out->StartDocument(head);
      SetInto(e.Object(), rest, v, out);
      out->End();
    } else if (e.type() == bson::BsonType::kArray) {
      out->StartArray(head);
      SetIntoArray(e.Array(), rest, v, out);
      out->End();
    } else {
      out->StartDocument(head);
      SetInto(bson::BsonView(), rest, v, out);
      out->End();
    }
  }
  if (!done) {
    if (rest.empty()) {
      if (!v.missing()) out->AppendElementAs(head, v.element());
    } else if (!v.missing()) {
      out->StartDocument(head);
      SetInto(bson::BsonView(), rest, v, out);
      out->End();
    }
  }
}

}  // namespace

bson::BsonDocument SetPath(const bson::BsonView& doc, std::string_view path, const Value& v) {
  bson::BsonBuilder b(static_cast<size_t>(doc.size()) + 32);
  SetInto(doc, path, v, &b);
  return b.Done();
}

Value GetNestedField(const bson::BsonView& doc, std::string_view path) {
  bson::BsonView cur = doc;
  while (true) {
    size_t dot = path.find('.');
    bson::BsonElement e = cur.Get(path.substr(0, dot));
    if (dot == std::string_view::npos) return Value::FromElement(e);
    if (e.type() != bson::BsonType::kObject) return Value();
    cur = e.Object();
    path = path.substr(dot + 1);
  }
}

}  // namespace dds::agg
