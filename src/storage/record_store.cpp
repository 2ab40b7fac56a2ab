#include "storage/record_store.h"

#include <algorithm>

#include <rocksdb/utilities/transaction.h>
#include <rocksdb/utilities/transaction_db.h>
#include <rocksdb/utilities/write_batch_with_index.h>

#include "common/assert.h"
#include "storage/catalog.h"
#include "storage/iterator_pool_internal.h"
#include "storage/key_string.h"
#include "storage/keyspace.h"
#include "storage/record_stats_internal.h"
#include "storage/status_internal.h"

namespace dds::storage {
namespace {

void MakeRecordKey(std::string* key, uint64_t collection_id, const bson::BsonElement& id) {
  key->clear();
  key->push_back(static_cast<char>(Keyspace::kRecord));
  AppendBigEndian64(key, collection_id);
  AppendKeyString(key, id);
}

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// Stored records are trusted but checked: corrupt bytes must not crash the server.
Status CheckRecord(const char* data, size_t size) {
  size_t doc_size = 0;
  if (!bson::ValidateBson(data, size, bson::kMaxBsonDepth + 50, &doc_size).ok() ||
      doc_size != size) {
    return Status(ErrorCode::kInternalError, "data corruption: a stored record is not valid BSON");
  }
  return Status::OK();
}

StatusWith<std::optional<bson::BsonDocument>> ToDocument(const rocksdb::Status& s,
                                                         const rocksdb::PinnableSlice& value) {
  if (s.IsNotFound()) return std::optional<bson::BsonDocument>();
  if (!s.ok()) return FromRocks(s);
  DDS_RETURN_IF_ERROR(CheckRecord(value.data(), value.size()));
  return std::optional<bson::BsonDocument>(
      bson::BsonDocument::FromBytes(std::string(value.data(), value.size())));
}

struct IteratorSource {
  rocksdb::DB* db = nullptr;
  const rocksdb::Snapshot* snapshot = nullptr;
  rocksdb::Transaction* txn = nullptr;
  // Index scans of snapshot readers reuse iterators from here (may be null).
  IteratorPool* pool = nullptr;
  // Whether a range within one first-field value may seek with the prefix bloom filters.
  bool prefix_seeks = true;
};

// A bounded iterator over [lower, upper), forward or backward.
class BoundedIterator {
 public:
  // Iterates `source.db` at `source.snapshot`, or the transaction `source.txn` (its own writes
  // over the latest committed data) when it is set.
  BoundedIterator(const IteratorSource& source, std::string lower, std::string upper, bool forward)
      : forward_(forward) {
    // Every key of the range has lower's index-key prefix (an equality on an index's first
    // field): SST files whose prefix bloom filter rules the prefix out are skipped. Otherwise,
    // and always inside transactions, a total-order seek (a prefix seek must never cross prefixes).
    const bool prefix_mode = source.txn == nullptr && source.prefix_seeks && forward &&
                             RangeSharesIndexKeyPrefix(lower, upper);
    if (source.pool != nullptr && source.snapshot != nullptr) {
      pool_ = source.pool;
      state_ = pool_->Take(source.snapshot->GetSequenceNumber(), prefix_mode);
      if (state_ != nullptr) {
        state_->SetBounds(std::move(lower), std::move(upper));
        return;
      }
    }
    state_ = std::make_unique<PooledIterator>();
    state_->SetBounds(std::move(lower), std::move(upper));
    state_->prefix_mode = prefix_mode;
    rocksdb::ReadOptions options;
    options.snapshot = source.snapshot;
    if (pool_ != nullptr) {
      // Poolable only when made at the latest data: the entry's own snapshot then has the
      // reader's sequence number and outlives the reader.
      const rocksdb::Snapshot* own = source.db->GetSnapshot();
      if (own->GetSequenceNumber() == source.snapshot->GetSequenceNumber()) {
        state_->db = source.db;
        state_->own_snapshot = own;
        state_->created = std::chrono::steady_clock::now();
        options.snapshot = own;
      } else {
        source.db->ReleaseSnapshot(own);
      }
    }
    // The iterator reads its bounds through these pointers, so a pooled one follows SetBounds.
    options.iterate_lower_bound = &state_->lower_slice;
    options.iterate_upper_bound = &state_->upper_slice;
    if (prefix_mode) {
      options.prefix_same_as_start = true;
    } else {
      options.total_order_seek = true;
    }
    state_->it.reset(source.txn != nullptr ? source.txn->GetIterator(options)
                                           : source.db->NewIterator(options));
  }

