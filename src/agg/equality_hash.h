// A hash of documents by the KeyStrings of their values at one path: the keys an index
// {path: 1} would hold (array elements, null for a missing field, undefined for an empty array).
// It finds the documents that an equality {path: {$eq: v}} may match without matching every
// document: $lookup's and $graphLookup's hash joins (mongod's, for a foreign collection without a
// usable index). Every document such an equality matches for a non-array v holds KeyString(v)
// (a null v: also undefined's), as the index plans rely on; callers still run the matcher on the
// candidates, so answers stay those of matching every document. Immutable after construction.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "agg/value.h"
#include "bson/bson.h"
#include "index/index_spec.h"

namespace dds::agg {

class EqualityHash {
 public:
  // Hashes `docs` by their values at `path`. Not usable for a path with a numeric component (a
  // position or a field name to the matcher, a position only to the keys), nor when a
  // document's keys cannot be generated.
  EqualityHash(const std::vector<bson::BsonDocument>& docs, const std::string& path);

  // Positions in `docs` of the documents that may equal one of `values`, ascending; nullopt when
  // the hash is not usable or a value is an array (the caller then matches every document).
  std::optional<std::vector<size_t>> Candidates(const std::vector<Value>& values) const;

 private:
  bool usable_ = false;
  index::IndexInfo key_info_;
  // KeyString(undefined): a null value's candidates include its documents too.
  std::string undefined_key_;
  std::unordered_map<std::string, std::vector<size_t>> by_key_;
};

}  // namespace dds::agg
