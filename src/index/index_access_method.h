// IndexAccessMethod: reads and writes the entries of one secondary index.
//
// Entry layout (docs/on-disk-format.md, "Index entries"):
//   key   [0x04][index id][KeyString(key tuple)][KeyString(_id)]
//         or, for tuple-keyed (unique) indexes, [0x04][index id][KeyString(key tuple)]
//   value BSON {_id: <_id>, "0": <value of key field 0>, "1": ...} (the values let covered queries
//         answer without fetching; a missing field is left out).
// Unique indexes lock [0x04][index id][KeyString(key tuple)] with GetForUpdate in the writing
// unit: for a tuple-keyed index that read is the entry itself (taken by another _id or not); for
// the older layout the locked key is one no entry uses, and a scan then looks for an entry with
// that tuple and another _id. Two concurrent inserts of one key serialize on the lock, so the
// check is race-free.
//
// Immutable after construction; thread-safe. Writes go through the caller's WriteUnit.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bson/bson.h"
#include "common/status.h"
#include "index/index_spec.h"
#include "index/key_generator.h"
#include "index/partial_filter.h"
#include "storage/record_store.h"

namespace dds::index {

// A range of key tuples in KeyString byte space (without the index prefix and _id). `low` and
// `high` may be prefixes of a tuple (leading fields only): an inclusive bound then covers every
// tuple starting with it, an exclusive one excludes them all.
struct KeyRange {
  std::string low;
  bool low_inclusive = true;
  bool low_unbounded = false;
  std::string high;
  bool high_inclusive = true;
  bool high_unbounded = false;
  // low (== high, both inclusive) is a complete key tuple: in a store keyed by tuples alone (the
  // records by _id, tuple-keyed indexes) at most one entry matches, read with one point lookup.
  bool whole_tuple = false;
};

// Makes a raw cursor over [lower, upper) (ReadUnit::ScanRaw or WriteUnit::ScanRaw).
using RawScanFn = std::function<std::unique_ptr<storage::RawCursor>(std::string lower,
                                                                     std::string upper,
                                                                     bool forward)>;

// The _id (first element) of a stored entry value, pointing into `value`; InternalError when the
// value is not a valid BSON document.
StatusWith<bson::BsonElement> EntryId(std::string_view value);

// Reads one raw key (ReadUnit::Get): the value, or nullopt when the key is absent.
using RawGetFn = std::function<StatusWith<std::optional<std::string>>(std::string_view key)>;

// Translates key ranges into raw [lower, upper) byte ranges of the keys under `prefix` (an
// index's [0x04][index id], or a collection's record prefix), in the order given; empty ranges
// are dropped. With `whole_tuple`, it gets each returned range's KeyRange::whole_tuple.
std::vector<std::pair<std::string, std::string>> RawKeyRanges(
    const std::string& prefix, const std::vector<KeyRange>& ranges,
    std::vector<bool>* whole_tuple = nullptr);

// Iterates the entries of one index inside a list of ranges (ascending byte order; visited in
// reverse with !forward). Not thread-safe.
class IndexCursor {
 public:
  // `prefix` is [0x04][index id] (or [0x03][collection id] to range-scan records by _id, whose
  // values are the documents). With `get` (only for stores keyed by tuples alone), whole-tuple
  // ranges are read with it instead of a seek.
  IndexCursor(RawScanFn scan, std::string prefix, std::vector<KeyRange> ranges, bool forward,
              RawGetFn get = nullptr);
  // Advances to the next entry; false at the end or on error (check status()).
  bool Next();
  // The entry's value document ({_id, "0": v0, ...}). REQUIRES: the last Next() was true.
  bson::BsonView entry() const { return bson::BsonView(value_.data()); }
  bson::BsonElement id() const { return entry().FirstElement(); }
  // The entry's key without the index prefix: KeyString(tuple) + KeyString(_id), or the tuple
  // alone in a tuple-keyed index.
  std::string_view key() const { return key_; }
  Status status() const { return status_; }
  int64_t keys_examined() const { return keys_examined_; }

 private:
  // Takes a read entry (key with the prefix, value); false with status_ set when it is corrupt.
  bool Accept(std::string_view key, std::string_view value);

