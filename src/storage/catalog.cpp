#include "storage/catalog.h"

#include <algorithm>
#include <cstring>
#include <random>
#include <set>

#include <rocksdb/utilities/transaction_db.h>
#include <rocksdb/write_batch.h>

#include "storage/keyspace.h"
#include "storage/status_internal.h"

// Catalog entry layout: docs/on-disk-format.md ("Catalog"). Keep them in sync.

namespace dds::storage {
namespace {

constexpr std::string_view kFormatVersionName = "format_version";
constexpr std::string_view kNextIdName = "next_id";
constexpr int32_t kDescriptorVersion = 1;

std::string MetaKey(std::string_view name) {
  std::string key(1, static_cast<char>(Keyspace::kCatalogMeta));
  key.append(name);
  return key;
}

std::string CollectionKey(uint64_t id) { return KeyPrefix(Keyspace::kCollection, id); }

std::string RandomUuid() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::string uuid(16, '\0');
  for (int i = 0; i < 16; i += 8) {
    uint64_t r = rng();
    std::memcpy(uuid.data() + i, &r, 8);
  }
  uuid[6] = static_cast<char>((uuid[6] & 0x0f) | 0x40);  // version 4
  uuid[8] = static_cast<char>((uuid[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return uuid;
}

bson::BsonDocument IdIndexSpec() {
  bson::BsonBuilder b;
  b.AppendInt32("v", 2);
  b.StartDocument("key").AppendInt32("_id", 1).End();
  b.AppendString("name", "_id_");
  return b.Done();
}

void DeleteRangeOf(Keyspace keyspace, uint64_t id, rocksdb::WriteBatch* batch) {
  batch->DeleteRange(KeyPrefix(keyspace, id), KeyPrefix(keyspace, id + 1));
}

}  // namespace

const IndexDescriptor* CollectionDescriptor::FindIndex(std::string_view index_name) const {
  for (const IndexDescriptor& index : indexes) {
    if (index.name == index_name) return &index;
  }
  return nullptr;
}

bson::BsonDocument CollectionDescriptorToBson(const CollectionDescriptor& coll) {
  bson::BsonBuilder b;
  b.AppendInt32("v", kDescriptorVersion);
  b.AppendInt64("id", static_cast<int64_t>(coll.id));
  b.AppendString("db", coll.db);
  b.AppendString("name", coll.name);
  b.AppendBinary("uuid", static_cast<uint8_t>(bson::BinarySubtype::kUuid), coll.uuid);
  b.AppendDocument("options", coll.options);
  b.StartArray("indexes");
  for (size_t i = 0; i < coll.indexes.size(); ++i) {
    const IndexDescriptor& index = coll.indexes[i];
    b.StartDocument(bson::IndexName(i));
    b.AppendString("name", index.name);
    b.AppendInt64("index_id", static_cast<int64_t>(index.index_id));
    b.AppendDocument("spec", index.spec);
    if (index.building) b.AppendBool("building", true);
    if (index.multikey) b.AppendBool("multikey", true);
    if (index.tuple_keys) b.AppendBool("tuple_keys", true);
    b.End();
  }
  b.End();
  return b.Done();
}

StatusWith<CollectionDescriptor> CollectionDescriptorFromBson(const bson::BsonView& doc) {
  auto bad = [](std::string_view what) {
    return Status(ErrorCode::kInternalError, "corrupt catalog entry: " + std::string(what));
  };
  if (doc["v"].type() != bson::BsonType::kInt32 || doc["v"].Int32() != kDescriptorVersion) {
    return bad("unsupported version");
  }
  CollectionDescriptor coll;
  bson::BsonElement id = doc["id"], db = doc["db"], name = doc["name"], uuid = doc["uuid"];
  bson::BsonElement options = doc["options"], indexes = doc["indexes"];
  if (id.type() != bson::BsonType::kInt64 || !db.IsString() || !name.IsString() ||
      uuid.type() != bson::BsonType::kBinData || !options.IsObject() || !indexes.IsArray()) {
    return bad("missing fields");
  }
  coll.id = static_cast<uint64_t>(id.Int64());
  coll.db = std::string(db.String());
  coll.name = std::string(name.String());
  coll.uuid = std::string(uuid.BinData());
  coll.options = bson::BsonDocument(options.Object());
  for (const bson::BsonElement& e : indexes.Array()) {
    if (!e.IsObject()) return bad("index entry");
    bson::BsonElement iname = e.Object()["name"], iid = e.Object()["index_id"];
    bson::BsonElement spec = e.Object()["spec"];
    if (!iname.IsString() || iid.type() != bson::BsonType::kInt64 || !spec.IsObject()) {
      return bad("index entry fields");
    }
    IndexDescriptor index{std::string(iname.String()), static_cast<uint64_t>(iid.Int64()),
                          bson::BsonDocument(spec.Object())};
    index.building = e.Object()["building"].TrueValue();
    index.multikey = e.Object()["multikey"].TrueValue();
    index.tuple_keys = e.Object()["tuple_keys"].TrueValue();
    coll.indexes.push_back(std::move(index));
  }
  return coll;
}

Catalog::Catalog(rocksdb::TransactionDB* db) : db_(db) {}
Catalog::~Catalog() = default;

Status Catalog::Load() {
  std::unique_lock lock(mutex_);
  rocksdb::ReadOptions read_options;
  read_options.total_order_seek = true;
  std::string value;
  rocksdb::WriteBatch batch;
  rocksdb::Status s = db_->Get(read_options, MetaKey(kFormatVersionName), &value);
  if (s.IsNotFound()) {
    bson::BsonBuilder b;
    b.AppendInt32("v", kFormatVersion);
    batch.Put(MetaKey(kFormatVersionName), b.DoneBytes());
  } else if (!s.ok()) {
    return FromRocks(s);
  } else {
    if (!bson::ValidateBson(value.data(), value.size()).ok()) {
      return Status(ErrorCode::kInternalError, "corrupt format version record");
    }
    bson::BsonElement v = bson::BsonView(value.data())["v"];
    if (v.type() != bson::BsonType::kInt32 || v.Int32() < kOldestUpgradableFormatVersion ||
        v.Int32() > kFormatVersion) {
      return Status(ErrorCode::kUnsupportedFormat,
                    "unsupported on-disk format version " + v.ValueToJson() + ", expected " +
                        std::to_string(kOldestUpgradableFormatVersion) + " to " +
                        std::to_string(kFormatVersion));
    }
    if (v.Int32() < kFormatVersion) {
      // Nothing to rewrite (keyspace.h): only the version moves, with this open's batch.
      upgraded_from_format_ = v.Int32();
      bson::BsonBuilder b;
      b.AppendInt32("v", kFormatVersion);
      batch.Put(MetaKey(kFormatVersionName), b.DoneBytes());
    }
  }
  s = db_->Get(read_options, MetaKey(kNextIdName), &value);
  if (s.ok() && value.size() == 8) {
    next_id_ = ReadBigEndian64(value.data());
  } else if (!s.ok() && !s.IsNotFound()) {
    return FromRocks(s);
  }

  std::string lower(1, static_cast<char>(Keyspace::kCollection));
  std::string upper(1, static_cast<char>(static_cast<uint8_t>(Keyspace::kCollection) + 1));
  rocksdb::Slice upper_slice(upper);
  read_options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));
  std::set<uint64_t> index_ids;
  for (it->Seek(lower); it->Valid(); it->Next()) {
    rocksdb::Slice v = it->value();
    if (!bson::ValidateBson(v.data(), v.size()).ok()) {
      return Status(ErrorCode::kInternalError, "corrupt catalog entry (invalid BSON)");
    }
    DDS_ASSIGN_OR_RETURN(CollectionDescriptor coll,
                         CollectionDescriptorFromBson(bson::BsonView(v.data())));
    next_id_ = std::max(next_id_, coll.id + 1);
    for (const IndexDescriptor& index : coll.indexes) {
      next_id_ = std::max(next_id_, index.index_id + 1);
    }
    // An index build that did not finish (crash) is dropped: its partial entries are deleted
    // below with the other orphaned index ranges.
    size_t before = coll.indexes.size();
    std::erase_if(coll.indexes, [](const IndexDescriptor& index) { return index.building; });
    if (coll.indexes.size() != before) DDS_RETURN_IF_ERROR(PutDescriptorLocked(coll, &batch));
    for (const IndexDescriptor& index : coll.indexes) index_ids.insert(index.index_id);
    auto ptr = std::make_shared<const CollectionDescriptor>(std::move(coll));
    by_name_[Key(ptr->db, ptr->name)] = ptr;
    by_id_[ptr->id] = ptr;
  }
  if (!it->status().ok()) return FromRocks(it->status());
  it.reset();

