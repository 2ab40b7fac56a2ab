#include "agg/equality_hash.h"

#include <algorithm>

#include "index/key_generator.h"
#include "query/path.h"

namespace dds::agg {

EqualityHash::EqualityHash(const std::vector<bson::BsonDocument>& docs, const std::string& path) {
  const query::FieldPath field_path(path);
  for (size_t i = 0; i < field_path.size(); ++i) {
    if (field_path.is_numeric(i)) return;
  }
  key_info_.fields = {index::KeyField{path, index::KeyKind::kAscending}};
  bson::BsonBuilder b;
  b.AppendUndefined("");
  const bson::BsonDocument undefined = b.Done();
  undefined_key_ = index::EncodeKeyTuple(key_info_, {undefined.view().FirstElement()});
  index::KeySet keys;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (!index::GenerateKeys(key_info_, docs[i].view(), &keys).ok()) {
      by_key_.clear();
      return;
    }
    for (const index::IndexKey& k : keys.keys) by_key_[k.key_string].push_back(i);
  }
  usable_ = true;
}

std::optional<std::vector<size_t>> EqualityHash::Candidates(
    const std::vector<Value>& values) const {
  if (!usable_ || std::any_of(values.begin(), values.end(),
                              [](const Value& v) { return v.IsArray(); })) {
    return std::nullopt;
  }
  std::vector<size_t> out;
  auto add = [&](const std::string& key) {
    auto it = by_key_.find(key);
    if (it != by_key_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  };
  for (const Value& v : values) {
    add(index::EncodeKeyTuple(key_info_, {v.element()}));
    if (v.nullish()) add(undefined_key_);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace dds::agg
