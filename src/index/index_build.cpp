#include "index/index_build.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/operation_control.h"
#include "index/index_access_method.h"
#include "index/index_build_internal.h"
#include "storage/key_string.h"
#include "storage/keyspace.h"

namespace dds::index {
namespace {

// Documents scanned between two checks for killOp (and progress reports).
constexpr int64_t kInterruptCheckInterval = 1024;
constexpr std::string_view kScanProgressMessage = "Index Build: scanning collection";
constexpr std::string_view kDrainProgressMessage =
    "Index Build: draining writes received during build";

struct BuildEntry {
  std::string key;
  std::string value;
  uint32_t tuple_end = 0;  // end of the key tuple inside `key` (the _id KeyString follows)
  std::string_view tuple() const { return std::string_view(key).substr(0, tuple_end); }
};

struct PendingIndex {
  storage::IndexDescriptor descriptor;
  std::shared_ptr<const IndexAccessMethod> method;
  std::vector<BuildEntry> entries;
  size_t bytes = 0;
  int chunks_written = 0;
  bool multikey = false;
};

// Rebuilds the IndexKey (values only) of a build entry for the DuplicateKey message.
IndexKey KeyFromEntry(const BuildEntry& entry, size_t fields) {
  IndexKey key;
  bson::BsonView value(entry.value.data());
  for (size_t i = 0; i < fields; ++i) key.values.push_back(value[bson::IndexName(i)]);
  return key;
}

Status FlushChunk(storage::Engine& engine, const std::string& ns, PendingIndex* p) {
  std::sort(p->entries.begin(), p->entries.end(),
            [](const BuildEntry& a, const BuildEntry& b) { return a.key < b.key; });
  const IndexAccessMethod& method = *p->method;
  if (method.info().unique) {
    std::unique_ptr<storage::ReadUnit> read =
        p->chunks_written > 0 ? engine.BeginRead() : nullptr;
    for (size_t i = 0; i < p->entries.size(); ++i) {
      const BuildEntry& e = p->entries[i];
      if (i > 0 && p->entries[i - 1].tuple() == e.tuple()) {
        return method.DuplicateKeyError(ns, KeyFromEntry(e, method.info().fields.size()));
      }
      if (read != nullptr && (i == 0 || p->entries[i - 1].tuple() != e.tuple())) {
        // Earlier chunks are committed: look for the tuple there.
        std::string tuple(e.tuple());
        auto cursor = read->ScanRaw(tuple, storage::PrefixSuccessor(tuple), true);
        if (cursor->Next()) {
          return method.DuplicateKeyError(ns, KeyFromEntry(e, method.info().fields.size()));
        }
        DDS_RETURN_IF_ERROR(cursor->status());
      }
    }
  }
  // Sorted plain write batches (no transaction locks or write index): the collection is held
  // exclusively and these keys are new.
  constexpr size_t kBatchBytes = 8 << 20;
  std::vector<std::pair<std::string, std::string>> batch;
  size_t bytes = 0;
  for (BuildEntry& e : p->entries) {
    bytes += e.key.size() + e.value.size();
    batch.emplace_back(std::move(e.key), std::move(e.value));
    if (bytes >= kBatchBytes) {
      DDS_RETURN_IF_ERROR(engine.BulkPut(batch));
      batch.clear();
      bytes = 0;
    }
  }
  if (!batch.empty()) DDS_RETURN_IF_ERROR(engine.BulkPut(batch));
  p->entries.clear();
  p->bytes = 0;
  ++p->chunks_written;
  return Status::OK();
}

// Writes the entries of the documents of `snapshot`.
Status ScanAndWrite(storage::Engine& engine, const storage::CollectionDescriptor& desc,
                    storage::ReadUnit& snapshot, std::vector<PendingIndex>* pending,
                    const IndexBuildOptions& options) {
  std::string ns = desc.ns();
  std::unique_ptr<storage::RecordCursor> cursor = snapshot.ScanRecords(desc.id);
  KeySet keys;
  int chunk = 0;
  int64_t scanned = 0;
  // currentOp shows how far the scan got (of about this many: writers may go on meanwhile).
  const int64_t total = engine.ApproximateRecordCount(desc.id);
  ReportProgress(kScanProgressMessage, 0, total);
  while (cursor->Next()) {
    if (++scanned % kInterruptCheckInterval == 0) {
      // killOp stops a build here; the caller removes what it added.
      DDS_RETURN_IF_ERROR(CheckForInterrupt());
      ReportProgress(kScanProgressMessage, scanned, total);
    }
    bson::BsonView doc = cursor->doc();
    bson::BsonElement id = doc["_id"];
    std::string id_ks(cursor->record_key());
    for (PendingIndex& p : *pending) {
      DDS_RETURN_IF_ERROR(p.method->GetKeys(doc, &keys));
      p.multikey = p.multikey || keys.multikey;
      for (const IndexKey& k : keys.keys) {
        BuildEntry e;
        e.key = p.method->EntryKey(k, id_ks);
        e.tuple_end = static_cast<uint32_t>(p.method->prefix().size() + k.key_string.size());
        e.value = p.method->EntryValue(k, id);
        p.bytes += e.key.size() + e.value.size() + 64;
        p.entries.push_back(std::move(e));
      }
      if (p.bytes >= options.chunk_bytes) {
        DDS_RETURN_IF_ERROR(FlushChunk(engine, ns, &p));
        if (options.after_chunk_for_test && !options.after_chunk_for_test(chunk++)) {
          return Status(ErrorCode::kInterrupted, "index build stopped by test hook");
        }
      }
    }
  }
  DDS_RETURN_IF_ERROR(cursor->status());
  ClearProgress();
  for (PendingIndex& p : *pending) {
    if (!p.entries.empty() || p.chunks_written == 0) DDS_RETURN_IF_ERROR(FlushChunk(engine, ns, &p));
  }
  return Status::OK();
}

// The documents written while a build that lets writers go on runs (writers maintain building
// indexes, but the scan may write a snapshot version's entries after a writer removed them): the
// build derives their entries again (RederiveWrittenEntries). Bounded: past kMaxIds the build
// starts over holding the collection instead.
class WrittenIds {
 public:
  static constexpr size_t kMaxIds = 1 << 20;

