#include "bson/document.h"

#include "bson/extjson.h"

namespace dds::bson {
namespace {
constexpr char kEmptyDocument[5] = {5, 0, 0, 0, 0};
}  // namespace

BsonView::BsonView() : data_(kEmptyDocument) {}

BsonElement BsonView::Get(std::string_view name) const {
  for (const BsonElement& e : *this) {
    if (e.field_name() == name) return e;
  }
  return BsonElement();
}

int BsonView::CountFields() const {
  int n = 0;
  for (auto it = begin(); it != end(); ++it) ++n;
  return n;
}

std::string BsonView::ToJson() const { return ToExtJson(*this, ExtJsonMode::kRelaxed); }

std::string BsonView::ToShellString() const { return bson::ToShellString(*this); }

BsonDocument::BsonDocument() : bytes_(kEmptyDocument, 5) {}

BsonDocument::BsonDocument(const BsonView& view) : bytes_(view.data(), view.size()) {}

BsonDocument BsonDocument::FromBytes(std::string bytes) {
  BsonDocument doc;
  doc.bytes_ = std::move(bytes);
  return doc;
}

}  // namespace dds::bson
