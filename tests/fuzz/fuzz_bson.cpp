// libFuzzer target: untrusted BSON through ValidateBson, then (only for valid input) every
// read path: iteration with typed accessors, Extended JSON and shell rendering, the Extended
// JSON parser on our own output, and comparison with itself (which must be equal).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "bson/bson.h"

namespace {

using namespace dds::bson;

void Check(bool ok) {
  if (!ok) std::abort();
}

// Touches every element through its typed accessor.
void Walk(const BsonView& doc, int depth) {
  for (const BsonElement& e : doc) {
    (void)e.field_name();
    switch (e.type()) {
      case BsonType::kDouble:
        (void)e.Double();
        break;
      case BsonType::kString:
        (void)e.String();
        break;
      case BsonType::kObject:
        Walk(e.Object(), depth + 1);
        break;
      case BsonType::kArray:
        Walk(e.Array(), depth + 1);
        break;
      case BsonType::kBinData:
        (void)e.BinData();
        (void)e.BinSubtype();
        break;
      case BsonType::kObjectId:
        (void)e.Oid();
        break;
      case BsonType::kBool:
        (void)e.Bool();
        break;
      case BsonType::kDate:
        (void)e.Date();
        break;
      case BsonType::kRegex:
        (void)e.RegexPattern();
        (void)e.RegexFlags();
        break;
      case BsonType::kInt32:
        (void)e.Int32();
        break;
      case BsonType::kTimestamp:
        (void)e.Timestamp();
        break;
      case BsonType::kInt64:
        (void)e.Int64();
        break;
      case BsonType::kDecimal128:
        (void)e.Decimal();
        break;
      case BsonType::kJavaScriptWithScope:
        Walk(e.CodeWScopeScope(), depth + 1);
        break;
      default:
        break;
    }
    if (e.IsNumber()) {
      (void)e.NumberDouble();
      (void)e.ExactInt64();
    }
    (void)e.TrueValue();
    (void)CompareElementValues(e, e);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // An exact-size heap copy, so ASan sees any read past the document.
  std::string bytes(reinterpret_cast<const char*>(data), size);
  size_t doc_size = 0;
  if (!ValidateBson(bytes.data(), bytes.size(), kMaxBsonDepth + 50, &doc_size).ok()) return 0;
  Check(doc_size <= size);
  BsonView view(bytes.data());
  Check(static_cast<size_t>(view.size()) == doc_size);
  (void)NestingDepth(bytes.data());
  Walk(view, 1);
  (void)view.CountFields();
  const std::string relaxed = view.ToJson();
  (void)view.ToShellString();
  const std::string canonical = ToExtJson(view, ExtJsonMode::kCanonical);
  if (auto back = ParseExtJson(canonical); back.ok()) {
    const BsonDocument& doc = back.value();
    Check(ValidateBson(doc.bytes().data(), doc.bytes().size()).ok());
    (void)CompareDocuments(doc.view(), view);
  }
  (void)ParseExtJson(relaxed);
  Check(CompareDocuments(view, view) == 0);
  BsonDocument copy(view);
  Check(copy.view().BinaryEqual(view));
  return 0;
}
