// IndexInfo: the parsed form of one index specification ({v, key, name, unique, sparse,
// partialFilterExpression, expireAfterSeconds, hidden, ...}, compat §6): the key pattern as a list
// of (dotted path, direction or "hashed") plus the options the index layer and the planner need.
// ValidateKeyPattern checks a key pattern for createIndexes with mongod's errors.
//
// Plain values; thread-safe once built.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bson/bson.h"
#include "common/status.h"
#include "storage/catalog.h"

namespace dds::index {

enum class KeyKind { kAscending, kDescending, kHashed };

struct KeyField {
  std::string path;
  KeyKind kind = KeyKind::kAscending;
};

struct IndexInfo {
  std::string name;
  // Prefix id of the entries ([0x04][index_id]...); 0 for the _id index.
  uint64_t index_id = 0;
  bson::BsonDocument key_pattern;
  std::vector<KeyField> fields;
  bool unique = false;
  // collMod prepareUnique: new duplicate keys are rejected (11000) like a unique index, existing
  // ones stay until collMod {unique: true} converts the index.
  bool prepare_unique = false;
  bool sparse = false;
  bool hidden = false;
  bool building = false;
  bool multikey = false;
  // Entries keyed by the tuple alone (storage::IndexDescriptor::tuple_keys).
  bool tuple_keys = false;
  // The partialFilterExpression, if any.
  std::optional<bson::BsonDocument> partial_filter;
  // expireAfterSeconds, if any (TTL index).
  std::optional<int64_t> expire_after_seconds;

  bool is_id() const { return index_id == 0; }
  bool hashed() const;
};

// Parses a stored index descriptor. BadValue for a malformed key pattern.
StatusWith<IndexInfo> ParseIndexInfo(const storage::IndexDescriptor& index);

// Validates the key pattern and options of a createIndexes spec that the commands layer already
// checked for shape (key is a non-empty object, name a string). Errors: 67 CannotCreateIndex for
// bad key values; 238 NotImplemented for text, 2dsphere, 2d and wildcard indexes; 31303 for more
// than one hashed field; 16764 for unique hashed; 13103 for more than 32 fields; 2 for a bad
// expireAfterSeconds / partialFilterExpression / sparse type.
Status ValidateIndexSpec(const bson::BsonView& spec);

// Returns the default index name for a key pattern: fields joined as `field_dir` ("a_1_b_-1").
std::string DefaultIndexName(const bson::BsonView& key_pattern);

}  // namespace dds::index
