#include "storage/engine.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <system_error>

#include <rocksdb/write_batch.h>
#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/metadata.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/utilities/transaction.h>
#include <rocksdb/utilities/transaction_db.h>

#include "storage/iterator_pool_internal.h"
#include "storage/key_string.h"
#include "storage/keyspace.h"
#include "storage/record_stats_internal.h"
#include "storage/status_internal.h"

namespace dds::storage {
namespace {

// The prefix of an index entry key for the bloom filters: [0x04][index id][KeyString(first key
// field)] (docs/on-disk-format.md, "Filters"). Other keys are outside the domain (whole-key
// filters only). An equality on the first field of an index then seeks with a prefix bloom check
// per SST file instead of reading a block of every file (ReadUnit::ScanRaw's prefix seeks). The
// name is versioned: files written with another extractor simply get no prefix filtering.
class IndexKeyPrefixExtractor : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "dds.IndexFirstField.1"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), IndexKeyPrefixSize(std::string_view(key.data(), key.size())));
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return IndexKeyPrefixSize(std::string_view(key.data(), key.size())) > 0;
  }
};

rocksdb::Options MakeOptions(const EngineOptions& engine_options) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = engine_options.write_buffer_bytes;
  options.max_write_buffer_number = 3;
  options.max_background_jobs = 2;
  options.max_open_files = 512;
  options.avoid_flush_during_shutdown = true;  // the WAL is the durability
  options.stats_dump_period_sec = 0;
  options.max_log_file_size = 4 << 20;
  options.keep_log_file_num = 3;
  options.compression = rocksdb::kSnappyCompression;
  options.merge_operator = NewRecordStatsMergeOperator();
  options.prefix_extractor = std::make_shared<IndexKeyPrefixExtractor>();

  rocksdb::BlockBasedTableOptions table;
  // Few shards: a big block must fit one shard's share of the small cache, or it is re-read and
  // re-decompressed on every access.
  table.block_cache = rocksdb::NewLRUCache(engine_options.block_cache_bytes, /*num_shard_bits=*/2);
  // Partitioned index and filters: the cache holds small partitions instead of one multi-MB index
  // block per file; only the top level stays pinned. Bounded memory, no re-reads of big blocks.
  table.index_type = rocksdb::BlockBasedTableOptions::IndexType::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4096;
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_top_level_index_and_filter = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.format_version = 5;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

}  // namespace

Engine::Engine(EngineOptions options, rocksdb::TransactionDB* db)
    : options_(std::move(options)),
      db_(db),
      catalog_(std::make_unique<Catalog>(db)),
      stats_(std::make_unique<RecordStats>()),
      // Enough for every io thread's scan plus a few long-lived cursors' finished ones.
      iterator_pool_(std::make_unique<IteratorPool>(32)) {}

Engine::~Engine() {
  iterator_pool_->Clear();  // pooled iterators and snapshots go before the database
  catalog_.reset();
  if (db_ != nullptr) {
    db_->Close();
    delete db_;
  }
}

StatusWith<std::unique_ptr<Engine>> Engine::Open(const EngineOptions& options) {
  if (options.db_path.empty()) return Status(ErrorCode::kBadValue, "dbpath is empty");
  std::error_code ec;
  std::filesystem::create_directories(options.db_path, ec);
  if (ec) {
    return Status(ErrorCode::kInternalError,
                  "cannot create dbpath " + options.db_path + ": " + ec.message());
  }
  rocksdb::TransactionDBOptions txn_db_options;
  rocksdb::TransactionDB* db = nullptr;
  rocksdb::Status s =
      rocksdb::TransactionDB::Open(MakeOptions(options), txn_db_options, options.db_path, &db);
  if (!s.ok()) {
    std::string message = s.ToString();
    if (s.IsIOError() && message.find("lock") != std::string::npos) {
      return Status(ErrorCode::kDBPathInUse,
                    "Unable to lock the lock file: " + options.db_path +
                        "/LOCK. Another ddsd instance is already running on the " +
                        options.db_path + " directory (" + message + ")");
    }
    return Status(ErrorCode::kInternalError, "cannot open the database: " + message);
  }
  std::unique_ptr<Engine> engine(new Engine(options, db));
  DDS_RETURN_IF_ERROR(engine->catalog_->Load());
  DDS_RETURN_IF_ERROR(engine->stats_->Load(db));
  return engine;
}

std::unique_ptr<WriteUnit> Engine::BeginWrite() {
  rocksdb::TransactionOptions txn_options;
  txn_options.deadlock_detect = true;
  rocksdb::Transaction* txn = db_->BeginTransaction(rocksdb::WriteOptions(), txn_options);
  return std::make_unique<WriteUnit>(db_, txn, stats_.get(), catalog_.get());
}

std::unique_ptr<ReadUnit> Engine::BeginRead() {
  return std::make_unique<ReadUnit>(db_, db_->GetSnapshot(), iterator_pool_.get(),
                                    PrefixSeeksWorthwhile());
}

Status Engine::SyncWal() { return FromRocks(db_->SyncWAL()); }

Status Engine::CreateCheckpoint(const std::string& dir) {
  rocksdb::Checkpoint* checkpoint = nullptr;
  DDS_RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(db_, &checkpoint)));
  std::unique_ptr<rocksdb::Checkpoint> owner(checkpoint);
  return FromRocks(checkpoint->CreateCheckpoint(dir));
}

int64_t Engine::ApproximateDataSize(uint64_t collection_id) {
  return stats_->Get(collection_id).bytes;
}