  // Records or index entries whose owner is gone (a write that raced with a drop) are garbage:
  // delete them. Seeks jump from one id to the next, so this costs one seek per id.
  for (Keyspace keyspace : {Keyspace::kRecord, Keyspace::kIndex, Keyspace::kRecordStats}) {
    rocksdb::ReadOptions scan_options;
    scan_options.total_order_seek = true;
    std::unique_ptr<rocksdb::Iterator> scan(db_->NewIterator(scan_options));
    scan->Seek(std::string(1, static_cast<char>(keyspace)));
    while (scan->Valid() && scan->key().size() >= 9 &&
           scan->key()[0] == static_cast<char>(keyspace)) {
      uint64_t id = ReadBigEndian64(scan->key().data() + 1);
      bool live = keyspace == Keyspace::kIndex ? index_ids.count(id) > 0 : by_id_.count(id) > 0;
      if (!live) DeleteRangeOf(keyspace, id, &batch);
      if (id == UINT64_MAX) break;
      scan->Seek(KeyPrefix(keyspace, id + 1));
    }
    if (!scan->status().ok()) return FromRocks(scan->status());
  }
  if (batch.Count() > 0) return WriteLocked(&batch);
  return Status::OK();
}

std::vector<std::string> Catalog::ListDatabases() const {
  std::shared_lock lock(mutex_);
  std::vector<std::string> dbs;
  for (const auto& [key, coll] : by_name_) {
    if (dbs.empty() || dbs.back() != key.first) dbs.push_back(key.first);
  }
  return dbs;
}

std::vector<CollectionPtr> Catalog::ListCollections(std::string_view db) const {
  std::shared_lock lock(mutex_);
  std::vector<CollectionPtr> result;
  for (auto it = by_name_.lower_bound(Key(std::string(db), std::string()));
       it != by_name_.end() && it->first.first == db; ++it) {
    result.push_back(it->second);
  }
  return result;
}

CollectionPtr Catalog::Lookup(std::string_view db, std::string_view coll) const {
  std::shared_lock lock(mutex_);
  auto it = by_name_.find(Key(std::string(db), std::string(coll)));
  return it == by_name_.end() ? nullptr : it->second;
}

CollectionPtr Catalog::LookupById(uint64_t collection_id) const {
  std::shared_lock lock(mutex_);
  auto it = by_id_.find(collection_id);
  return it == by_id_.end() ? nullptr : it->second;
}

uint64_t Catalog::AllocateIdLocked(rocksdb::WriteBatch* batch) {
  uint64_t id = next_id_++;
  std::string value;
  AppendBigEndian64(&value, next_id_);
  batch->Put(MetaKey(kNextIdName), value);
  return id;
}

Status Catalog::WriteLocked(rocksdb::WriteBatch* batch) {
  // Catalog keys are only written under mutex_, so the transaction locks can be skipped (which
  // DeleteRange requires).
  rocksdb::WriteOptions write_options;
  rocksdb::TransactionDBWriteOptimizations optimizations;
  optimizations.skip_concurrency_control = true;
  return FromRocks(db_->Write(write_options, optimizations, batch));
}

void Catalog::AppendDropLocked(const CollectionDescriptor& coll, rocksdb::WriteBatch* batch) {
  batch->Delete(CollectionKey(coll.id));
  DeleteRangeOf(Keyspace::kRecord, coll.id, batch);
  DeleteRangeOf(Keyspace::kRecordStats, coll.id, batch);
  for (const IndexDescriptor& index : coll.indexes) {
    if (index.index_id != 0) DeleteRangeOf(Keyspace::kIndex, index.index_id, batch);
  }
}

Status Catalog::PutDescriptorLocked(const CollectionDescriptor& coll, rocksdb::WriteBatch* batch) {
  bson::BsonDocument doc = CollectionDescriptorToBson(coll);
  return FromRocks(batch->Put(CollectionKey(coll.id), doc.bytes()));
}

StatusWith<CollectionPtr> Catalog::CreateCollection(std::string_view db, std::string_view coll,
                                                    const bson::BsonView& options, bool* created) {
  if (created) *created = false;
  if (CollectionPtr existing = Lookup(db, coll)) return existing;
  std::unique_lock lock(mutex_);
  auto it = by_name_.find(Key(std::string(db), std::string(coll)));
  if (it != by_name_.end()) return it->second;  // created by a concurrent caller

  rocksdb::WriteBatch batch;
  auto desc = std::make_shared<CollectionDescriptor>();
  desc->db = std::string(db);
  desc->name = std::string(coll);
  desc->uuid = RandomUuid();
  desc->options = bson::BsonDocument(options);
  desc->indexes.push_back(IndexDescriptor{"_id_", 0, IdIndexSpec()});
  uint64_t saved_next_id = next_id_;
  desc->id = AllocateIdLocked(&batch);
  Status s = PutDescriptorLocked(*desc, &batch);
  if (s.ok()) s = WriteLocked(&batch);
  if (!s.ok()) {
    next_id_ = saved_next_id;
    return s;
  }
  CollectionPtr ptr = std::move(desc);
  by_name_[Key(ptr->db, ptr->name)] = ptr;
  by_id_[ptr->id] = ptr;
  if (created) *created = true;
  return ptr;
}

Status Catalog::DropCollection(std::string_view db, std::string_view coll) {
  std::unique_lock lock(mutex_);
  auto it = by_name_.find(Key(std::string(db), std::string(coll)));
  if (it == by_name_.end()) {
    return Status(ErrorCode::kNamespaceNotFound, "ns not found");
  }
  CollectionPtr victim = it->second;
  rocksdb::WriteBatch batch;
  AppendDropLocked(*victim, &batch);
  DDS_RETURN_IF_ERROR(WriteLocked(&batch));
  by_name_.erase(it);
  by_id_.erase(victim->id);
  return Status::OK();
}

Status Catalog::DropDatabase(std::string_view db) {
  std::unique_lock lock(mutex_);
  rocksdb::WriteBatch batch;
  std::vector<CollectionPtr> victims;
  for (auto it = by_name_.lower_bound(Key(std::string(db), std::string()));
       it != by_name_.end() && it->first.first == db; ++it) {
    victims.push_back(it->second);
    AppendDropLocked(*it->second, &batch);
  }
  if (victims.empty()) return Status::OK();
  DDS_RETURN_IF_ERROR(WriteLocked(&batch));
  for (const CollectionPtr& victim : victims) {
    by_name_.erase(Key(victim->db, victim->name));
    by_id_.erase(victim->id);
  }
  return Status::OK();
}

Status Catalog::RenameCollection(std::string_view from_db, std::string_view from_coll,
                                 std::string_view to_db, std::string_view to_coll,
                                 bool drop_target) {
  std::unique_lock lock(mutex_);
  auto source = by_name_.find(Key(std::string(from_db), std::string(from_coll)));
  if (source == by_name_.end()) {
    return Status(ErrorCode::kNamespaceNotFound, "source namespace does not exist");
  }
  if (from_db == to_db && from_coll == to_coll) {
    return Status(ErrorCode::kIllegalOperation, "Can't rename a collection to itself");
  }
  rocksdb::WriteBatch batch;
  auto target = by_name_.find(Key(std::string(to_db), std::string(to_coll)));
  CollectionPtr dropped;
  if (target != by_name_.end()) {
    if (!drop_target) return Status(ErrorCode::kNamespaceExists, "target namespace exists");
    dropped = target->second;
    AppendDropLocked(*dropped, &batch);
  }
  auto renamed = std::make_shared<CollectionDescriptor>(*source->second);
  renamed->db = std::string(to_db);
  renamed->name = std::string(to_coll);
  DDS_RETURN_IF_ERROR(PutDescriptorLocked(*renamed, &batch));
  DDS_RETURN_IF_ERROR(WriteLocked(&batch));
  if (dropped) {
    by_name_.erase(Key(dropped->db, dropped->name));
    by_id_.erase(dropped->id);
  }
  by_name_.erase(source);
  CollectionPtr ptr = std::move(renamed);
  by_name_[Key(ptr->db, ptr->name)] = ptr;
  by_id_[ptr->id] = ptr;
  return Status::OK();
}

Status Catalog::ReplaceDescriptorLocked(std::shared_ptr<CollectionDescriptor> updated,
                                        rocksdb::WriteBatch* batch) {
  rocksdb::WriteBatch own;
  if (batch == nullptr) batch = &own;
  DDS_RETURN_IF_ERROR(PutDescriptorLocked(*updated, batch));
  DDS_RETURN_IF_ERROR(WriteLocked(batch));
  CollectionPtr ptr = std::move(updated);
  by_name_[Key(ptr->db, ptr->name)] = ptr;
  by_id_[ptr->id] = ptr;
  return Status::OK();
}

Status Catalog::SetCollectionOptions(std::string_view db, std::string_view coll,
                                     const bson::BsonView& options) {
  std::unique_lock lock(mutex_);
  auto it = by_name_.find(Key(std::string(db), std::string(coll)));
  if (it == by_name_.end()) return Status(ErrorCode::kNamespaceNotFound, "ns not found");
  auto updated = std::make_shared<CollectionDescriptor>(*it->second);
  updated->options = bson::BsonDocument(options);
  return ReplaceDescriptorLocked(std::move(updated));
}

Status Catalog::SetIndexSpec(std::string_view db, std::string_view coll,
                             std::string_view index_name, const bson::BsonView& spec) {
  std::unique_lock lock(mutex_);
  auto it = by_name_.find(Key(std::string(db), std::string(coll)));
  if (it == by_name_.end()) return Status(ErrorCode::kNamespaceNotFound, "ns not found");
  auto updated = std::make_shared<CollectionDescriptor>(*it->second);
  for (IndexDescriptor& index : updated->indexes) {
    if (index.name == index_name) {
      index.spec = bson::BsonDocument(spec);
      return ReplaceDescriptorLocked(std::move(updated));
    }
  }
  return Status(ErrorCode::kIndexNotFound,
                "index not found with name [" + std::string(index_name) + "]");
}

Status Catalog::AddIndex(std::string_view db, std::string_view coll, IndexDescriptor index) {
  std::unique_lock lock(mutex_);
  auto it = by_name_.find(Key(std::string(db), std::string(coll)));
  if (it == by_name_.end()) return Status(ErrorCode::kNamespaceNotFound, "ns not found");
  if (it->second->FindIndex(index.name) != nullptr) {
    return Status(ErrorCode::kIndexAlreadyExists, "index already exists: " + index.name);
  }
  rocksdb::WriteBatch batch;
  uint64_t saved_next_id = next_id_;
  if (index.index_id == 0) index.index_id = AllocateIdLocked(&batch);
  auto updated = std::make_shared<CollectionDescriptor>(*it->second);
  updated->indexes.push_back(std::move(index));
  Status s = PutDescriptorLocked(*updated, &batch);
  if (s.ok()) s = WriteLocked(&batch);
  if (!s.ok()) {
    next_id_ = saved_next_id;
    return s;
  }
  CollectionPtr ptr = std::move(updated);
  it->second = ptr;
  by_id_[ptr->id] = ptr;
  return Status::OK();
}

Status Catalog::RemoveIndex(std::string_view db, std::string_view coll,
                            std::string_view index_name) {
  std::unique_lock lock(mutex_);
  auto it = by_name_.find(Key(std::string(db), std::string(coll)));
  if (it == by_name_.end()) return Status(ErrorCode::kNamespaceNotFound, "ns not found");
  if (index_name == "_id_") {
    return Status(ErrorCode::kInvalidOptions, "cannot drop _id index");
  }
  const IndexDescriptor* index = it->second->FindIndex(index_name);
  if (index == nullptr) {
    return Status(ErrorCode::kIndexNotFound,
                  "index not found with name [" + std::string(index_name) + "]");
  }
  rocksdb::WriteBatch batch;
  if (index->index_id != 0) DeleteRangeOf(Keyspace::kIndex, index->index_id, &batch);
  auto updated = std::make_shared<CollectionDescriptor>(*it->second);
  updated->indexes.erase(
      std::find_if(updated->indexes.begin(), updated->indexes.end(),
                   [&](const IndexDescriptor& i) { return i.name == index_name; }));
  DDS_RETURN_IF_ERROR(PutDescriptorLocked(*updated, &batch));
  DDS_RETURN_IF_ERROR(WriteLocked(&batch));
  CollectionPtr ptr = std::move(updated);
  it->second = ptr;
  by_id_[ptr->id] = ptr;
  return Status::OK();
}

Status Catalog::FinishIndexBuild(uint64_t collection_id, uint64_t index_id) {
  std::unique_lock lock(mutex_);
  auto it = by_id_.find(collection_id);
  if (it == by_id_.end()) return Status(ErrorCode::kNamespaceNotFound, "ns not found");
  auto updated = std::make_shared<CollectionDescriptor>(*it->second);
  for (IndexDescriptor& index : updated->indexes) {
    if (index.index_id == index_id) {
      index.building = false;
      return ReplaceDescriptorLocked(std::move(updated));
    }
  }
  return Status(ErrorCode::kIndexNotFound, "index dropped during its build");
}

Status Catalog::SwapRebuiltIndexes(uint64_t collection_id, const std::vector<IndexSwap>& swaps) {
  std::unique_lock lock(mutex_);
  auto it = by_id_.find(collection_id);
  if (it == by_id_.end()) return Status(ErrorCode::kNamespaceNotFound, "ns not found");
  auto updated = std::make_shared<CollectionDescriptor>(*it->second);
  rocksdb::WriteBatch batch;
  for (const IndexSwap& swap : swaps) {
    auto find = [&](const std::string& name) {
      return std::find_if(updated->indexes.begin(), updated->indexes.end(),
                          [&](const IndexDescriptor& i) { return i.name == name; });
    };
    auto original = find(swap.original);
    auto rebuilt = find(swap.rebuilt);
    if (original == updated->indexes.end() || rebuilt == updated->indexes.end() ||
        original->index_id == 0 || !rebuilt->building) {
      return Status(ErrorCode::kIndexNotFound,
                    "index " + swap.original + " changed during its rebuild");
    }
    DeleteRangeOf(Keyspace::kIndex, original->index_id, &batch);
    rebuilt->name = swap.original;
    rebuilt->building = false;
    rebuilt->multikey = swap.multikey;
    *original = std::move(*rebuilt);
    updated->indexes.erase(rebuilt);
  }
  return ReplaceDescriptorLocked(std::move(updated), &batch);
}

Status Catalog::SetIndexMultikey(uint64_t collection_id, uint64_t index_id) {
  std::unique_lock lock(mutex_);
  auto it = by_id_.find(collection_id);
  if (it == by_id_.end()) return Status::OK();
  auto updated = std::make_shared<CollectionDescriptor>(*it->second);
  for (IndexDescriptor& index : updated->indexes) {
    if (index.index_id == index_id) {
      if (index.multikey) return Status::OK();
      index.multikey = true;
      return ReplaceDescriptorLocked(std::move(updated));
    }
  }
  return Status::OK();
}

std::shared_ptr<std::shared_mutex> Catalog::CollectionWriteLock(uint64_t collection_id) {
  std::lock_guard lock(write_locks_mutex_);
  std::shared_ptr<std::shared_mutex>& slot = write_locks_[collection_id];
  if (slot == nullptr) slot = std::make_shared<std::shared_mutex>();
  return slot;
}

}  // namespace dds::storage
