// Key-only scans of planned queries: COUNT_SCAN (count the documents of an exact plan by counting
// its index keys, without fetching or rebuilding documents) and DISTINCT_SCAN (visit one key per
// distinct value of a key field, seeking past the rest of each value), mongod's "fast count" and
// "distinct hack" (issue #4).
//
// Both read raw index entries inside the plan's key ranges at a ReadUnit's snapshot. Multikey
// indexes are deduplicated on the _id part of the key (a document counts once). Stateless
// functions; thread-safe as long as each call has its own ReadUnit.
#pragma once

#include <cstdint>
#include <functional>

#include "bson/bson.h"
#include "common/status.h"
#include "query/planner.h"
#include "storage/catalog.h"
#include "storage/record_store.h"

namespace dds::query {

// Whether the key scans of `plan` still hold for the collection as `current` describes it (looked
// up after the ReadUnit's snapshot was taken): every index still there, and none became multikey
// since planning (an insert marks an index multikey before it commits, so a snapshot taken before
// the lookup has no multikey entries in an index the lookup shows as not multikey). When false,
// the caller runs the ordinary executor instead.
bool KeyScansStillValid(const QueryPlan& plan, const storage::CollectionPtr& current);

// Returns the number of documents `plan` yields, counting index keys. Stops once `stop_at` (> 0)
// documents were counted. `check` (may be empty) is called every few hundred keys; a non-OK
// status (e.g. MaxTimeMSExpired) ends the scan with that status. *stats receives keysExamined,
// seeks and dupsDropped. REQUIRES: plan.exact, plan.kind == kIndexScan.
StatusWith<int64_t> CountPlanKeys(storage::ReadUnit* read, const QueryPlan& plan, int64_t stop_at,
                                  PlanRunStats* stats,
                                  const std::function<Status()>& check = nullptr);

// Runs the DISTINCT_SCAN of `plan` (plan.distinct_field >= 0): calls on_value(v) once per
// distinct key value of the field, with the value stored in the first entry (in key, then _id
// order) that has it. Entries of documents missing the field give no value (the scan goes on
// through the null keys). On a multikey index an `undefined` key may stand for an empty array:
// such documents are fetched and given to on_document (the caller extracts their values). A
// callback returning false ends the scan.
Status ForEachDistinctKey(storage::ReadUnit* read, const QueryPlan& plan, PlanRunStats* stats,
                          const std::function<bool(const bson::BsonElement&)>& on_value,
                          const std::function<bool(const bson::BsonView&)>& on_document,
                          const std::function<Status()>& check = nullptr);

}  // namespace dds::query
