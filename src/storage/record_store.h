// Record store access: WriteUnit (one pessimistic RocksDB transaction), ReadUnit (a consistent
// snapshot) and cursors over one collection's records or over a raw key range.
//
// Records are keyed [0x03][collection id][KeyString(_id)] -> the document's BSON bytes (see
// keyspace.h and docs/on-disk-format.md), so `_id` order is scan order and a find by `_id` is one
// point read. Units are created by Engine::BeginWrite/BeginRead and must not outlive the Engine.
// A unit is used by one thread at a time; different units may be used concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "bson/bson.h"
#include "common/status.h"

namespace rocksdb {
class Iterator;
class Snapshot;
class Transaction;
class TransactionDB;
}  // namespace rocksdb

namespace dds::storage {

class Catalog;
class IteratorPool;
class RecordStats;

// A change of a collection's record count and total BSON bytes.
struct RecordStatsDelta {
  int64_t count = 0;
  int64_t bytes = 0;
};

struct CollectionDescriptor;
using CollectionPtrForUnit = std::shared_ptr<const CollectionDescriptor>;

// One RocksDB transaction. Writes lock their keys (GetForUpdate) until commit or rollback, so
// unique checks are race-free; reads see the unit's own writes. The destructor rolls back if
// Commit was not called. Lock waits that time out or would deadlock return WriteConflict (112).
class RecordCursor;
class RawCursor;

class WriteUnit {
 public:
  // Takes ownership of txn. REQUIRES: `stats` and `catalog` (may be null in tests) outlive the
  // unit.
  WriteUnit(rocksdb::TransactionDB* db, rocksdb::Transaction* txn, RecordStats* stats,
            Catalog* catalog = nullptr);
  ~WriteUnit();
  WriteUnit(const WriteUnit&) = delete;
  WriteUnit& operator=(const WriteUnit&) = delete;

  // Inserts a record. DuplicateKey (11000, "duplicate _id") if a record with an equal _id
  // (CompareElementValues order: 1, 1.0 and NumberLong(1) are equal) exists.
  Status InsertRecord(uint64_t collection_id, const bson::BsonElement& id,
                      const bson::BsonView& doc);
  // Reads and locks a record; nullopt when absent.
  StatusWith<std::optional<bson::BsonDocument>> GetRecordForUpdate(uint64_t collection_id,
                                                                   const bson::BsonElement& id);
  // Replaces a record (inserts it when absent; callers normally check first).
  Status UpdateRecord(uint64_t collection_id, const bson::BsonElement& id,
                      const bson::BsonView& new_doc);
  // Deletes a record (OK when absent). Locks the key.
  Status DeleteRecord(uint64_t collection_id, const bson::BsonElement& id);

  // Reads a record without locking it (this unit's writes over the latest committed data).
  StatusWith<std::optional<bson::BsonDocument>> GetRecord(uint64_t collection_id,
                                                          const bson::BsonElement& id);
  // Scans a collection's records as this unit sees them: its own uncommitted writes over the
  // latest committed data (not a snapshot; nothing is locked). For statements that must see the
  // effects of earlier statements of the same batch. The cursor must be destroyed before
  // Commit/Rollback/RollbackToSavePoint. Writing through the unit while a cursor is open is
  // allowed but invalidates the cursor's current doc()/key()/value() (copy them first), and the
  // cursor may or may not see writes made after it was created.
  std::unique_ptr<RecordCursor> ScanRecords(uint64_t collection_id, bool forward = true);
  // Scans raw keys in [lower, upper) as this unit sees them (same rules as ScanRecords).
  std::unique_ptr<RawCursor> ScanRaw(std::string lower, std::string upper, bool forward = true);

  // Raw access for index entries (not counted in the record statistics).
  Status Put(std::string_view key, std::string_view value);
  Status Delete(std::string_view key);
  // Reads and locks `key`; nullopt when absent.
  StatusWith<std::optional<std::string>> GetForUpdate(std::string_view key);
  // Write without taking the key lock: index builds that hold the collection exclusively, and
  // index entries whose key embeds a _id whose record this unit has locked.
  Status PutUntracked(std::string_view key, std::string_view value);
  Status DeleteUntracked(std::string_view key);
  // Deferred writes: appended to the commit batch in order at Commit, without the transaction's
  // lock or write index (cheaper), so reads through this unit do not see them. For non-unique
  // index entries (keys embed a _id whose record this unit has locked; nothing reads them back
  // inside the unit). Save points cover them.
  void PutDeferred(std::string key, std::string value);
  void DeleteDeferred(std::string key);

  // Takes the collection's write lock (Catalog::CollectionWriteLock) shared, once per unit and
  // collection, and holds it until the unit finishes; returns the collection's current
  // descriptor (taken after the lock, so it lists every index a concurrent build has added), or
  // nullptr if the collection is gone or the unit has no catalog.
  CollectionPtrForUnit LockCollectionForWrite(uint64_t collection_id);
  // The engine's catalog (null for units made without one).
  Catalog* catalog() const { return catalog_; }

