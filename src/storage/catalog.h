// Catalog: the persistent list of collections and their index metadata.
//
// Each collection is one RocksDB entry [0x02][collection id] -> BSON (docs/on-disk-format.md),
// loaded into an in-memory map at open. Readers get immutable snapshots of a descriptor
// (CollectionPtr) that stay valid after a concurrent drop or rename; every change writes a new
// descriptor. Collection and index ids are allocated from one persistent counter and never
// reused, so records of a dropped collection can never reappear under a new one.
//
// Thread-safe: lookups take a shared lock, changes an exclusive one (DDL is serialized).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bson/bson.h"
#include "common/status.h"

namespace rocksdb {
class TransactionDB;
class WriteBatch;
}  // namespace rocksdb

namespace dds::storage {

struct IndexDescriptor {
  std::string name;
  // Prefix id of the index's entries ([0x04][index id]...). 0 for "_id_", whose entries are the
  // records themselves. AddIndex allocates an id when given 0.
  uint64_t index_id = 0;
  // The full spec as listIndexes shows it: {v: 2, key: {...}, name: "...", (unique: true, ...)}.
  bson::BsonDocument spec;
  // True while the index is being built (its entries are incomplete; the planner must not use
  // it). An index still building when the process stops is dropped at the next open.
  // Default: false.
  bool building = false;
  // True once any document produced more than one key (an array on an indexed path). Never
  // reset (conservative). Default: false.
  bool multikey = false;
  // True for indexes whose entries are keyed by the key tuple alone, with the _id only in the
  // value (unique indexes created since tuple keys exist): an equality on the whole key is then
  // one point read, and a unique check one locked read. Older unique indexes, and indexes made
  // unique by collMod, keep tuple + KeyString(_id) keys. Fixed when the index is created.
  // Default: false.
  bool tuple_keys = false;
};

struct CollectionDescriptor {
  uint64_t id = 0;
  std::string db;
  std::string name;
  // 16 random bytes (UUID version 4).
  std::string uuid;
  // The options given to create (validated by the caller), {} when created implicitly.
  bson::BsonDocument options;
  // Always starts with "_id_" ({v: 2, key: {_id: 1}, name: "_id_"}).
  std::vector<IndexDescriptor> indexes;

  // Returns "db.name".
  std::string ns() const { return db + "." + name; }
  // Returns the index called `index_name`, or nullptr.
  const IndexDescriptor* FindIndex(std::string_view index_name) const;
};

using CollectionPtr = std::shared_ptr<const CollectionDescriptor>;

class Catalog {
 public:
  // Created by Engine::Open. REQUIRES: `db` outlives the catalog.
  explicit Catalog(rocksdb::TransactionDB* db);
  ~Catalog();
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // Reads the catalog keyspace (and initializes a new database). Called once by Engine::Open.
  Status Load();
  // The on-disk format version the database had when Load() found an older one and marked it
  // current (keyspace.h); 0 when it was current already or new.
  int32_t upgraded_from_format() const { return upgraded_from_format_; }

  // Returns the names of databases that have at least one collection, sorted.
  std::vector<std::string> ListDatabases() const;
  // Returns the collections of `db`, sorted by name.
  std::vector<CollectionPtr> ListCollections(std::string_view db) const;
  // Returns the collection, or nullptr if absent.
  CollectionPtr Lookup(std::string_view db, std::string_view coll) const;
  // Returns the collection with this id, or nullptr if absent.
  CollectionPtr LookupById(uint64_t collection_id) const;

  // Creates the collection if it is missing; *created (if given) says whether it was created. If
  // it exists, returns the existing descriptor (the caller compares options). Concurrent callers
  // creating the same collection all get the same descriptor.
  StatusWith<CollectionPtr> CreateCollection(std::string_view db, std::string_view coll,
                                             const bson::BsonView& options, bool* created);
  // Drops the collection and deletes its records and index entries in the same atomic write.
  // NamespaceNotFound (26) if absent.
  Status DropCollection(std::string_view db, std::string_view coll);
  // Drops every collection of `db` atomically. OK if the database does not exist.
  Status DropDatabase(std::string_view db);
  // Renames a collection (metadata only, also across databases: records are keyed by id).
  // NamespaceNotFound (26) if the source is absent; NamespaceExists (48) if the target exists and
  // !drop_target; with drop_target, the target is dropped in the same atomic write. Renaming a
  // collection to itself is IllegalOperation (20).
  Status RenameCollection(std::string_view from_db, std::string_view from_coll,
                          std::string_view to_db, std::string_view to_coll, bool drop_target);