  ~BoundedIterator() {
    if (pool_ != nullptr) pool_->Return(std::move(state_));
  }
  BoundedIterator(const BoundedIterator&) = delete;
  BoundedIterator& operator=(const BoundedIterator&) = delete;

  void Seek(std::string_view target) {
    if (forward_) {
      it()->Seek(ToSlice(target < state_->lower ? std::string_view(state_->lower) : target));
    } else if (target >= state_->upper) {
      SeekToEnd();
    } else {
      it()->SeekForPrev(ToSlice(target));
    }
    started_ = true;
    positioned_ = true;
  }

  // Moves to the next entry; false at the end (status() tells errors apart).
  bool Next() {
    rocksdb::Iterator* it = this->it();
    if (!started_) {
      if (forward_) {
        it->Seek(state_->lower_slice);
      } else {
        SeekToEnd();
      }
      started_ = true;
    } else if (positioned_) {
      positioned_ = false;
    } else if (it->Valid()) {
      if (forward_) {
        it->Next();
      } else {
        it->Prev();
      }
    }
    positioned_ = false;
    if (!it->Valid()) return false;
    rocksdb::Slice key = it->key();
    if (key.compare(state_->lower_slice) < 0 || key.compare(state_->upper_slice) >= 0) {
      return false;
    }
    return true;
  }

  rocksdb::Iterator* it() const { return state_->it.get(); }
  Status status() const { return FromRocks(it()->status()); }

 private:
  void SeekToEnd() {
    it()->SeekForPrev(state_->upper_slice);
    if (it()->Valid() && it()->key().compare(state_->upper_slice) >= 0) it()->Prev();
  }

  std::unique_ptr<PooledIterator> state_;
  IteratorPool* pool_ = nullptr;
  bool forward_;
  bool started_ = false;
  bool positioned_ = false;
};

class RecordCursorImpl : public RecordCursor {
 public:
  RecordCursorImpl(const IteratorSource& source, uint64_t collection_id, bool forward)
      : iter_(source, RecordPrefix(collection_id), RecordPrefix(collection_id + 1), forward) {}

  bool Next() override {
    if (!status_.ok()) return false;
    if (!iter_.Next()) {
      status_ = iter_.status();
      return false;
    }
    rocksdb::Slice value = iter_.it()->value();
    status_ = CheckRecord(value.data(), value.size());
    return status_.ok();
  }
  bson::BsonView doc() const override { return bson::BsonView(iter_.it()->value().data()); }
  std::string_view record_key() const override {
    rocksdb::Slice key = iter_.it()->key();
    return std::string_view(key.data() + 9, key.size() - 9);
  }
  Status status() const override { return status_; }

 private:
  BoundedIterator iter_;
  Status status_;
};

class RawCursorImpl : public RawCursor {
 public:
  RawCursorImpl(const IteratorSource& source, std::string lower, std::string upper, bool forward)
      : iter_(source, std::move(lower), std::move(upper), forward) {}

  void Seek(std::string_view target) override { iter_.Seek(target); }
  bool Next() override { return iter_.Next(); }
  std::string_view key() const override {
    rocksdb::Slice k = iter_.it()->key();
    return std::string_view(k.data(), k.size());
  }
  std::string_view value() const override {
    rocksdb::Slice v = iter_.it()->value();
    return std::string_view(v.data(), v.size());
  }
  Status status() const override { return iter_.status(); }

