// In-memory usage counters of the query layer, as mongod keeps them in its
// CollectionIndexUsageTracker: how many executed plans used each index ($indexStats'
// accesses.ops, since accesses.since) and how many ran a collection scan ($collStats'
// queryExecStats.collectionScans). Nothing is persisted: a restart starts every counter at 0 with
// `since` = process start.
//
// Keys: an index is known by its catalog index id; the `_id_` index (index id 0) by its
// collection's id. Both come from the catalog's single id allocator and are never reused, so one
// key space serves both (UsageKey). Explain never records (mongod does not count explain).
//
// Recording is an atomic increment on a counter found through a per-thread cache: no lock on the
// query path except when a thread sees a key for the first time (or after a Forget).
// Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "storage/catalog.h"

namespace dds::query {

class QueryPlan;

// The counter key of an index of collection `collection_id` (index id 0 = `_id_`).
inline uint64_t UsageKey(uint64_t collection_id, uint64_t index_id) {
  return index_id != 0 ? index_id : collection_id;
}

struct UsageSnapshot {
  int64_t ops = 0;
  // Milliseconds since the Unix epoch: when counting started (process start, index creation or
  // the last reset).
  int64_t since_ms = 0;
};

// Counts one use of each distinct index scanned by `plan` (a collection scan plan counts a
// collection scan instead).
void RecordPlanUse(const QueryPlan& plan);
// Counts one use of an index.
void RecordIndexUse(uint64_t collection_id, uint64_t index_id);
// Counts one collection scan of `collection_id` (queryExecStats.collectionScans.total).
void RecordCollectionScan(uint64_t collection_id);

// The counters of an index; an index never seen counts 0 since process start.
UsageSnapshot IndexUsage(uint64_t collection_id, uint64_t index_id);
UsageSnapshot CollectionScans(uint64_t collection_id);

// Restarts an index's counter at 0, `since` now: a new index, or a changed definition (collMod
// hidden), as mongod re-registers the index in its tracker.
void ResetIndexUsage(uint64_t collection_id, uint64_t index_id);
// Forgets the counters of dropped indexes / collections (their ids are never reused).
void ForgetIndexUsage(uint64_t collection_id, uint64_t index_id);
void ForgetCollectionUsage(const storage::CollectionDescriptor& coll);

// The process start time the counters report for indexes that existed at startup (ms since
// epoch).
int64_t UsageProcessStartMs();

}  // namespace dds::query
