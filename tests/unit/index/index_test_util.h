// Helpers for index tests: parse an IndexInfo from JSON, render generated keys as strings.
#pragma once

#include <string>
#include <vector>

#include "bson/bson.h"
#include "index/index_spec.h"
#include "index/key_generator.h"
#include "test_util.h"

namespace dds::index {

inline IndexInfo InfoFromJson(const std::string& spec_json, uint64_t index_id = 7) {
  storage::IndexDescriptor d;
  d.spec = bson::FromJson(spec_json);
  d.name = std::string(d.spec.view()["name"].String());
  d.index_id = index_id;
  StatusWith<IndexInfo> info = ParseIndexInfo(d);
  EXPECT_TRUE(info.ok()) << info.status().ToString();
  return std::move(info).value();
}

// Renders each key as "v0,v1" (values as Extended JSON), in KeyString order; "missing" marks the
// placeholder of a missing field.
inline std::vector<std::string> KeysOf(const IndexInfo& info, const std::string& doc_json,
                                       Status* status = nullptr, bool* multikey = nullptr) {
  bson::BsonDocument doc = bson::FromJson(doc_json);
  KeySet keys;
  Status s = GenerateKeys(info, doc.view(), &keys);
  if (status) *status = s;
  if (multikey) *multikey = keys.multikey;
  std::vector<std::string> out;
  for (const IndexKey& k : keys.keys) {
    std::string row;
    for (size_t i = 0; i < k.values.size(); ++i) {
      if (i > 0) row += ",";
      if (IsMissing(k.values[i])) {
        row += "missing";
      } else {
        row += k.values[i].ValueToJson();
      }
    }
    out.push_back(row);
  }
  return out;
}

}  // namespace dds::index
