// Index validation (the validate command): checks one secondary index against the records.
//
// Both directions, at one snapshot: every key a document generates (partial filter, sparse and
// multikey rules applied, as writes apply them) has its entry, and every entry belongs to a
// document that still generates it. Costs a point read per generated key and a scan of the
// entries; a record read per entry only when some entry was not claimed by a document (then the
// extra ones are looked for). An explicit, occasional operator check. Thread-safe (reads only).
#pragma once

#include <cstdint>
#include <vector>

#include "bson/bson.h"
#include "common/status.h"
#include "index/index_access_method.h"
#include "storage/record_store.h"

namespace dds::index {

// One entry that should be there and is not (missing) or is there and should not be (extra).
struct IndexInconsistency {
  bson::BsonDocument id_key;     // {_id: <value>}
  bson::BsonDocument index_key;  // {<key field>: <value>, ...} in key pattern order
};

struct IndexValidation {
  // Entries in the index.
  int64_t keys = 0;
  int64_t missing_count = 0;
  int64_t extra_count = 0;
  // The first kMaxListed of each kind.
  std::vector<IndexInconsistency> missing;
  std::vector<IndexInconsistency> extra;

  static constexpr size_t kMaxListed = 100;
  bool valid() const { return missing_count == 0 && extra_count == 0; }
};

// Validates the index of `method` over collection `collection_id` at `read`'s snapshot.
// InternalError when stored bytes are corrupt.
StatusWith<IndexValidation> ValidateIndex(storage::ReadUnit* read, uint64_t collection_id,
                                          const IndexAccessMethod& method);

}  // namespace dds::index
