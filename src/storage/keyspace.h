// The RocksDB key layout shared by the storage layer and the index layer above it.
//
// Every key starts with a one-byte keyspace tag; ids are 8 bytes big-endian so that one
// collection's (or index's) keys are contiguous and sorted. See docs/on-disk-format.md.
//
//   [0x01][name]                                   catalog metadata (format version, next id)
//   [0x02][collection id]                          catalog entry of a collection (BSON)
//   [0x03][collection id][KeyString(_id)]          a record: the document's BSON bytes
//   [0x04][index id][KeyString(key)...][KeyString(_id)]   a secondary-index entry (index layer)
//   [0x05][collection id]                          record count and bytes of a collection
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bson/bson.h"

namespace dds::storage {

enum class Keyspace : uint8_t {
  kCatalogMeta = 0x01,
  kCollection = 0x02,
  kRecord = 0x03,
  kIndex = 0x04,
  kRecordStats = 0x05,
};

// Current on-disk format version, stored under [0x01]"format_version". Version 2 added
// tuple-keyed unique index entries (IndexDescriptor::tuple_keys); a version 1 database reads the
// same (its indexes carry no tuple_keys) and is marked 2 at open, so an older binary, which would
// misread tuple-keyed entries, refuses it from then on.
constexpr int32_t kFormatVersion = 2;
constexpr int32_t kOldestUpgradableFormatVersion = 1;

// Appends `v` as 8 bytes big-endian.
void AppendBigEndian64(std::string* out, uint64_t v);
// Reads 8 bytes big-endian. REQUIRES: p points at 8 readable bytes.
uint64_t ReadBigEndian64(const char* p);

// Returns [tag][id]: the prefix of all keys of one collection's records or of one index.
std::string KeyPrefix(Keyspace keyspace, uint64_t id);
// Returns [0x03][collection id].
inline std::string RecordPrefix(uint64_t collection_id) {
  return KeyPrefix(Keyspace::kRecord, collection_id);
}
// Returns [0x04][index id].
inline std::string IndexPrefix(uint64_t index_id) { return KeyPrefix(Keyspace::kIndex, index_id); }
// Returns [0x03][collection id][KeyString(id)].
std::string RecordKey(uint64_t collection_id, const bson::BsonElement& id);
// Returns the first key after every key starting with `prefix` (the exclusive upper bound of a
// prefix scan). REQUIRES: `prefix` is not all 0xff bytes.
std::string PrefixSuccessor(std::string_view prefix);
// Returns the size of the bloom-filter prefix of `key`: [0x04][index id][KeyString(first field)]
// for an index key with a complete first field, else 0 (no prefix; docs/on-disk-format.md).
size_t IndexKeyPrefixSize(std::string_view key);
// Returns whether every key of [lower, upper) starts with the prefix of `lower` (then a forward
// scan of the range may use the prefix bloom filters).
bool RangeSharesIndexKeyPrefix(std::string_view lower, std::string_view upper);

}  // namespace dds::storage