  void Add(std::string_view id_ks, const bson::BsonElement& id) {
    std::lock_guard lock(mu_);
    if (overflowed_ || ids_.contains(std::string(id_ks))) return;
    if (ids_.size() >= kMaxIds) {
      overflowed_ = true;
      ids_.clear();
      return;
    }
    bson::BsonBuilder b(32);
    b.AppendElementAs("", id);
    ids_.emplace(std::string(id_ks), b.Done());
  }
  // Takes the ids noted so far: {KeyString(_id): {"": _id}}; nullopt once more than kMaxIds were.
  std::optional<std::unordered_map<std::string, bson::BsonDocument>> Take() {
    std::lock_guard lock(mu_);
    if (overflowed_) return std::nullopt;
    std::unordered_map<std::string, bson::BsonDocument> taken;
    taken.swap(ids_);
    return taken;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, bson::BsonDocument> ids_;
  bool overflowed_ = false;
};

// The index builds running now, for the drops that abort them instead of waiting (mongod's
// IndexBuildsCoordinator in small) and for the writers that note what they wrote during a build
// that lets them go on. A build is registered from before its first catalog change until after
// its commit or its clean-up, with the OperationControl its thread checks.
class ActiveBuilds {
 public:
  struct Build {
    uint64_t serial = 0;
    const storage::Catalog* catalog = nullptr;
    uint64_t collection_id = 0;
    std::vector<std::string> names;
    OperationControl* control = nullptr;
    std::shared_ptr<WrittenIds> written;  // builds alongside writers only
  };

  static ActiveBuilds& Get() {
    static ActiveBuilds* builds = new ActiveBuilds();  // never destroyed: builds may outlive main
    return *builds;
  }

