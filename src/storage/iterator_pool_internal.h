// Reuse of RocksDB iterators across short index scans (storage-internal).
//
// Creating a RocksDB iterator costs about as much as the seek it is made for (a child iterator
// per memtable and L0 file, table-cache lookups, index readers), and a find by an indexed field
// creates one per query. An iterator made at a snapshot shows exactly what a later snapshot with
// the same sequence number shows (nothing was written in between), so it can serve that later
// snapshot: the pool keeps iterators of finished index scans and hands one back when the
// sequence number and the seek mode match. A pooled iterator holds a snapshot of its own, so the
// versions it reads stay protected while it waits. Entries live at most kMaxIdle: a waiting
// iterator pins the memtables and files it was made over, which flushes and compactions may have
// replaced since (Engine::ReleaseIdleIterators drops expired ones even when no scan comes).
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <rocksdb/slice.h>

namespace rocksdb {
class DB;
class Iterator;
class Snapshot;
}  // namespace rocksdb

namespace dds::storage {

// An iterator with the bounds its ReadOptions point at: a reused iterator gets new bounds by
// assignment (strings, then the slices' views of them) before its next seek.
struct PooledIterator {
  PooledIterator() = default;
  ~PooledIterator();
  PooledIterator(const PooledIterator&) = delete;
  PooledIterator& operator=(const PooledIterator&) = delete;

  // Sets the bounds [lower, upper).
  void SetBounds(std::string new_lower, std::string new_upper);
  // The sequence number the iterator reads at. REQUIRES: own_snapshot is set (a poolable entry).
  uint64_t sequence() const;

  std::string lower, upper;
  rocksdb::Slice lower_slice, upper_slice;
  std::unique_ptr<rocksdb::Iterator> it;
  // The database and the snapshot the iterator reads at, released with the entry; both null for
  // an iterator that is not poolable (made at a snapshot older than the latest data).
  rocksdb::DB* db = nullptr;
  const rocksdb::Snapshot* own_snapshot = nullptr;
  bool prefix_mode = false;
  std::chrono::steady_clock::time_point created;
};

class IteratorPool {
 public:
  static constexpr std::chrono::milliseconds kMaxIdle{500};

  explicit IteratorPool(size_t capacity) : capacity_(capacity) {}
  ~IteratorPool() { Clear(); }
  IteratorPool(const IteratorPool&) = delete;
  IteratorPool& operator=(const IteratorPool&) = delete;

  // Returns a pooled iterator made at `sequence` in `prefix_mode`, or nullptr. Drops expired
  // entries and entries older than `sequence` on the way.
  std::unique_ptr<PooledIterator> Take(uint64_t sequence, bool prefix_mode);
  // Keeps a poolable entry for reuse; drops it when the pool is full or it is expired or failed.
  void Return(std::unique_ptr<PooledIterator> entry);
  // Drops expired entries (a periodic task: an idle server must not pin old files).
  void DropExpired();
  // Drops every entry. REQUIRES: before the database closes.
  void Clear();

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<PooledIterator>> entries_;
  size_t capacity_;
};

}  // namespace dds::storage