  RawScanFn scan_;
  RawGetFn get_;
  std::string prefix_;
  std::vector<std::pair<std::string, std::string>> raw_ranges_;
  std::vector<bool> point_;  // per raw range: read its lower key with get_
  bool forward_;
  size_t next_range_ = 0;
  std::unique_ptr<storage::RawCursor> cursor_;
  std::string key_;
  std::string value_;
  Status status_;
  int64_t keys_examined_ = 0;
};

// The entry writes one document change needs in one index, computed (and unique-checked) before
// anything is written, so a failing statement leaves no partial index writes.
struct IndexWrites {
  std::vector<std::string> deletes;
  std::vector<std::pair<std::string, std::string>> puts;
  bool multikey = false;
  // Unique-index entries stay readable in the unit (later unique checks of the same unit must see
  // them); other entries are deferred writes (cheaper; never read back in the unit).
  bool readable = false;
  // Applies the writes to `unit`, moving the keys and values out (the writes are consumed).
  Status Apply(storage::WriteUnit* unit);
};

class IndexAccessMethod {
 public:
  // REQUIRES: info is not the _id index. `partial` is the compiled partialFilterExpression (null
  // when there is none).
  IndexAccessMethod(IndexInfo info, std::shared_ptr<const DocumentFilter> partial);

  const IndexInfo& info() const { return info_; }
  // Returns [0x04][index id].
  const std::string& prefix() const { return prefix_; }

  // Returns whether `doc` belongs in the index (partial filter).
  bool Covers(const bson::BsonView& doc) const;
  // Generates the keys `doc` contributes (none when the partial filter rejects it).
  Status GetKeys(const bson::BsonView& doc, KeySet* out) const;

  // Adds the entries of `doc`. DuplicateKey (11000) with keyPattern/keyValue when a unique key is
  // taken by another document of namespace `ns`. *multikey is set when the keys came from arrays.
  Status Insert(storage::WriteUnit* unit, std::string_view ns, const bson::BsonView& doc,
                const bson::BsonElement& id, bool* multikey) const;
  // Removes the entries of `doc`.
  Status Remove(storage::WriteUnit* unit, const bson::BsonView& doc,
                const bson::BsonElement& id) const;
  // Replaces the entries of `old_doc` by those of `new_doc`, touching only changed keys.
  Status Update(storage::WriteUnit* unit, std::string_view ns, const bson::BsonView& old_doc,
                const bson::BsonView& new_doc, const bson::BsonElement& id,
                bool* multikey) const;

  // The same three changes, planned into *out (unique checks done, keys locked) without writing.
  // `id_ks` is KeyString(id) when the caller has it (one encoding for all indexes), else empty.
  Status PlanInsert(storage::WriteUnit* unit, std::string_view ns, const bson::BsonView& doc,
                    const bson::BsonElement& id, IndexWrites* out,
                    std::string_view id_ks = {}) const;
  Status PlanRemove(const bson::BsonView& doc, const bson::BsonElement& id, IndexWrites* out,
                    std::string_view id_ks = {}) const;
  Status PlanUpdate(storage::WriteUnit* unit, std::string_view ns, const bson::BsonView& old_doc,
                    const bson::BsonView& new_doc, const bson::BsonElement& id,
                    IndexWrites* out, std::string_view id_ks = {}) const;

  // Entry encoding (also used by the index build).
  std::string EntryKey(const IndexKey& key, std::string_view id_key_string) const;
  std::string EntryValue(const IndexKey& key, const bson::BsonElement& id) const;
  // Returns the DuplicateKey status for `key` in namespace `ns`.
  Status DuplicateKeyError(std::string_view ns, const IndexKey& key) const;
  // Checks that no entry other than `id_key_string`'s has the tuple of `key`, locking the tuple
  // in `unit`.
  Status CheckUnique(storage::WriteUnit* unit, std::string_view ns, const IndexKey& key,
                     std::string_view id_key_string) const;

  // Opens a cursor over `ranges`; `get`, when given, serves whole-tuple ranges of a tuple-keyed
  // index with point reads.
  std::unique_ptr<IndexCursor> Scan(RawScanFn scan, std::vector<KeyRange> ranges, bool forward,
                                    RawGetFn get = nullptr) const;

 private:
  Status PlanKeys(storage::WriteUnit* unit, std::string_view ns,
                 const std::vector<const IndexKey*>& which, const bson::BsonElement& id,
                 std::string_view id_ks, IndexWrites* out) const;

  IndexInfo info_;
  std::shared_ptr<const DocumentFilter> partial_;
  std::string prefix_;
};

// Returns the access method for an index descriptor (cached by index id and spec bytes; the
// partial filter is compiled through the installed FilterCompiler). nullptr for the _id index.
StatusWith<std::shared_ptr<const IndexAccessMethod>> GetAccessMethod(
    const storage::IndexDescriptor& index);

}  // namespace dds::index