  uint64_t Add(Build build) {
    std::lock_guard lock(mu_);
    build.serial = ++last_serial_;
    builds_.push_back(std::move(build));
    return last_serial_;
  }

  void Remove(uint64_t serial) {
    {
      std::lock_guard lock(mu_);
      std::erase_if(builds_, [&](const Build& b) { return b.serial == serial; });
    }
    ended_.notify_all();
  }

  void NoteWrite(const storage::Catalog* catalog, uint64_t collection_id, std::string_view id_ks,
                 const bson::BsonElement& id) {
    std::lock_guard lock(mu_);
    for (const Build& b : builds_) {
      if (b.catalog == catalog && b.collection_id == collection_id && b.written != nullptr) {
        b.written->Add(id_ks, id);
      }
    }
  }

  // Waits until no build of the collection builds an index named in `names`; returns earlier
  // with the waiting operation's interrupt reason (killOp).
  Status WaitWhileBuilding(const storage::Catalog* catalog, uint64_t collection_id,
                           const std::vector<std::string>& names) {
    std::unique_lock lock(mu_);
    auto building = [&]() {
      return std::any_of(builds_.begin(), builds_.end(), [&](const Build& b) {
        return b.catalog == catalog && b.collection_id == collection_id &&
               std::find_first_of(b.names.begin(), b.names.end(), names.begin(), names.end()) !=
                   b.names.end();
      });
    };
    while (building()) {
      DDS_RETURN_IF_ERROR(CheckForInterrupt());
      ended_.wait_for(lock, std::chrono::milliseconds(100));
    }
    return Status::OK();
  }

  // Interrupts the builds `selected` picks with `reason`, then waits until they have ended (an
  // interrupted build stops at its next check and removes what it added). Returns how many.
  template <typename Selector>
  size_t AbortAndWait(Selector selected, const Status& reason) {
    std::unique_lock lock(mu_);
    std::vector<uint64_t> aborted;
    for (const Build& b : builds_) {
      if (!selected(b)) continue;
      b.control->Interrupt(reason);
      aborted.push_back(b.serial);
    }
    ended_.wait(lock, [&]() {
      return std::none_of(builds_.begin(), builds_.end(), [&](const Build& b) {
        return std::find(aborted.begin(), aborted.end(), b.serial) != aborted.end();
      });
    });
    return aborted.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable ended_;
  std::vector<Build> builds_;
  uint64_t last_serial_ = 0;
};

// Registers a build of the indexes `names` for its scope. A thread running no operation (no
// installed control) gets one of its own, so that drops can still abort the build.
// A build that lets writers go on (`alongside_writers`) also collects what they write.
class RegisteredBuild {
 public:
  RegisteredBuild(storage::Engine& engine, uint64_t collection_id,
                  std::vector<std::string> names, bool alongside_writers) {
    OperationControl* control = CurrentOperationControl();
    if (control == nullptr) {
      own_control_ = std::make_unique<OperationControl>();
      control = own_control_.get();
      own_scope_.emplace(control);
    }
    if (alongside_writers) written_ = std::make_shared<WrittenIds>();
    serial_ = ActiveBuilds::Get().Add(
        {0, &engine.catalog(), collection_id, std::move(names), control, written_});
  }
  ~RegisteredBuild() { ActiveBuilds::Get().Remove(serial_); }
  RegisteredBuild(const RegisteredBuild&) = delete;
  RegisteredBuild& operator=(const RegisteredBuild&) = delete;

  // REQUIRES: built alongside writers.
  WrittenIds& written() { return *written_; }

