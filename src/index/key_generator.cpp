#include "index/key_generator.h"

#include <algorithm>
#include <cctype>

#include "storage/key_string.h"

namespace dds::index {
namespace {

using bson::BsonElement;
using bson::BsonView;

const bson::BsonDocument& MissingHolder() {
  static const bson::BsonDocument* doc = [] {
    bson::BsonBuilder b;
    b.AppendNull("");
    return new bson::BsonDocument(b.Done());
  }();
  return *doc;
}

const bson::BsonDocument& UndefinedHolder() {
  static const bson::BsonDocument* doc = [] {
    bson::BsonBuilder b;
    b.AppendUndefined("");
    return new bson::BsonDocument(b.Done());
  }();
  return *doc;
}

BsonElement MissingElement() { return MissingHolder().view().FirstElement(); }
BsonElement UndefinedElement() { return UndefinedHolder().view().FirstElement(); }

bool IsPositional(std::string_view component) {
  return !component.empty() &&
         std::all_of(component.begin(), component.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class Generator {
 public:
  Generator(const IndexInfo& info, KeySet* out) : info_(info), out_(out) {}

  Status Run(const BsonView& doc) {
    size_t n = info_.fields.size();
    std::vector<std::string_view> paths(n);
    for (size_t i = 0; i < n; ++i) paths[i] = info_.fields[i].path;
    std::vector<BsonElement> fixed(n);
    std::vector<bool> done(n, false);
    DDS_RETURN_IF_ERROR(Recurse(std::move(paths), std::move(fixed), std::move(done), doc));
    if (out_->keys.size() <= 1) return Status::OK();
    std::sort(out_->keys.begin(), out_->keys.end(),
              [](const IndexKey& a, const IndexKey& b) { return a.key_string < b.key_string; });
    out_->keys.erase(std::unique(out_->keys.begin(), out_->keys.end(),
                                 [](const IndexKey& a, const IndexKey& b) {
                                   return a.key_string == b.key_string;
                                 }),
                     out_->keys.end());
    return Status::OK();
  }

 private:
  // Walks `*path` from `obj`; returns the element reached (EOO when missing) and leaves in *path
  // what remains after an array that must be expanded ("" when the path was walked entirely).
  static BsonElement Extract(BsonView obj, std::string_view* path) {
    std::string_view rest = *path;
    while (true) {
      size_t dot = rest.find('.');
      std::string_view component = rest.substr(0, dot);
      BsonElement e = obj.Get(component);
      if (dot == std::string_view::npos) {
        *path = std::string_view();
        return e;
      }
      rest = rest.substr(dot + 1);
      if (e.IsArray()) {
        std::string_view next = rest.substr(0, rest.find('.'));
        if (IsPositional(next) && !e.Array().Get(next).eoo()) {
          obj = e.Array();  // a position selects one element (no expansion)
          continue;
        }
        *path = rest;
        return e;
      }
      if (!e.IsObject()) {
        *path = std::string_view();
        return BsonElement();
      }
      obj = e.Object();
    }
  }

  Status Recurse(std::vector<std::string_view> paths, std::vector<BsonElement> fixed,
                 std::vector<bool> done, const BsonView& obj) {
    BsonElement arr;
    std::vector<size_t> arr_fields;
    for (size_t i = 0; i < paths.size(); ++i) {
      if (done[i]) continue;
      std::string_view rest = paths[i];
      BsonElement e = Extract(obj, &rest);
      if (e.IsArray() && info_.fields[i].kind == KeyKind::kHashed) {
        return Status(16766,
                      "Error: hashed indexes do not currently support array values. Found array "
                      "at path: " + info_.fields[i].path);
      }
      if (e.IsArray()) {
        if (arr.eoo()) {
          arr = e;
        } else if (arr.raw() != e.raw()) {
          return Status(ErrorCode::kCannotIndexParallelArrays,
                        "cannot index parallel arrays [" + std::string(e.field_name()) + "] [" +
                            std::string(arr.field_name()) + "]");
        }
        paths[i] = rest;
        arr_fields.push_back(i);
        continue;
      }
      fixed[i] = e.eoo() ? MissingElement() : e;
      done[i] = true;
    }
    if (arr.eoo()) return Emit(fixed);

    out_->multikey = true;
    BsonView elements = arr.Array();
    if (elements.empty()) {
      for (size_t i : arr_fields) {
        fixed[i] = paths[i].empty() ? UndefinedElement() : MissingElement();
        done[i] = true;
      }
      return Recurse(std::move(paths), std::move(fixed), std::move(done), BsonView());
    }
    for (const BsonElement& el : elements) {
      std::vector<BsonElement> f = fixed;
      std::vector<bool> d = done;
      for (size_t i : arr_fields) {
        if (paths[i].empty()) {
          f[i] = el;
          d[i] = true;
        }
      }
      // Nested arrays are not traversed by a non-positional path: the rest is missing.
      DDS_RETURN_IF_ERROR(Recurse(paths, f, d, el.IsObject() ? el.Object() : BsonView()));
    }
    return Status::OK();
  }

  Status Emit(std::vector<BsonElement>& values) {
    if (info_.sparse &&
        std::all_of(values.begin(), values.end(), [](const BsonElement& e) { return IsMissing(e); })) {
      return Status::OK();
    }
    for (size_t i = 0; i < values.size(); ++i) {
      if (info_.fields[i].kind != KeyKind::kHashed) continue;
      bson::BsonBuilder b;
      b.AppendInt64("", HashIndexValue(values[i]));
      out_->arena.push_back(std::make_unique<bson::BsonDocument>(b.Done()));
      values[i] = out_->arena.back()->view().FirstElement();
    }
    IndexKey key;
    key.key_string = EncodeKeyTuple(info_, values);
    key.values = std::move(values);  // the caller's copy is not used afterwards
    out_->keys.push_back(std::move(key));
    return Status::OK();
  }

  const IndexInfo& info_;
  KeySet* out_;
};

}  // namespace

bool IsMissing(const BsonElement& e) { return e.raw() == MissingElement().raw(); }

int64_t HashIndexValue(const BsonElement& value) {
  // FNV-1a over the KeyString (equal values hash alike), then a splitmix64 finalizer.
  std::string ks = storage::EncodeKeyString(value);
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : ks) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return static_cast<int64_t>(h);
}

std::string EncodeKeyTuple(const IndexInfo& info, const std::vector<BsonElement>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    storage::AppendKeyString(&out, values[i], info.fields[i].kind == KeyKind::kDescending);
  }
  return out;
}

Status GenerateKeys(const IndexInfo& info, const BsonView& doc, KeySet* out) {
  out->keys.clear();
  out->multikey = false;
  return Generator(info, out).Run(doc);
}

}  // namespace dds::index