  // Replaces the collection's options (collMod). NamespaceNotFound (26) if absent.
  Status SetCollectionOptions(std::string_view db, std::string_view coll,
                              const bson::BsonView& options);
  // Replaces the spec of an existing index (collMod of hidden / expireAfterSeconds), keeping its
  // name and id. NamespaceNotFound (26), IndexNotFound (27).
  Status SetIndexSpec(std::string_view db, std::string_view coll, std::string_view index_name,
                      const bson::BsonView& spec);

  // Adds index metadata. NamespaceNotFound (26) if the collection is absent; IndexAlreadyExists
  // (68) if an index with the same name exists. Allocates index.index_id when it is 0.
  // The index layer builds the entries; this only records the descriptor.
  Status AddIndex(std::string_view db, std::string_view coll, IndexDescriptor index);
  // Removes index metadata and deletes the index's entries atomically. NamespaceNotFound (26),
  // IndexNotFound (27); removing "_id_" is InvalidOptions (72).
  Status RemoveIndex(std::string_view db, std::string_view coll, std::string_view index_name);
  // Marks a building index as complete (building = false). IndexNotFound (27) if absent (for
  // example dropped during the build).
  Status FinishIndexBuild(uint64_t collection_id, uint64_t index_id);
  // Sets the multikey flag of an index (no-op when already set or when the index is gone).
  Status SetIndexMultikey(uint64_t collection_id, uint64_t index_id);
  // One index of a reIndex: `rebuilt` (a building index with the same spec and new entries)
  // replaces `original`.
  struct IndexSwap {
    std::string original;
    std::string rebuilt;
    bool multikey = false;  // as the rebuild found the documents
  };
  // In one atomic write, each rebuilt index takes its original's name and place and is marked
  // complete, and the originals' descriptors and entries go. IndexNotFound (27) if an index is
  // missing (nothing changes then).
  Status SwapRebuiltIndexes(uint64_t collection_id, const std::vector<IndexSwap>& swaps);

  // Returns the lock that orders index builds against writers of one collection: writers hold it
  // shared (WriteUnit::LockCollectionForWrite) from their first write to commit, an index build
  // holds it exclusively. Readers never take it. Created on first use; never freed (small).
  std::shared_ptr<std::shared_mutex> CollectionWriteLock(uint64_t collection_id);

 private:
  using Key = std::pair<std::string, std::string>;  // (db, name)

  // REQUIRES: mutex_ held exclusively.
  uint64_t AllocateIdLocked(rocksdb::WriteBatch* batch);
  Status WriteLocked(rocksdb::WriteBatch* batch);
  void AppendDropLocked(const CollectionDescriptor& coll, rocksdb::WriteBatch* batch);
  Status PutDescriptorLocked(const CollectionDescriptor& coll, rocksdb::WriteBatch* batch);
  // Writes `updated` (same id and name as the current descriptor), with `batch`'s other writes
  // when given, and installs it.
  Status ReplaceDescriptorLocked(std::shared_ptr<CollectionDescriptor> updated,
                                 rocksdb::WriteBatch* batch = nullptr);

  rocksdb::TransactionDB* db_;
  mutable std::shared_mutex mutex_;
  std::map<Key, CollectionPtr, std::less<>> by_name_;
  std::map<uint64_t, CollectionPtr> by_id_;
  uint64_t next_id_ = 1;
  int32_t upgraded_from_format_ = 0;
  std::mutex write_locks_mutex_;
  std::map<uint64_t, std::shared_ptr<std::shared_mutex>> write_locks_;
};

// Serializes a descriptor to the BSON stored in the catalog entry.
bson::BsonDocument CollectionDescriptorToBson(const CollectionDescriptor& coll);
// Parses a catalog entry. InternalError if it is malformed.
StatusWith<CollectionDescriptor> CollectionDescriptorFromBson(const bson::BsonView& doc);

}  // namespace dds::storage