 private:
  std::unique_ptr<OperationControl> own_control_;
  std::optional<ScopedOperationControl> own_scope_;
  std::shared_ptr<WrittenIds> written_;
  uint64_t serial_ = 0;
};

Status BuildAborted(std::string_view reason) {
  return Status(ErrorCode::kIndexBuildAborted, "Index build aborted: " + std::string(reason));
}

// The collection's write lock, held exclusively, and its descriptor as of holding it.
struct ExclusiveCollection {
  std::shared_ptr<std::shared_mutex> mutex;
  std::unique_lock<std::shared_mutex> lock;
  storage::CollectionPtr desc;
};

// Waits for the writers of db.coll to finish and holds them off. NamespaceNotFound (26) if the
// collection is missing (before or once the lock is held).
StatusWith<ExclusiveCollection> LockExclusively(storage::Catalog& catalog, std::string_view db,
                                                std::string_view coll) {
  storage::CollectionPtr desc = catalog.Lookup(db, coll);
  if (desc == nullptr) return Status(ErrorCode::kNamespaceNotFound, "ns not found");
  ExclusiveCollection held;
  held.mutex = catalog.CollectionWriteLock(desc->id);
  held.lock = std::unique_lock(*held.mutex);
  held.desc = catalog.Lookup(db, coll);
  if (held.desc == nullptr) return Status(ErrorCode::kNamespaceNotFound, "ns not found");
  return held;
}

// Removes the indexes `names` of the collection `collection_id` with their entries, under
// whatever name a rename gave the collection meanwhile (a dropped one took them along).
void RemoveIndexes(storage::Catalog& catalog, uint64_t collection_id,
                   const std::vector<std::string>& names) {
  storage::CollectionPtr now = catalog.LookupById(collection_id);
  if (now == nullptr) return;
  for (const std::string& name : names) (void)catalog.RemoveIndex(now->db, now->name, name);
}

// Adds `specs` to the catalog as building indexes named `names`; *pending gets them with their
// access methods. On failure nothing stays added. REQUIRES: the caller holds the collection's
// write lock exclusively.
Status AddBuildingIndexes(storage::Catalog& catalog, std::string_view db, std::string_view coll,
                          const std::vector<bson::BsonDocument>& specs,
                          const std::vector<std::string>& names,
                          std::vector<PendingIndex>* pending) {
  std::vector<std::string> added;
  auto remove_added = [&]() {
    for (const std::string& name : added) (void)catalog.RemoveIndex(db, coll, name);
  };
  for (size_t i = 0; i < specs.size(); ++i) {
    storage::IndexDescriptor index;
    index.name = names[i];
    index.spec = specs[i];
    index.building = true;
    // New unique indexes key their entries by the tuple alone (IndexDescriptor::tuple_keys).
    index.tuple_keys = specs[i].view()["unique"].TrueValue();
    Status s = catalog.AddIndex(db, coll, index);
    if (!s.ok()) {
      remove_added();
      return s;
    }
    added.push_back(index.name);
  }
  storage::CollectionPtr desc = catalog.Lookup(db, coll);
  if (desc == nullptr) return Status(ErrorCode::kNamespaceNotFound, "ns not found");
  for (const std::string& name : added) {
    PendingIndex p;
    p.descriptor = *desc->FindIndex(name);
    StatusWith<std::shared_ptr<const IndexAccessMethod>> method = GetAccessMethod(p.descriptor);
    if (!method.ok()) {
      remove_added();
      return method.status();
    }
    p.method = std::move(method).value();
    pending->push_back(std::move(p));
  }
  return Status::OK();
}

// Adds `specs` as building indexes named `names` and writes their entries from the collection's
// documents; *built gets them (with their multikey flags) for the caller to finish. On failure
// the added indexes are removed again. REQUIRES: the caller holds the collection's write lock
// exclusively.
Status AddAndBuild(storage::Engine& engine, std::string_view db, std::string_view coll,
                   const std::vector<bson::BsonDocument>& specs,
                   const std::vector<std::string>& names, const IndexBuildOptions& options,
                   std::vector<PendingIndex>* built) {
  storage::Catalog& catalog = engine.catalog();
  std::vector<PendingIndex> pending;
  DDS_RETURN_IF_ERROR(AddBuildingIndexes(catalog, db, coll, specs, names, &pending));
  storage::CollectionPtr desc = catalog.Lookup(db, coll);
  std::unique_ptr<storage::ReadUnit> snapshot = engine.BeginRead();
  Status s = ScanAndWrite(engine, *desc, *snapshot, &pending, options);
  if (s.Is(ErrorCode::kInterrupted) && options.after_chunk_for_test != nullptr) return s;
  if (!s.ok()) {
    RemoveIndexes(catalog, desc->id, names);
    return s;
  }
  *built = std::move(pending);
  return Status::OK();
}

// Makes the entries of the documents in `written` (written while the scan of `snapshot` ran)
// those of their current version: the snapshot version's entries that the scan may have written
// after a writer removed them go, the current version's are (re)written. Each document is read
// and fixed under its record lock, in a write unit of its own: a writer of the document, which
// holds that lock from reading the version it changes until it commits, works before or after,
// on correct entries. So this may run while writers go on; what they write meanwhile is noted
// again.
Status RederiveWrittenEntries(storage::Engine& engine, uint64_t collection_id,
                              storage::ReadUnit& snapshot,
                              const std::unordered_map<std::string, bson::BsonDocument>& written,
                              std::vector<PendingIndex>* pending) {
  KeySet keys;
  auto fix = [&](std::string_view id_ks, const bson::BsonElement& id,
                 const std::optional<bson::BsonDocument>& before) -> Status {
    std::unique_ptr<storage::WriteUnit> unit = engine.BeginWrite();
    DDS_ASSIGN_OR_RETURN(std::optional<bson::BsonDocument> after,
                         unit->GetRecordForUpdate(collection_id, id));
    for (PendingIndex& p : *pending) {
      std::vector<std::string> stale;
      if (before) {
        DDS_RETURN_IF_ERROR(p.method->GetKeys(before->view(), &keys));
        for (const IndexKey& k : keys.keys) stale.push_back(p.method->EntryKey(k, id_ks));
      }
      if (after) {
        DDS_RETURN_IF_ERROR(p.method->GetKeys(after->view(), &keys));
        p.multikey = p.multikey || keys.multikey;
        for (const IndexKey& k : keys.keys) {
          std::string key = p.method->EntryKey(k, id_ks);
          std::erase(stale, key);
          DDS_RETURN_IF_ERROR(unit->Put(key, p.method->EntryValue(k, id)));
        }
      }
      for (const std::string& key : stale) DDS_RETURN_IF_ERROR(unit->Delete(key));
    }
    return unit->Commit(false);
  };
  int64_t done = 0;
  const int64_t total = static_cast<int64_t>(written.size());
  ReportProgress(kDrainProgressMessage, 0, total);
  for (const auto& [id_ks, id_doc] : written) {
    if (++done % kInterruptCheckInterval == 0) {
      DDS_RETURN_IF_ERROR(CheckForInterrupt());
      ReportProgress(kDrainProgressMessage, done, total);
    }
    const bson::BsonElement id = id_doc.view().FirstElement();
    DDS_ASSIGN_OR_RETURN(std::optional<bson::BsonDocument> before,
                         snapshot.GetRecord(collection_id, id));
    Status s = fix(id_ks, id, before);
    // A writer holding the record lock past the lock timeout: wait for it again.
    while (s.Is(ErrorCode::kWriteConflict)) {
      DDS_RETURN_IF_ERROR(CheckForInterrupt());
      s = fix(id_ks, id, before);
    }
    DDS_RETURN_IF_ERROR(s);
  }
  ClearProgress();
  return Status::OK();
}

// Below this many documents noted since the last pass, the last pass runs holding the collection.
constexpr size_t kFinalPassIds = 1000;

// Builds non-unique indexes while the collection's writers go on (mongod's hybrid builds in
// spirit): the collection is held exclusively (`held`) only to add the indexes and take the
// snapshot, and again for the last pass over the documents written meanwhile, whose entries are
// derived again (earlier passes run alongside the writers). From the moment the indexes are in
// the catalog, writers maintain them and note what they wrote in `written`. Returns holding the
// collection again.
Status BuildAlongsideWriters(storage::Engine& engine, std::string_view db, std::string_view coll,
                             const std::vector<bson::BsonDocument>& specs,
                             const std::vector<std::string>& names,
                             const IndexBuildOptions& options, ExclusiveCollection* held,
                             WrittenIds& written, std::vector<PendingIndex>* built) {
  storage::Catalog& catalog = engine.catalog();
  std::vector<PendingIndex> pending;
  DDS_RETURN_IF_ERROR(AddBuildingIndexes(catalog, db, coll, specs, names, &pending));
  const storage::CollectionPtr desc = catalog.Lookup(db, coll);
  std::unique_ptr<storage::ReadUnit> snapshot = engine.BeginRead();
  held->lock.unlock();
  Status s = ScanAndWrite(engine, *desc, *snapshot, &pending, options);
  // The documents written so far are fixed while writers go on (a few passes, each over what the
  // previous one let through), the last few holding the collection again.
  bool overflowed = false;
  for (int pass = 0; s.ok() && pass < 3; ++pass) {
    std::optional<std::unordered_map<std::string, bson::BsonDocument>> ids = written.Take();
    overflowed = !ids.has_value();
    if (overflowed) break;
    s = RederiveWrittenEntries(engine, desc->id, *snapshot, *ids, &pending);
    if (ids->size() < kFinalPassIds) break;
  }
  held->lock.lock();
  if (s.Is(ErrorCode::kInterrupted) && options.after_chunk_for_test != nullptr) return s;
  if (s.ok() && catalog.LookupById(desc->id) == nullptr) {
    s = Status(ErrorCode::kNamespaceNotFound,
               "collection " + desc->ns() + " dropped during the index build");
  }
  if (s.ok()) {
    std::optional<std::unordered_map<std::string, bson::BsonDocument>> ids = written.Take();
    if (ids && !overflowed) {
      s = RederiveWrittenEntries(engine, desc->id, *snapshot, *ids, &pending);
    } else {
      // Too many writes to remember: start over, holding the collection this time.
      RemoveIndexes(catalog, desc->id, names);
      storage::CollectionPtr now = catalog.LookupById(desc->id);
      return AddAndBuild(engine, now->db, now->name, specs, names, options, built);
    }
  }
  if (!s.ok()) {
    RemoveIndexes(catalog, desc->id, names);
    return s;
  }
  *built = std::move(pending);
  return Status::OK();
}

constexpr std::string_view kRebuildNamePrefix = "\x01reIndex ";

// The name a rebuilt index carries until it replaces `name` (IsRebuildName; a control character
// keeps it apart from the names clients choose).
std::string RebuildName(const std::string& name) {
  return std::string(kRebuildNamePrefix) + name;
}

// Rebuilds the indexes `which` (name -> the spec it gets) of db.coll from the documents under new
// index ids, then swaps them in for the old ones in one catalog write. REQUIRES: the caller holds
// the collection's write lock exclusively (LockExclusively).
Status RebuildLocked(storage::Engine& engine, std::string_view db, std::string_view coll,
                     uint64_t collection_id,
                     const std::vector<std::pair<std::string, bson::BsonDocument>>& which,
                     const IndexBuildOptions& options) {
  if (which.empty()) return Status::OK();
  std::vector<bson::BsonDocument> specs;
  std::vector<std::string> names;
  std::vector<storage::Catalog::IndexSwap> swaps;
  for (const auto& [name, spec] : which) {
    specs.push_back(spec);
    names.push_back(RebuildName(name));
    swaps.push_back({name, names.back(), false});
  }
  RegisteredBuild registered(engine, collection_id, names, /*alongside_writers=*/false);
  std::vector<PendingIndex> built;
  DDS_RETURN_IF_ERROR(AddAndBuild(engine, db, coll, specs, names, options, &built));
  for (size_t i = 0; i < built.size(); ++i) swaps[i].multikey = built[i].multikey;
  storage::Catalog& catalog = engine.catalog();
  // An abort that came after the scan's last check still wins: nothing is swapped in.
  Status s = CheckForInterrupt();
  if (s.ok()) s = catalog.SwapRebuiltIndexes(collection_id, swaps);
  if (!s.ok()) RemoveIndexes(catalog, collection_id, names);
  return s;
}

}  // namespace

bool IsRebuildName(std::string_view name) { return name.starts_with(kRebuildNamePrefix); }

Status BuildIndexes(storage::Engine& engine, std::string_view db, std::string_view coll,
                    const std::vector<bson::BsonDocument>& specs,
                    const IndexBuildOptions& options) {
  storage::Catalog& catalog = engine.catalog();
  DDS_ASSIGN_OR_RETURN(ExclusiveCollection held, LockExclusively(catalog, db, coll));
  const storage::CollectionPtr& desc = held.desc;
  std::vector<std::string> names;
  for (const bson::BsonDocument& spec : specs) names.emplace_back(spec.view()["name"].String());
  // Unique builds hold the collection throughout: a writer's entry and a scanned document's may
  // share a tuple key (the later write would hide the duplicate).
  const bool alongside_writers = std::none_of(specs.begin(), specs.end(), [](const auto& spec) {
    return spec.view()["unique"].TrueValue();
  });
  RegisteredBuild registered(engine, desc->id, names, alongside_writers);
  std::vector<PendingIndex> built;
  if (alongside_writers) {
    DDS_RETURN_IF_ERROR(BuildAlongsideWriters(engine, db, coll, specs, names, options, &held,
                                              registered.written(), &built));
  } else {
    DDS_RETURN_IF_ERROR(AddAndBuild(engine, db, coll, specs, names, options, &built));
  }
  // An abort that came after the scan's last check still wins: nothing is committed.
  if (Status s = CheckForInterrupt(); !s.ok()) {
    RemoveIndexes(catalog, desc->id, names);
    return s;
  }
  for (const PendingIndex& p : built) {
    if (p.multikey) DDS_RETURN_IF_ERROR(catalog.SetIndexMultikey(desc->id, p.descriptor.index_id));
    DDS_RETURN_IF_ERROR(catalog.FinishIndexBuild(desc->id, p.descriptor.index_id));
  }
  return Status::OK();
}

StatusWith<std::vector<bson::BsonDocument>> RebuildIndexes(storage::Engine& engine,
                                                           std::string_view db,
                                                           std::string_view coll,
                                                           const IndexBuildOptions& options) {
  storage::Catalog& catalog = engine.catalog();
  DDS_ASSIGN_OR_RETURN(ExclusiveCollection held, LockExclusively(catalog, db, coll));
  std::vector<std::pair<std::string, bson::BsonDocument>> which;
  for (const storage::IndexDescriptor& index : held.desc->indexes) {
    if (index.index_id != 0 && !index.building) which.emplace_back(index.name, index.spec);
  }
  DDS_RETURN_IF_ERROR(RebuildLocked(engine, db, coll, held.desc->id, which, options));
  std::vector<bson::BsonDocument> out;
  for (const storage::IndexDescriptor& index : catalog.Lookup(db, coll)->indexes) {
    out.push_back(index.spec);
  }
  return out;
}

Status ModifyIndexSpec(storage::Engine& engine, std::string_view db, std::string_view coll,
                       std::string_view name, const bson::BsonView& spec, bool to_unique,
                       bool dry_run) {
  storage::Catalog& catalog = engine.catalog();
  DDS_ASSIGN_OR_RETURN(ExclusiveCollection held, LockExclusively(catalog, db, coll));
  const storage::IndexDescriptor* index = held.desc->FindIndex(name);
  if (index == nullptr) {
    return Status(ErrorCode::kIndexNotFound, "index not found: " + std::string(name));
  }
  if (to_unique && index->index_id != 0 && !index->tuple_keys) {
    // Entries are in (tuple, _id) order: equal tuples are adjacent. The tuple is the key without
    // its KeyString(_id) suffix.
    std::string prefix = storage::IndexPrefix(index->index_id);
    std::unique_ptr<storage::ReadUnit> read = engine.BeginRead();
    std::unique_ptr<storage::RawCursor> cursor =
        read->ScanRaw(prefix, storage::PrefixSuccessor(prefix), true);
    bson::BsonBuilder violations;
    int groups = 0;
    std::string last_tuple;
    std::vector<bson::BsonDocument> ids;  // _ids of the current tuple
    auto close_group = [&]() {
      if (ids.size() > 1) {
        violations.StartDocument(bson::IndexName(groups++));
        violations.StartArray("ids");
        for (size_t i = 0; i < ids.size(); ++i) {
          violations.AppendElementAs(bson::IndexName(i), ids[i].view().FirstElement());
        }
        violations.End();
        violations.End();
      }
      ids.clear();
    };
    while (cursor->Next()) {
      bson::BsonView entry(cursor->value().data());
      bson::BsonElement id = entry["_id"];
      std::string_view key = cursor->key();
      size_t id_size = storage::EncodeKeyString(id).size();
      if (id_size > key.size()) {
        return Status(ErrorCode::kInternalError, "data corruption: invalid index entry");
      }
      std::string_view tuple = key.substr(0, key.size() - id_size);
      if (tuple != last_tuple) {
        close_group();
        last_tuple.assign(tuple);
      }
      bson::BsonBuilder b;
      b.AppendElementAs("", id);
      ids.push_back(b.Done());
    }
    DDS_RETURN_IF_ERROR(cursor->status());
    close_group();
    if (groups > 0) {
      bson::BsonBuilder extra;
      extra.AppendArray("violations", violations.Done());
      return Status(ErrorCode::kCannotConvertIndexToUnique,
                    "Cannot convert the index to unique. Please resolve conflicting documents "
                    "before running collMod again.",
                    extra.DoneBytes());
    }
  }
  if (dry_run) return Status::OK();
  if (to_unique && index->index_id != 0 && !index->tuple_keys) {
    // No duplicates (checked above, and no writer can add one while the lock is held): the index
    // is rebuilt with the unique spec, so it gets the tuple-keyed layout of indexes created
    // unique (equalities become point reads), and swapped in at once, as by reIndex.
    return RebuildLocked(engine, db, coll, held.desc->id,
                         {{std::string(name), bson::BsonDocument(spec)}}, {});
  }
  return catalog.SetIndexSpec(db, coll, name, spec);
}

void NoteWriteDuringIndexBuilds(const storage::Catalog& catalog, uint64_t collection_id,
                                std::string_view id_ks, const bson::BsonElement& id) {
  ActiveBuilds::Get().NoteWrite(&catalog, collection_id, id_ks, id);
}

Status WaitForIndexBuilds(storage::Engine& engine, uint64_t collection_id,
                          const std::vector<std::string>& names) {
  return ActiveBuilds::Get().WaitWhileBuilding(&engine.catalog(), collection_id, names);
}

size_t AbortIndexBuilds(storage::Engine& engine, uint64_t collection_id,
                        std::string_view reason) {
  return ActiveBuilds::Get().AbortAndWait(
      [&](const ActiveBuilds::Build& b) {
        return b.catalog == &engine.catalog() && b.collection_id == collection_id;
      },
      BuildAborted(reason));
}

bool AbortIndexBuildOf(storage::Engine& engine, uint64_t collection_id,
                       const std::vector<std::string>& names, std::string_view reason) {
  return ActiveBuilds::Get().AbortAndWait(
             [&](const ActiveBuilds::Build& b) {
               return b.catalog == &engine.catalog() && b.collection_id == collection_id &&
                      std::is_permutation(names.begin(), names.end(), b.names.begin(),
                                          b.names.end());
             },
             BuildAborted(reason)) > 0;
}

Status DropIndex(storage::Engine& engine, std::string_view db, std::string_view coll,
                 std::string_view name) {
  storage::Catalog& catalog = engine.catalog();
  DDS_ASSIGN_OR_RETURN(ExclusiveCollection held, LockExclusively(catalog, db, coll));
  return catalog.RemoveIndex(db, coll, name);
}

}  // namespace dds::index