int64_t Engine::ApproximateRecordCount(uint64_t collection_id) {
  return stats_->Get(collection_id).count;
}

int64_t Engine::ApproximateRangeSize(const std::string& lower, const std::string& upper) {
  rocksdb::Range range(lower, upper);
  rocksdb::SizeApproximationOptions size_options;
  size_options.include_memtables = true;
  size_options.include_files = true;
  uint64_t size = 0;
  db_->GetApproximateSizes(size_options, db_->DefaultColumnFamily(), &range, 1, &size);
  return static_cast<int64_t>(size);
}

int64_t Engine::ApproximateStorageSize(uint64_t collection_id) {
  return ApproximateRangeSize(RecordPrefix(collection_id), RecordPrefix(collection_id + 1));
}

Status Engine::BulkPut(const std::vector<std::pair<std::string, std::string>>& entries) {
  rocksdb::WriteBatch batch;
  for (const auto& [key, value] : entries) {
    DDS_RETURN_IF_ERROR(FromRocks(batch.Put(key, value)));
  }
  rocksdb::WriteOptions write_options;
  rocksdb::TransactionDBWriteOptimizations optimizations;
  optimizations.skip_concurrency_control = true;
  return FromRocks(db_->Write(write_options, optimizations, &batch));
}

int64_t Engine::ApproximateIndexSize(uint64_t index_id) {
  return ApproximateRangeSize(IndexPrefix(index_id), IndexPrefix(index_id + 1));
}

bool Engine::PrefixSeeksWorthwhile() {
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  int64_t decided_at = prefix_seeks_decided_at_.load(std::memory_order_relaxed);
  if (now - decided_at >= 1000 &&
      prefix_seeks_decided_at_.compare_exchange_strong(decided_at, now)) {
    rocksdb::ColumnFamilyMetaData meta;
    db_->GetColumnFamilyMetaData(db_->DefaultColumnFamily(), &meta);
    size_t sorted_runs = 0;
    for (const rocksdb::LevelMetaData& level : meta.levels) {
      if (level.level == 0) {
        sorted_runs += level.files.size();
      } else if (!level.files.empty()) {
        ++sorted_runs;
      }
    }
    prefix_seeks_.store(sorted_runs >= 3, std::memory_order_relaxed);
  }
  return prefix_seeks_.load(std::memory_order_relaxed);
}

StatusWith<int64_t> Engine::CompactCollection(const CollectionDescriptor& collection) {
  std::vector<std::pair<std::string, std::string>> ranges = {
      {RecordPrefix(collection.id), RecordPrefix(collection.id + 1)}};
  for (const IndexDescriptor& index : collection.indexes) {
    if (index.index_id != 0) {
      ranges.emplace_back(IndexPrefix(index.index_id), IndexPrefix(index.index_id + 1));
    }
  }
  auto size_of = [&] {
    int64_t total = 0;
    for (const auto& [lower, upper] : ranges) total += ApproximateRangeSize(lower, upper);
    return total;
  };
  const int64_t before = size_of();
  rocksdb::CompactRangeOptions options;
  // Rewrite the bottommost files too: that is where deleted documents' old versions live.
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  options.exclusive_manual_compaction = false;  // background compactions go on meanwhile
  for (const auto& [lower, upper] : ranges) {
    rocksdb::Slice begin(lower), end(upper);
    DDS_RETURN_IF_ERROR(FromRocks(db_->CompactRange(options, &begin, &end)));
  }
  return std::max<int64_t>(0, before - size_of());
}

Engine::EngineMetrics Engine::Metrics() {
  static constexpr const char* kProperties[] = {
      "block-cache-capacity",       "block-cache-usage",
      "block-cache-pinned-usage",   "cur-size-all-mem-tables",
      "num-immutable-mem-table",    "mem-table-flush-pending",
      "num-running-flushes",        "compaction-pending",
      "num-running-compactions",    "estimate-pending-compaction-bytes",
      "estimate-live-data-size",    "total-sst-files-size",
      "estimate-num-keys",          "num-snapshots",
      "background-errors",
  };
  EngineMetrics metrics;
  for (const char* name : kProperties) {
    uint64_t value = 0;
    if (db_->GetIntProperty(std::string("rocksdb.") + name, &value)) {
      metrics.properties.emplace_back(name, static_cast<int64_t>(value));
    }
  }
  rocksdb::ColumnFamilyMetaData meta;
  db_->GetColumnFamilyMetaData(db_->DefaultColumnFamily(), &meta);
  for (const rocksdb::LevelMetaData& level : meta.levels) {
    metrics.files_per_level.push_back(static_cast<int64_t>(level.files.size()));
  }
  return metrics;
}

void Engine::ReleaseIdleIterators() { iterator_pool_->DropExpired(); }

Status Engine::FlushForTest() { return FromRocks(db_->Flush(rocksdb::FlushOptions())); }

int64_t Engine::WalSyncCountForTest() {
  std::string stats;
  if (!db_->GetProperty("rocksdb.dbstats", &stats)) return -1;
  // "Cumulative WAL: 12 writes, 3 syncs, ..."
  size_t pos = stats.find("Cumulative WAL:");
  if (pos == std::string::npos) return -1;
  size_t comma = stats.find(',', pos);
  if (comma == std::string::npos) return -1;
  return std::strtoll(stats.c_str() + comma + 1, nullptr, 10);
}

}  // namespace dds::storage