 private:
  BoundedIterator iter_;
};

}  // namespace

// ---- WriteUnit ----

WriteUnit::WriteUnit(rocksdb::TransactionDB* db, rocksdb::Transaction* txn, RecordStats* stats,
                     Catalog* catalog)
    : db_(db), txn_(txn), stats_(stats), catalog_(catalog) {}

WriteUnit::~WriteUnit() {
  if (!finished_) txn_->Rollback();
  ReleaseLocks();
}

void WriteUnit::ReleaseLocks() {
  for (auto& [id, lock] : held_locks_) lock->unlock_shared();
  held_locks_.clear();
}

CollectionPtrForUnit WriteUnit::LockCollectionForWrite(uint64_t collection_id) {
  if (catalog_ == nullptr) return nullptr;
  bool held = false;
  for (const auto& [id, lock] : held_locks_) held = held || id == collection_id;
  if (!held) {
    std::shared_ptr<std::shared_mutex> lock = catalog_->CollectionWriteLock(collection_id);
    lock->lock_shared();
    held_locks_.emplace_back(collection_id, std::move(lock));
  }
  return catalog_->LookupById(collection_id);
}

Status WriteUnit::PutUntracked(std::string_view key, std::string_view value) {
  return FromRocks(txn_->PutUntracked(ToSlice(key), ToSlice(value)));
}

Status WriteUnit::DeleteUntracked(std::string_view key) {
  return FromRocks(txn_->DeleteUntracked(ToSlice(key)));
}

Status WriteUnit::InsertRecord(uint64_t collection_id, const bson::BsonElement& id,
                               const bson::BsonView& doc) {
  MakeRecordKey(&key_buf_, collection_id, id);
  rocksdb::PinnableSlice existing;
  // Locks the key until commit: a concurrent insert of an equal _id waits, then sees this one.
  rocksdb::Status s =
      txn_->GetForUpdate(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), key_buf_, &existing);
  if (s.ok()) return Status(ErrorCode::kDuplicateKey, "duplicate _id");
  if (!s.IsNotFound()) return FromRocks(s);
  std::string_view bytes = doc.bytes();
  DDS_RETURN_IF_ERROR(FromRocks(txn_->Put(key_buf_, ToSlice(bytes))));
  RecordStatsDelta& delta = deltas_[collection_id];
  delta.count += 1;
  delta.bytes += static_cast<int64_t>(bytes.size());
  return Status::OK();
}

StatusWith<int64_t> WriteUnit::LockedRecordSize() {
  rocksdb::PinnableSlice existing;
  rocksdb::Status s =
      txn_->GetForUpdate(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), key_buf_, &existing);
  if (s.IsNotFound()) return int64_t{-1};
  if (!s.ok()) return FromRocks(s);
  return static_cast<int64_t>(existing.size());
}

StatusWith<std::optional<bson::BsonDocument>> WriteUnit::GetRecordForUpdate(
    uint64_t collection_id, const bson::BsonElement& id) {
  MakeRecordKey(&key_buf_, collection_id, id);
  rocksdb::PinnableSlice value;
  rocksdb::Status s =
      txn_->GetForUpdate(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), key_buf_, &value);
  return ToDocument(s, value);
}

Status WriteUnit::UpdateRecord(uint64_t collection_id, const bson::BsonElement& id,
                               const bson::BsonView& new_doc) {
  MakeRecordKey(&key_buf_, collection_id, id);
  DDS_ASSIGN_OR_RETURN(int64_t old_size, LockedRecordSize());
  DDS_RETURN_IF_ERROR(FromRocks(txn_->Put(key_buf_, ToSlice(new_doc.bytes()))));
  RecordStatsDelta& delta = deltas_[collection_id];
  if (old_size < 0) {
    delta.count += 1;
    old_size = 0;
  }
  delta.bytes += new_doc.size() - old_size;
  return Status::OK();
}

