// Index key generation: the keys one document contributes to an index (MongoDB's
// BtreeKeyGenerator rules, compat §6).
//
// - Dotted paths walk embedded documents; a numeric component after an array selects that
//   position (no expansion).
// - An array met on a path is expanded: one key per element (multikey). Nested arrays are not
//   expanded further (the inner array is the key). An empty array at the end of a path gives
//   `undefined`.
// - Fields of a compound key that traverse the same array are expanded together (positionally);
//   two different arrays are CannotIndexParallelArrays (171 "cannot index parallel arrays [b] [a]").
// - A missing field gives null. A sparse index skips keys whose every field is missing.
// - A hashed field indexes a 64-bit hash of the value's KeyString (so 1, 1.0 and NumberLong(1)
//   hash alike); arrays are rejected with 16766.
//
// Keys are returned as the KeyString bytes of the tuple (with per-field direction) plus views of
// the values (into the document or into KeySet's own storage). Stateless; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bson/bson.h"
#include "common/status.h"
#include "index/index_spec.h"

namespace dds::index {

struct IndexKey {
  // KeyString of the key tuple (descending fields inverted), without index prefix or _id.
  std::string key_string;
  // The value of each key field (hashed fields: the int64 hash). A missing field is a null
  // element (IsMissing tells it apart from an explicit null).
  std::vector<bson::BsonElement> values;
};

struct KeySet {
  // Sorted by key_string, without duplicates.
  std::vector<IndexKey> keys;
  // Whether an array was traversed (the index becomes multikey).
  bool multikey = false;
  // Owns the hashed values that `keys` point into (stable addresses; empty unless hashed).
  std::vector<std::unique_ptr<bson::BsonDocument>> arena;
};

// Generates the keys of `doc` for the index `info` (sparse honoured; the partial filter is the
// caller's job). The KeySet's element views point into `doc` or *out: `doc` must outlive it.
// Errors: 171 CannotIndexParallelArrays, 16766 (array in a hashed field).
Status GenerateKeys(const IndexInfo& info, const bson::BsonView& doc, KeySet* out);

// Returns true if `e` is the placeholder that GenerateKeys uses for a missing field.
bool IsMissing(const bson::BsonElement& e);

// Returns the 64-bit hash a hashed index stores for `value`.
int64_t HashIndexValue(const bson::BsonElement& value);

// Returns the KeyString of a key tuple: each value encoded with its field's direction.
// REQUIRES: values.size() == info.fields.size(); hashed fields already hold the hash.
std::string EncodeKeyTuple(const IndexInfo& info, const std::vector<bson::BsonElement>& values);

}  // namespace dds::index
