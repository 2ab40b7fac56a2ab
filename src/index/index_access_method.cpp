#include "index/index_access_method.h"

#include <cstring>
#include <map>
#include <mutex>
#include <shared_mutex>

#include "storage/key_string.h"
#include "storage/keyspace.h"

namespace dds::index {
namespace {

using bson::BsonElement;
using bson::BsonView;

}  // namespace

StatusWith<BsonElement> EntryId(std::string_view value) {
  size_t doc_size = 0;
  if (!bson::ValidateBson(value.data(), value.size(), bson::kMaxBsonDepth + 50, &doc_size).ok() ||
      doc_size != value.size() || BsonView(value.data()).empty()) {
    return Status(ErrorCode::kInternalError, "data corruption: invalid index entry");
  }
  return BsonView(value.data()).FirstElement();
}

// ---- IndexCursor ----

std::vector<std::pair<std::string, std::string>> RawKeyRanges(
    const std::string& prefix, const std::vector<KeyRange>& ranges,
    std::vector<bool>* whole_tuple) {
  std::vector<std::pair<std::string, std::string>> out;
  if (whole_tuple != nullptr) whole_tuple->clear();
  const std::string end = storage::PrefixSuccessor(prefix);
  for (const KeyRange& r : ranges) {
    std::string lower = prefix, upper;
    if (!r.low_unbounded) {
      lower += r.low;
      // Every entry starting with an excluded tuple prefix is skipped.
      if (!r.low_inclusive) lower = storage::PrefixSuccessor(lower);
    }
    if (r.high_unbounded) {
      upper = end;
    } else {
      upper = prefix + r.high;
      if (r.high_inclusive) upper = storage::PrefixSuccessor(upper);
    }
    if (lower < upper) {
      out.emplace_back(std::move(lower), std::move(upper));
      if (whole_tuple != nullptr) whole_tuple->push_back(r.whole_tuple);
    }
  }
  return out;
}

IndexCursor::IndexCursor(RawScanFn scan, std::string prefix, std::vector<KeyRange> ranges,
                         bool forward, RawGetFn get)
    : scan_(std::move(scan)), get_(std::move(get)), prefix_(std::move(prefix)), forward_(forward) {
  raw_ranges_ = RawKeyRanges(prefix_, ranges, &point_);
  if (get_ == nullptr) point_.assign(raw_ranges_.size(), false);  // no point reads: all scans
}

bool IndexCursor::Accept(std::string_view key, std::string_view value) {
  ++keys_examined_;
  key_.assign(key.substr(prefix_.size()));
  size_t doc_size = 0;
  if (!bson::ValidateBson(value.data(), value.size(), bson::kMaxBsonDepth + 50, &doc_size).ok() ||
      doc_size != value.size()) {
    status_ = Status(ErrorCode::kInternalError, "data corruption: invalid index entry");
    return false;
  }
  value_.assign(value);
  return true;
}

bool IndexCursor::Next() {
  while (true) {
    if (cursor_ == nullptr) {
      if (next_range_ >= raw_ranges_.size()) return false;
      size_t i = forward_ ? next_range_ : raw_ranges_.size() - 1 - next_range_;
      ++next_range_;
      if (point_[i]) {
        const std::string& key = raw_ranges_[i].first;
        StatusWith<std::optional<std::string>> value = get_(key);
        if (!value.ok()) {
          status_ = value.status();
          return false;
        }
        if (!value.value()) continue;
        return Accept(key, *value.value());
      }
      cursor_ = scan_(raw_ranges_[i].first, raw_ranges_[i].second, forward_);
    }
    if (cursor_->Next()) return Accept(cursor_->key(), cursor_->value());
    status_ = cursor_->status();
    cursor_.reset();
    if (!status_.ok()) return false;
  }
}

// ---- IndexAccessMethod ----

IndexAccessMethod::IndexAccessMethod(IndexInfo info, std::shared_ptr<const DocumentFilter> partial)
    : info_(std::move(info)),
      partial_(std::move(partial)),
      prefix_(storage::IndexPrefix(info_.index_id)) {}

bool IndexAccessMethod::Covers(const BsonView& doc) const {
  return partial_ == nullptr || partial_->Matches(doc);
}

Status IndexAccessMethod::GetKeys(const BsonView& doc, KeySet* out) const {
  if (!Covers(doc)) {
    out->keys.clear();
    out->multikey = false;
    return Status::OK();
  }
  return GenerateKeys(info_, doc, out);
}

std::string IndexAccessMethod::EntryKey(const IndexKey& key, std::string_view id_ks) const {
  if (info_.tuple_keys) id_ks = {};
  std::string out;
  out.reserve(prefix_.size() + key.key_string.size() + id_ks.size());
  out += prefix_;
  out += key.key_string;
  out += id_ks;
  return out;
}

std::string IndexAccessMethod::EntryValue(const IndexKey& key, const BsonElement& id) const {
  bson::BsonBuilder b;
  b.AppendElementAs("_id", id);
  for (size_t i = 0; i < key.values.size(); ++i) {
    // A missing field is left out, so a covered query tells it apart from null.
    if (!IsMissing(key.values[i])) b.AppendElementAs(bson::IndexName(i), key.values[i]);
  }
  return b.DoneBytes();
}

Status IndexAccessMethod::DuplicateKeyError(std::string_view ns, const IndexKey& key) const {
  bson::BsonBuilder kv;
  for (size_t i = 0; i < info_.fields.size(); ++i) {
    if (key.values[i].eoo()) {
      kv.AppendNull(info_.fields[i].path);  // a missing field (rebuilt from a build entry)
    } else {
      kv.AppendElementAs(info_.fields[i].path, key.values[i]);
    }
  }
  bson::BsonDocument key_value = kv.Done();
  std::string msg = "E11000 duplicate key error collection: " + std::string(ns) +
                    " index: " + info_.name + " dup key: " + key_value.view().ToShellString();
  bson::BsonBuilder extra;
  extra.AppendDocument("keyPattern", info_.key_pattern);
  extra.AppendDocument("keyValue", key_value);
  return Status(ErrorCode::kDuplicateKey, std::move(msg), extra.DoneBytes());
}

Status IndexAccessMethod::CheckUnique(storage::WriteUnit* unit, std::string_view ns,
                                      const IndexKey& key, std::string_view id_ks) const {
  std::string tuple = prefix_ + key.key_string;
  // Locks the tuple: a concurrent writer of the same tuple waits for this unit to finish.
  StatusWith<std::optional<std::string>> locked = unit->GetForUpdate(tuple);
  if (!locked.ok()) return locked.status();
  if (info_.tuple_keys) {
    // The tuple is the entry's key: the locked read is the whole check.
    const std::optional<std::string>& entry = locked.value();
    if (!entry) return Status::OK();
    DDS_ASSIGN_OR_RETURN(BsonElement holder, EntryId(*entry));
    if (storage::EncodeKeyString(holder) != id_ks) return DuplicateKeyError(ns, key);
    return Status::OK();
  }
  std::unique_ptr<storage::RawCursor> cursor =
      unit->ScanRaw(tuple, storage::PrefixSuccessor(tuple), true);
  while (cursor->Next()) {
    if (cursor->key().substr(tuple.size()) != id_ks) return DuplicateKeyError(ns, key);
  }
  return cursor->status();
}

Status IndexWrites::Apply(storage::WriteUnit* unit) {
  // Entry keys end with the document's _id, whose record the writing unit has locked: no other
  // unit writes these keys concurrently, so they need no lock of their own. Tuple-keyed entries
  // (unique indexes) are put only after CheckUnique locked the tuple, and deleted only by the
  // document that holds the tuple.
  if (!readable) {
    for (std::string& key : deletes) unit->DeleteDeferred(std::move(key));
    for (auto& [key, value] : puts) unit->PutDeferred(std::move(key), std::move(value));
    return Status::OK();
  }
  for (const std::string& key : deletes) DDS_RETURN_IF_ERROR(unit->DeleteUntracked(key));
  for (const auto& [key, value] : puts) DDS_RETURN_IF_ERROR(unit->PutUntracked(key, value));
  return Status::OK();
}

Status IndexAccessMethod::PlanKeys(storage::WriteUnit* unit, std::string_view ns,
                                   const std::vector<const IndexKey*>& which,
                                   const BsonElement& id, std::string_view id_ks,
                                   IndexWrites* out) const {
  for (const IndexKey* key : which) {
    if (info_.unique || info_.prepare_unique) {
      DDS_RETURN_IF_ERROR(CheckUnique(unit, ns, *key, id_ks));
    }
    out->puts.emplace_back(EntryKey(*key, id_ks), EntryValue(*key, id));
  }
  return Status::OK();
}

Status IndexAccessMethod::PlanInsert(storage::WriteUnit* unit, std::string_view ns,
                                     const BsonView& doc, const BsonElement& id,
                                     IndexWrites* out, std::string_view id_ks) const {
  out->readable = out->readable || info_.unique || info_.prepare_unique;
  KeySet keys;
  DDS_RETURN_IF_ERROR(GetKeys(doc, &keys));
  out->multikey = out->multikey || keys.multikey;
  std::string own_id_ks;
  if (id_ks.empty()) id_ks = own_id_ks = storage::EncodeKeyString(id);
  std::vector<const IndexKey*> all;
  all.reserve(keys.keys.size());
  for (const IndexKey& k : keys.keys) all.push_back(&k);
  return PlanKeys(unit, ns, all, id, id_ks, out);
}

Status IndexAccessMethod::PlanRemove(const BsonView& doc, const BsonElement& id,
                                     IndexWrites* out, std::string_view id_ks) const {
  out->readable = out->readable || info_.unique || info_.prepare_unique;
  KeySet keys;
  // Keys that cannot be generated (parallel arrays) were never inserted.
  if (!GetKeys(doc, &keys).ok()) return Status::OK();
  std::string own_id_ks;
  if (id_ks.empty()) id_ks = own_id_ks = storage::EncodeKeyString(id);
  for (const IndexKey& k : keys.keys) out->deletes.push_back(EntryKey(k, id_ks));
  return Status::OK();
}

Status IndexAccessMethod::PlanUpdate(storage::WriteUnit* unit, std::string_view ns,
                                     const BsonView& old_doc, const BsonView& new_doc,
                                     const BsonElement& id, IndexWrites* out,
                                     std::string_view id_ks) const {
  out->readable = out->readable || info_.unique || info_.prepare_unique;
  KeySet old_keys, new_keys;
  if (!GetKeys(old_doc, &old_keys).ok()) old_keys.keys.clear();
  DDS_RETURN_IF_ERROR(GetKeys(new_doc, &new_keys));
  out->multikey = out->multikey || new_keys.multikey;
  std::string own_id_ks;
  if (id_ks.empty()) id_ks = own_id_ks = storage::EncodeKeyString(id);
  // Both sets are sorted: a merge finds removed and added tuples.
  std::vector<const IndexKey*> added;
  size_t i = 0, j = 0;
  while (i < old_keys.keys.size() || j < new_keys.keys.size()) {
    int c;
    if (i == old_keys.keys.size()) {
      c = 1;
    } else if (j == new_keys.keys.size()) {
      c = -1;
    } else {
      c = old_keys.keys[i].key_string.compare(new_keys.keys[j].key_string);
    }
    if (c < 0) {
      out->deletes.push_back(EntryKey(old_keys.keys[i++], id_ks));
    } else if (c > 0) {
      added.push_back(&new_keys.keys[j++]);
    } else {
      // Same tuple; the stored values may still differ (1 vs 1.0): rewrite when they do.
      const IndexKey& o = old_keys.keys[i++];
      const IndexKey& n = new_keys.keys[j++];
      bool same = true;
      for (size_t f = 0; f < o.values.size() && same; ++f) {
        same = o.values[f].type() == n.values[f].type() &&
               o.values[f].value_size() == n.values[f].value_size() &&
               std::memcmp(o.values[f].value(), n.values[f].value(), o.values[f].value_size()) == 0;
      }
      if (!same) out->puts.emplace_back(EntryKey(n, id_ks), EntryValue(n, id));
    }
  }
  return PlanKeys(unit, ns, added, id, id_ks, out);
}

Status IndexAccessMethod::Insert(storage::WriteUnit* unit, std::string_view ns,
                                 const BsonView& doc, const BsonElement& id,
                                 bool* multikey) const {
  IndexWrites writes;
  DDS_RETURN_IF_ERROR(PlanInsert(unit, ns, doc, id, &writes));
  if (multikey) *multikey = writes.multikey;
  return writes.Apply(unit);
}

Status IndexAccessMethod::Remove(storage::WriteUnit* unit, const BsonView& doc,
                                 const BsonElement& id) const {
  IndexWrites writes;
  DDS_RETURN_IF_ERROR(PlanRemove(doc, id, &writes));
  return writes.Apply(unit);
}

Status IndexAccessMethod::Update(storage::WriteUnit* unit, std::string_view ns,
                                 const BsonView& old_doc, const BsonView& new_doc,
                                 const BsonElement& id, bool* multikey) const {
  IndexWrites writes;
  DDS_RETURN_IF_ERROR(PlanUpdate(unit, ns, old_doc, new_doc, id, &writes));
  if (multikey) *multikey = writes.multikey;
  return writes.Apply(unit);
}

std::unique_ptr<IndexCursor> IndexAccessMethod::Scan(RawScanFn scan, std::vector<KeyRange> ranges,
                                                     bool forward, RawGetFn get) const {
  if (!info_.tuple_keys) get = nullptr;
  return std::make_unique<IndexCursor>(std::move(scan), prefix_, std::move(ranges), forward,
                                       std::move(get));
}

// ---- cache ----

StatusWith<std::shared_ptr<const IndexAccessMethod>> GetAccessMethod(
    const storage::IndexDescriptor& index) {
  if (index.index_id == 0) return std::shared_ptr<const IndexAccessMethod>();
  static std::shared_mutex mutex;
  // index id -> (spec bytes, key layout, method); a different spec under the same id (another
  // engine in the same process, tests) replaces the entry.
  struct Cached {
    std::string spec;
    bool tuple_keys = false;  // the key layout, fixed at creation (not part of the spec)
    std::shared_ptr<const IndexAccessMethod> method;
  };
  static auto* cache = new std::map<uint64_t, Cached>();
  {
    std::shared_lock lock(mutex);
    auto it = cache->find(index.index_id);
    if (it != cache->end() && it->second.spec == index.spec.bytes() &&
        it->second.tuple_keys == index.tuple_keys) {
      return it->second.method;
    }
  }
  DDS_ASSIGN_OR_RETURN(IndexInfo info, ParseIndexInfo(index));
  std::shared_ptr<const DocumentFilter> partial;
  if (info.partial_filter) {
    FilterCompiler compiler = GetFilterCompiler();
    if (compiler == nullptr) {
      return Status(ErrorCode::kInternalError,
                    "partialFilterExpression evaluation is not available in this build");
    }
    DDS_ASSIGN_OR_RETURN(partial, compiler(info.partial_filter->view()));
  }
  // multikey/building live in the descriptor; the cached method does not depend on them.
  info.multikey = false;
  info.building = false;
  auto method = std::make_shared<const IndexAccessMethod>(std::move(info), std::move(partial));
  std::unique_lock lock(mutex);
  if (cache->size() > 10000) cache->clear();  // bounded: methods of dropped indexes linger
  (*cache)[index.index_id] = Cached{index.spec.bytes(), index.tuple_keys, method};
  return std::shared_ptr<const IndexAccessMethod>(method);
}

}  // namespace dds::index