Status WriteUnit::DeleteRecord(uint64_t collection_id, const bson::BsonElement& id) {
  MakeRecordKey(&key_buf_, collection_id, id);
  DDS_ASSIGN_OR_RETURN(int64_t old_size, LockedRecordSize());
  if (old_size < 0) return Status::OK();
  DDS_RETURN_IF_ERROR(FromRocks(txn_->Delete(key_buf_)));
  RecordStatsDelta& delta = deltas_[collection_id];
  delta.count -= 1;
  delta.bytes -= old_size;
  return Status::OK();
}

Status WriteUnit::Put(std::string_view key, std::string_view value) {
  return FromRocks(txn_->Put(ToSlice(key), ToSlice(value)));
}

Status WriteUnit::Delete(std::string_view key) { return FromRocks(txn_->Delete(ToSlice(key))); }

StatusWith<std::optional<std::string>> WriteUnit::GetForUpdate(std::string_view key) {
  std::string value;
  rocksdb::Status s = txn_->GetForUpdate(rocksdb::ReadOptions(), ToSlice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s);
  return std::optional<std::string>(std::move(value));
}

StatusWith<std::optional<bson::BsonDocument>> WriteUnit::GetRecord(uint64_t collection_id,
                                                                   const bson::BsonElement& id) {
  MakeRecordKey(&key_buf_, collection_id, id);
  rocksdb::PinnableSlice value;
  rocksdb::Status s =
      txn_->Get(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), key_buf_, &value);
  return ToDocument(s, value);
}

std::unique_ptr<RecordCursor> WriteUnit::ScanRecords(uint64_t collection_id, bool forward) {
  return std::make_unique<RecordCursorImpl>(IteratorSource{db_, nullptr, txn_.get()}, collection_id,
                                            forward);
}

std::unique_ptr<RawCursor> WriteUnit::ScanRaw(std::string lower, std::string upper, bool forward) {
  return std::make_unique<RawCursorImpl>(IteratorSource{db_, nullptr, txn_.get()}, std::move(lower),
                                         std::move(upper), forward);
}

void WriteUnit::PutDeferred(std::string key, std::string value) {
  deferred_.push_back(DeferredOp{std::move(key), std::move(value), false});
}

void WriteUnit::DeleteDeferred(std::string key) {
  deferred_.push_back(DeferredOp{std::move(key), std::string(), true});
}

void WriteUnit::SetSavePoint() {
  txn_->SetSavePoint();
  save_point_deltas_.push_back(deltas_);
  save_point_deferred_.push_back(deferred_.size());
}

Status WriteUnit::RollbackToSavePoint() {
  rocksdb::Status s = txn_->RollbackToSavePoint();
  if (s.IsNotFound()) return Status(ErrorCode::kInternalError, "no save point to roll back to");
  DDS_RETURN_IF_ERROR(FromRocks(s));
  deltas_ = std::move(save_point_deltas_.back());
  save_point_deltas_.pop_back();
  if (!save_point_deferred_.empty()) {
    deferred_.resize(save_point_deferred_.back());
    save_point_deferred_.pop_back();
  }
  return Status::OK();
}

Status WriteUnit::PopSavePoint() {
  rocksdb::Status s = txn_->PopSavePoint();
  if (s.IsNotFound()) return Status(ErrorCode::kInternalError, "no save point to pop");
  DDS_RETURN_IF_ERROR(FromRocks(s));
  save_point_deltas_.pop_back();
  if (!save_point_deferred_.empty()) save_point_deferred_.pop_back();
  return Status::OK();
}

Status WriteUnit::Commit(bool durable) {
  Status s = CommitImpl(durable);
  ReleaseLocks();  // after the commit: a waiting index build then sees these writes
  return s;
}

