#include "index/index_validation.h"

#include <algorithm>
#include <string>

#include "common/operation_control.h"
#include "storage/key_string.h"
#include "storage/keyspace.h"

namespace dds::index {
namespace {

bson::BsonDocument IdKey(const bson::BsonElement& id) {
  bson::BsonBuilder b;
  b.AppendElementAs("_id", id);
  return b.Done();
}

// {<field>: <value>} for a generated key (a missing field shows as null, as mongod's keys do).
bson::BsonDocument KeyDocument(const IndexInfo& info, const IndexKey& key) {
  bson::BsonBuilder b;
  for (size_t i = 0; i < info.fields.size() && i < key.values.size(); ++i) {
    b.AppendElementAs(info.fields[i].path, key.values[i]);
  }
  return b.Done();
}

// The same from a stored entry's value {_id, "0": v0, ...} (a missing field is left out there).
bson::BsonDocument KeyDocument(const IndexInfo& info, const bson::BsonView& entry) {
  bson::BsonBuilder b;
  for (size_t i = 0; i < info.fields.size(); ++i) {
    bson::BsonElement v = entry[bson::IndexName(i)];
    if (v.eoo()) {
      b.AppendNull(info.fields[i].path);
    } else {
      b.AppendElementAs(info.fields[i].path, v);
    }
  }
  return b.Done();
}

void Record(std::vector<IndexInconsistency>* list, int64_t* count, bson::BsonDocument id_key,
            bson::BsonDocument index_key) {
  ++*count;
  if (list->size() < IndexValidation::kMaxListed) {
    list->push_back(IndexInconsistency{std::move(id_key), std::move(index_key)});
  }
}

// Whether a stored entry value {_id, ...} names the document whose KeyString(_id) is `id_ks`
// (an unreadable value names none: the document's entry then counts as missing).
bool EntryBelongsTo(std::string_view value, std::string_view id_ks) {
  StatusWith<bson::BsonElement> id = EntryId(value);
  return id.ok() && storage::EncodeKeyString(id.value()) == id_ks;
}

// InternalError unless `value` is one whole BSON document with a first element (the _id).
Status CheckEntryBytes(std::string_view value, const IndexInfo& info) {
  if (!EntryId(value).ok()) {
    return Status(ErrorCode::kInternalError,
                  "data corruption: invalid entry in index '" + info.name + "'");
  }
  return Status::OK();
}

}  // namespace

StatusWith<IndexValidation> ValidateIndex(storage::ReadUnit* read, uint64_t collection_id,
                                          const IndexAccessMethod& method) {
  IndexValidation result;
  const IndexInfo& info = method.info();

  // Documents -> entries: each generated key must be stored. `found` counts the entries claimed
  // this way; each is claimed once (its key holds the _id, or its value names the document).
  int64_t found = 0;
  std::unique_ptr<storage::RecordCursor> records = read->ScanRecords(collection_id);
  int64_t scanned = 0;
  while (records->Next()) {
    if (++scanned % 1024 == 0) DDS_RETURN_IF_ERROR(CheckForInterrupt());  // killOp
    bson::BsonView doc = records->doc();
    bson::BsonElement id = doc["_id"];
    KeySet keys;
    // A document whose keys cannot be generated (parallel arrays) was refused by every write.
    if (!method.GetKeys(doc, &keys).ok()) continue;
    const std::string id_ks = storage::EncodeKeyString(id);
    for (const IndexKey& key : keys.keys) {
      DDS_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                           read->Get(method.EntryKey(key, id_ks)));
      if (stored && info.tuple_keys && !EntryBelongsTo(*stored, id_ks)) {
        stored.reset();  // the tuple's entry names another document
      }
      if (!stored) {
        Record(&result.missing, &result.missing_count, IdKey(id), KeyDocument(info, key));
      } else {
        ++found;
      }
    }
  }
  DDS_RETURN_IF_ERROR(records->status());

  // Entries -> documents: each entry must be one of its document's keys. When every entry was
  // claimed above (as many entries as claims), none can be extra: one sequential pass counts the
  // entries and checks their bytes. Only otherwise does a second pass look for the extra ones,
  // with a record read and a key generation per entry.
  const std::string& prefix = method.prefix();
  std::unique_ptr<storage::RawCursor> entries =
      read->ScanRaw(prefix, storage::PrefixSuccessor(prefix));
  while (entries->Next()) {
    ++result.keys;
    DDS_RETURN_IF_ERROR(CheckEntryBytes(entries->value(), info));
  }
  DDS_RETURN_IF_ERROR(entries->status());
  if (result.keys == found) return result;
  entries = read->ScanRaw(prefix, storage::PrefixSuccessor(prefix));
  while (entries->Next()) {
    std::string_view raw_key = entries->key();
    bson::BsonView entry(entries->value().data());
    bson::BsonElement id = entry.FirstElement();
    DDS_ASSIGN_OR_RETURN(std::optional<bson::BsonDocument> doc,
                         read->GetRecord(collection_id, id));
    bool belongs = false;
    KeySet keys;
    if (doc && method.GetKeys(doc->view(), &keys).ok()) {
      const std::string id_ks = storage::EncodeKeyString(id);
      belongs = std::any_of(keys.keys.begin(), keys.keys.end(), [&](const IndexKey& key) {
        return method.EntryKey(key, id_ks) == raw_key;
      });
    }
    if (!belongs) {
      Record(&result.extra, &result.extra_count, IdKey(id), KeyDocument(info, entry));
    }
  }
  DDS_RETURN_IF_ERROR(entries->status());
  return result;
}

}  // namespace dds::index
