#include "agg/equality_hash.h"

#include <algorithm>
#include <string_view>

#include "index/key_generator.h"

namespace dds::agg {

EqualityHash::EqualityHash(const std::vector<bson::BsonDocument>& docs, const std::string& path) {
  for (size_t begin = 0; begin <= path.size();) {
    size_t end = std::min(path.find('.', begin), path.size());
    std::string_view part = std::string_view(path).substr(begin, end - begin);
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (!part.empty() && std::all_of(part.begin(), part.end(), digit)) return;
    begin = end + 1;
  }
  key_info_.fields = {index::KeyField{path, index::KeyKind::kAscending}};
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
  auto add = [&](const bson::BsonElement& v) {
    auto it = by_key_.find(index::EncodeKeyTuple(key_info_, {v}));
    if (it != by_key_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  };
  for (const Value& v : values) {
    add(v.element());
    if (v.nullish()) {
      bson::BsonBuilder b;
      b.AppendUndefined("");
      bson::BsonDocument undefined = b.Done();
      add(undefined.view().FirstElement());
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace dds::agg