  // Marks a point that RollbackToSavePoint returns to (statement-level rollback inside a batch).
  // Save points nest.
  void SetSavePoint();
  // Undoes every write since the most recent SetSavePoint and removes that save point.
  // InternalError if there is none.
  Status RollbackToSavePoint();
  // Forgets the most recent save point, keeping its writes (a statement that succeeded), so a
  // long batch does not stack one save point per statement. InternalError if there is none.
  Status PopSavePoint();
  // Commits. With `durable`, the WAL is fsynced before returning (concurrent durable commits share
  // one fsync: RocksDB's write group); otherwise the WAL write reaches the OS (survives kill -9).
  // The unit is finished afterwards, whatever the outcome.
  Status Commit(bool durable);
  // Discards every write. The unit is finished afterwards.
  void Rollback();
  // Returns the number of writes (puts and deletes) buffered in this unit.
  uint64_t write_count() const;

 private:
  // Reads (and locks) the record at key_buf_; returns its size, or -1 when absent.
  StatusWith<int64_t> LockedRecordSize();

  rocksdb::TransactionDB* db_;
  std::unique_ptr<rocksdb::Transaction> txn_;
  RecordStats* stats_;
  std::string key_buf_;
  // Record statistics changes of this unit, applied at commit; one copy per save point.
  std::map<uint64_t, RecordStatsDelta> deltas_;
  std::vector<std::map<uint64_t, RecordStatsDelta>> save_point_deltas_;
  // Deferred writes (key, value, is_delete) and their count at each save point.
  struct DeferredOp {
    std::string key;
    std::string value;
    bool is_delete;
  };
  std::vector<DeferredOp> deferred_;
  std::vector<size_t> save_point_deferred_;
  bool finished_ = false;
  Catalog* catalog_;
  // Collection write locks held until the unit finishes (released after commit/rollback).
  std::vector<std::pair<uint64_t, std::shared_ptr<std::shared_mutex>>> held_locks_;
  void ReleaseLocks();
  Status CommitImpl(bool durable);
};

// Iterates one collection's records in _id (KeyString) order over a snapshot.
class RecordCursor {
 public:
  virtual ~RecordCursor() = default;
  // Advances to the next record (the first one on the first call); false at the end or on error
  // (check status()).
  virtual bool Next() = 0;
  // Returns the current document; valid until the next Next(). REQUIRES: the last Next() was true.
  virtual bson::BsonView doc() const = 0;
  // Returns the KeyString(_id) part of the current key.
  virtual std::string_view record_key() const = 0;
  // Returns the error that ended the iteration (InternalError for corrupt data), or OK.
  virtual Status status() const = 0;
};

// Iterates raw keys of [lower, upper) over a snapshot (index entries).
class RawCursor {
 public:
  virtual ~RawCursor() = default;
  // Positions at the first key >= target (forward cursors) or the last key <= target (backward).
  // The next Next() returns that entry.
  virtual void Seek(std::string_view target) = 0;
  // Advances; false at the end of the range or on error (check status()).
  virtual bool Next() = 0;
  // Current entry; valid until the next Next()/Seek(). REQUIRES: the last Next() was true.
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  virtual Status status() const = 0;
};

// A consistent snapshot of the whole database; may live for minutes (server cursors keep it
// across getMore). Cursors created from it must not outlive it.
class ReadUnit {
 public:
  // Takes the snapshot. Index scans (ScanRaw) reuse iterators through `pool` when it is set; it
  // must outlive the unit and its cursors.
  // `prefix_seeks`: index scans of one first-field value may use the prefix bloom filters (worth
  // it when the tree has enough sorted runs for files to be skipped; Engine decides).
  ReadUnit(rocksdb::TransactionDB* db, const rocksdb::Snapshot* snapshot,
           IteratorPool* pool = nullptr, bool prefix_seeks = true);
  ~ReadUnit();
  ReadUnit(const ReadUnit&) = delete;
  ReadUnit& operator=(const ReadUnit&) = delete;

  // Returns the record, nullopt when absent, InternalError when the stored bytes are corrupt.
  StatusWith<std::optional<bson::BsonDocument>> GetRecord(uint64_t collection_id,
                                                          const bson::BsonElement& id);
  // Scans one collection's records in _id order (or reverse).
  std::unique_ptr<RecordCursor> ScanRecords(uint64_t collection_id, bool forward = true);
  // Scans raw keys in [lower, upper), forward or backward.
  std::unique_ptr<RawCursor> ScanRaw(std::string lower, std::string upper, bool forward = true);
  // Point read of a raw key; nullopt when absent.
  StatusWith<std::optional<std::string>> Get(std::string_view key);

 private:
  rocksdb::TransactionDB* db_;
  const rocksdb::Snapshot* snapshot_;
  IteratorPool* pool_;
  bool prefix_seeks_;
  std::string key_buf_;
};

}  // namespace dds::storage
