// Engine: the storage engine of one ddsd process, a RocksDB TransactionDB (pessimistic) in one
// directory, plus the catalog.
//
// Open locks the directory (RocksDB's LOCK file); a second process or a second Open of the same
// path gets DBPathInUse (98). The WAL is always on: non-durable commits write it to the OS,
// durable ones fsync it. The Engine owns the catalog; units and cursors must not outlive it.
// Thread-safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "storage/catalog.h"
#include "storage/record_store.h"

namespace rocksdb {
class TransactionDB;
}  // namespace rocksdb

namespace dds::storage {

class IteratorPool;

struct EngineOptions {
  // Directory of the database; created if missing (mkdir -p). Required.
  std::string db_path;
  // Size of the block cache. Default: 8 MB (keeps idle RSS small).
  size_t block_cache_bytes = 8 << 20;
  // Size of one memtable. Default: 16 MB.
  size_t write_buffer_bytes = 16 << 20;
};

class Engine {
 public:
  // Opens (creating if needed) the database at options.db_path. DBPathInUse (98) if another
  // process (or Engine) holds it; InternalError for other RocksDB failures.
  static StatusWith<std::unique_ptr<Engine>> Open(const EngineOptions& options);
  // Closes the database cleanly (nothing extra is flushed: the WAL is the durability).
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  Catalog& catalog() { return *catalog_; }
  // Starts a write transaction.
  std::unique_ptr<WriteUnit> BeginWrite();
  // Takes a consistent snapshot.
  std::unique_ptr<ReadUnit> BeginRead();
  // Fsyncs the WAL (the fsync command, j:true paths with nothing else to commit).
  Status SyncWal();
  // Creates a RocksDB checkpoint (hard links) in `dir`, which must not exist.
  Status CreateCheckpoint(const std::string& dir);
  // Returns the total BSON bytes of a live collection's records (collStats "size"). Exact: kept
  // per commit, persisted with the records (despite the name).
  int64_t ApproximateDataSize(uint64_t collection_id);
  // Returns the number of a live collection's records. Exact, like ApproximateDataSize.
  int64_t ApproximateRecordCount(uint64_t collection_id);
  // Returns the approximate bytes the collection's records occupy in RocksDB (compressed files
  // plus memtables; collStats "storageSize"). An estimate.
  int64_t ApproximateStorageSize(uint64_t collection_id);
  // Writes `entries` (key, value) in one atomic batch without transaction locks or the
  // transaction's write index (index builds, which hold the collection exclusively and write keys
  // no other writer uses). The WAL is written (not synced).
  Status BulkPut(const std::vector<std::pair<std::string, std::string>>& entries);
  // Returns the approximate bytes of one secondary index's entries (collStats indexSizes; the
  // _id index, id 0, is the record store itself: callers report 0 or the storage size).
  int64_t ApproximateIndexSize(uint64_t index_id);
  const std::string& db_path() const { return options_.db_path; }

  // Compacts one collection's records and index entries (the compact command): rewrites the SST
  // files holding them, dropping deleted and overwritten versions no snapshot needs. Runs in the
  // caller's thread, alongside reads and writes (RocksDB compacts ranges concurrently). Returns
  // the approximate bytes freed (storage size before minus after; 0 when it grew).
  StatusWith<int64_t> CompactCollection(const CollectionDescriptor& collection);

  // RocksDB's own figures for serverStatus's `rocksdb` section: (name, value) pairs such as
  // "block-cache-usage", "compaction-pending", "num-running-compactions",
  // "estimate-pending-compaction-bytes", "cur-size-all-mem-tables" (RocksDB's property names without
  // the "rocksdb." prefix; a property RocksDB cannot answer is left out), and the number of SST
  // files at each level (L0 first).
  struct EngineMetrics {
    std::vector<std::pair<std::string, int64_t>> properties;
    std::vector<int64_t> files_per_level;
  };
  EngineMetrics Metrics();

  // Drops index-scan iterators kept for reuse longer than their idle limit (they pin memtables
  // and files that flushes and compactions replaced). ddsd calls it periodically.
  void ReleaseIdleIterators();

  // Flushes the memtables to SST files (tests and benchmarks: exercises reads across files).
  Status FlushForTest();
  // Whether index seeks currently use the prefix bloom filters (decided at most once a second
  // by BeginRead from the tree's shape), for tests.
  bool PrefixSeeksForTest() const { return prefix_seeks_.load(); }
  // Returns the number of WAL fsyncs since open (from RocksDB's DB stats), for tests.
  int64_t WalSyncCountForTest();

 private:
  Engine(EngineOptions options, rocksdb::TransactionDB* db);
  // Approximate bytes of the keys in [lower, upper) (files and memtables).
  int64_t ApproximateRangeSize(const std::string& lower, const std::string& upper);

  EngineOptions options_;
  rocksdb::TransactionDB* db_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<RecordStats> stats_;
  std::unique_ptr<IteratorPool> iterator_pool_;

  // Whether index seeks within one first-field value use the prefix bloom filters: a filter probe
  // per sorted run saves the index and data block lookups of every run without the value, but
  // costs one lookup more where the value is. Worth it from 3 sorted runs (L0 files + non-empty
  // levels); re-decided at most once a second from the column family's shape.
  bool PrefixSeeksWorthwhile();
  std::atomic<int64_t> prefix_seeks_decided_at_{0};
  std::atomic<bool> prefix_seeks_{true};
};

}  // namespace dds::storage
