// Exact per-collection record statistics (count and BSON bytes), storage-internal.
//
// Persisted as [0x05][collection id] -> 16 bytes (int64 count, int64 bytes, little-endian),
// updated by a RocksDB merge operator (addition) inside each committing transaction, so the
// statistics are crash-consistent with the records. An in-memory copy, loaded at open and updated
// after each successful commit, answers reads. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "common/status.h"
#include "storage/record_store.h"

namespace rocksdb {
class DB;
class MergeOperator;
}  // namespace rocksdb

namespace dds::storage {

// Returns the merge operator that adds RecordStatsDelta values.
std::shared_ptr<rocksdb::MergeOperator> NewRecordStatsMergeOperator();
// Returns the 16-byte encoding of `delta`.
std::string EncodeRecordStats(const RecordStatsDelta& delta);

class RecordStats {
 public:
  // Reads every persisted statistics entry.
  Status Load(rocksdb::DB* db);
  // Adds committed deltas.
  void Apply(const std::map<uint64_t, RecordStatsDelta>& deltas);
  // Returns the statistics of one collection (zeros when unknown).
  RecordStatsDelta Get(uint64_t collection_id) const;

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_map<uint64_t, RecordStatsDelta> stats_;
};

}  // namespace dds::storage