Status WriteUnit::CommitImpl(bool durable) {
  DDS_INVARIANT(!finished_);
  finished_ = true;
  if (write_count() == 0) {
    txn_->Rollback();  // releases the read locks
    return durable ? FromRocks(db_->SyncWAL()) : Status::OK();
  }
  // Statistics are additive merges appended to the transaction's batch without taking the key
  // lock (Transaction::Merge*, even "Untracked", locks it in a pessimistic TransactionDB):
  // concurrent writers of one collection must not serialize on the statistics key, which would
  // defeat group commit. Appended last, after every save point; never read back in the unit.
  rocksdb::WriteBatch* batch = txn_->GetWriteBatch()->GetWriteBatch();
  // Deferred writes go to the batch after every save point (never read back in the unit), in key
  // order: the memtable inserts a batch in order, and a skip list insert next to the previous one
  // is much cheaper than one at a random place (a bulk insert's index entries are random per
  // index). The sort is stable, so writes of one key keep their order.
  std::vector<const DeferredOp*> ordered;
  ordered.reserve(deferred_.size());
  for (const DeferredOp& op : deferred_) ordered.push_back(&op);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const DeferredOp* a, const DeferredOp* b) { return a->key < b->key; });
  for (const DeferredOp* op_ptr : ordered) {
    const DeferredOp& op = *op_ptr;
    rocksdb::Status ds = op.is_delete ? batch->Delete(op.key) : batch->Put(op.key, op.value);
    if (!ds.ok()) {
      txn_->Rollback();
      return FromRocks(ds);
    }
  }
  for (const auto& [collection_id, delta] : deltas_) {
    if (delta.count == 0 && delta.bytes == 0) continue;
    rocksdb::Status s =
        batch->Merge(KeyPrefix(Keyspace::kRecordStats, collection_id), EncodeRecordStats(delta));
    if (!s.ok()) {
      txn_->Rollback();
      return FromRocks(s);
    }
  }
  rocksdb::WriteOptions options;
  options.sync = durable;
  txn_->SetWriteOptions(options);
  rocksdb::Status s = txn_->Commit();
  if (!s.ok()) {
    txn_->Rollback();
    return FromRocks(s);
  }
  stats_->Apply(deltas_);
  return Status::OK();
}

void WriteUnit::Rollback() {
  if (finished_) return;
  finished_ = true;
  txn_->Rollback();
  ReleaseLocks();
}

uint64_t WriteUnit::write_count() const {
  return txn_->GetNumPuts() + txn_->GetNumDeletes() + deferred_.size();
}

// ---- ReadUnit ----

ReadUnit::ReadUnit(rocksdb::TransactionDB* db, const rocksdb::Snapshot* snapshot,
                   IteratorPool* pool, bool prefix_seeks)
    : db_(db), snapshot_(snapshot), pool_(pool), prefix_seeks_(prefix_seeks) {}

ReadUnit::~ReadUnit() { db_->ReleaseSnapshot(snapshot_); }

StatusWith<std::optional<bson::BsonDocument>> ReadUnit::GetRecord(uint64_t collection_id,
                                                                  const bson::BsonElement& id) {
  MakeRecordKey(&key_buf_, collection_id, id);
  rocksdb::ReadOptions options;
  options.snapshot = snapshot_;
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db_->Get(options, db_->DefaultColumnFamily(), key_buf_, &value);
  return ToDocument(s, value);
}

std::unique_ptr<RecordCursor> ReadUnit::ScanRecords(uint64_t collection_id, bool forward) {
  return std::make_unique<RecordCursorImpl>(IteratorSource{db_, snapshot_, nullptr}, collection_id,
                                            forward);
}

std::unique_ptr<RawCursor> ReadUnit::ScanRaw(std::string lower, std::string upper, bool forward) {
  return std::make_unique<RawCursorImpl>(IteratorSource{db_, snapshot_, nullptr, pool_, prefix_seeks_}, std::move(lower),
                                         std::move(upper), forward);
}

StatusWith<std::optional<std::string>> ReadUnit::Get(std::string_view key) {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot_;
  std::string value;
  rocksdb::Status s = db_->Get(options, ToSlice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s);
  return std::optional<std::string>(std::move(value));
}

}  // namespace dds::storage
