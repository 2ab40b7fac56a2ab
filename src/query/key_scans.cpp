#include "query/key_scans.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/assert.h"
#include "storage/key_string.h"
#include "storage/keyspace.h"

namespace dds::query {
namespace {

// How often (in keys) the caller's check runs.
constexpr int64_t kCheckInterval = 256;

Status Corrupt() {
  return Status(ErrorCode::kInternalError, "data corruption: invalid index entry");
}

// The raw key prefix of the scan's entries: [0x04][index id], or the record prefix for _id.
std::string ScanPrefix(const QueryPlan& plan, const IndexScanNode& scan) {
  return scan.method != nullptr ? scan.method->prefix() : storage::RecordPrefix(plan.collection_id);
}

// Returns the length of the first `n` KeyString values of `bytes`, or 0 when malformed.
size_t TupleSize(std::string_view bytes, size_t n) {
  size_t pos = 0;
  for (size_t i = 0; i < n; ++i) {
    size_t size = storage::KeyStringValueSize(bytes.substr(pos));
    if (size == 0) return 0;
    pos += size;
  }
  return pos;
}

// Visits the entries of `scan`'s ranges (under `prefix`) in key order, counting a seek per range
// and each key examined, and running `check` every kCheckInterval keys. `visit(cursor)` returns
// true to go on, false to stop (OK), or an error.
template <typename Visit>
Status ScanEachKey(storage::ReadUnit* read, const std::string& prefix, const IndexScanNode& scan,
                   PlanRunStats* stats, const std::function<Status()>& check, Visit visit) {
  int64_t keys = 0;
  for (const auto& [lower, upper] : index::RawKeyRanges(prefix, scan.ranges)) {
    ++stats->seeks;
    std::unique_ptr<storage::RawCursor> cursor = read->ScanRaw(lower, upper, true);
    while (cursor->Next()) {
      ++stats->keys_examined;
      if (check && ++keys % kCheckInterval == 0) DDS_RETURN_IF_ERROR(check());
      DDS_ASSIGN_OR_RETURN(bool go_on, visit(cursor.get()));
      if (!go_on) return Status::OK();
    }
    DDS_RETURN_IF_ERROR(cursor->status());
  }
  return Status::OK();
}

}  // namespace

bool KeyScansStillValid(const QueryPlan& plan, const storage::CollectionPtr& current) {
  if (current == nullptr || current->id != plan.collection_id) return false;
  for (const IndexScanNode& scan : plan.scans) {
    if (scan.method == nullptr) continue;  // the _id index is the record store
    bool found = false;
    for (const storage::IndexDescriptor& d : current->indexes) {
      if (d.index_id != scan.info.index_id) continue;
      found = !d.building && (scan.info.multikey || !d.multikey);
      break;
    }
    if (!found) return false;
  }
  return true;
}

StatusWith<int64_t> CountPlanKeys(storage::ReadUnit* read, const QueryPlan& plan, int64_t stop_at,
                                  PlanRunStats* stats, const std::function<Status()>& check) {
  DDS_INVARIANT(plan.kind == QueryPlan::Kind::kIndexScan && plan.scans.size() == 1);
  const IndexScanNode& scan = plan.scans[0];
  const std::string prefix = ScanPrefix(plan, scan);
  // Only a multikey secondary index has several keys per document.
  const bool dedup = scan.method != nullptr && scan.info.multikey;
  const size_t fields = scan.info.fields.size();
  std::unordered_set<std::string> seen;
  int64_t counted = 0;
  DDS_RETURN_IF_ERROR(ScanEachKey(
      read, prefix, scan, stats, check, [&](storage::RawCursor* cursor) -> StatusWith<bool> {
        if (dedup) {
          // The document's identity: the key's KeyString(_id) suffix, or for tuple-keyed entries
          // the _id in the value.
          std::string id;
          if (scan.info.tuple_keys) {
            StatusWith<bson::BsonElement> entry_id = index::EntryId(cursor->value());
            if (!entry_id.ok()) return Corrupt();
            id = storage::EncodeKeyString(entry_id.value());
          } else {
            std::string_view key = cursor->key().substr(prefix.size());
            size_t tuple = TupleSize(key, fields);
            if (tuple == 0) return Corrupt();
            id = key.substr(tuple);
          }
          if (!seen.emplace(std::move(id)).second) {
            ++stats->dups_dropped;
            return true;
          }
        }
        return ++counted != stop_at;
      }));
  return counted;
}

Status ForEachDistinctKey(storage::ReadUnit* read, const QueryPlan& plan, PlanRunStats* stats,
                          const std::function<bool(const bson::BsonElement&)>& on_value,
                          const std::function<bool(const bson::BsonView&)>& on_document,
                          const std::function<Status()>& check) {
  DDS_INVARIANT(plan.kind == QueryPlan::Kind::kIndexScan && plan.scans.size() == 1 &&
                plan.distinct_field >= 0 && plan.scans[0].method != nullptr);
  const IndexScanNode& scan = plan.scans[0];
  const std::string prefix = ScanPrefix(plan, scan);
  const size_t field = static_cast<size_t>(plan.distinct_field);
  const std::string field_name(bson::IndexName(field));
  return ScanEachKey(
      read, prefix, scan, stats, check, [&](storage::RawCursor* cursor) -> StatusWith<bool> {
        std::string_view key = cursor->key();
        std::string_view value = cursor->value();
        size_t doc_size = 0;
        if (!bson::ValidateBson(value.data(), value.size(), bson::kMaxBsonDepth + 50, &doc_size)
                 .ok() ||
            doc_size != value.size()) {
          return Corrupt();
        }
        bson::BsonView entry(value.data());
        bson::BsonElement v = entry[field_name];
        if (v.eoo()) return true;  // the document lacks the field; more null keys may follow
        if (scan.info.multikey && v.type() == bson::BsonType::kUndefined) {
          // An empty array or an undefined value: the document says which.
          StatusWith<std::optional<bson::BsonDocument>> doc =
              read->GetRecord(plan.collection_id, entry.FirstElement());
          if (!doc.ok()) return doc.status();
          ++stats->docs_examined;
          return !doc.value().has_value() || on_document(doc.value()->view());
        }
        if (!on_value(v)) return false;
        // Skip every other entry with this value (and the same leading point values).
        size_t tuple = TupleSize(key.substr(prefix.size()), field + 1);
        if (tuple == 0) return Corrupt();
        std::string target = storage::PrefixSuccessor(key.substr(0, prefix.size() + tuple));
        ++stats->seeks;
        cursor->Seek(target);
        return true;
      });
}

}  // namespace dds::query
