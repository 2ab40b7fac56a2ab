// PlanExecutor: runs a collection-scan plan over one snapshot: record scan (or a point lookup when
// the filter is exactly {_id: <scalar>}), filter, blocking in-memory sort (top-k when a limit is
// given), skip, limit and projection, producing result documents one by one.
//
// The executor owns its ReadUnit (a consistent snapshot) and the descriptor of the collection, so
// it can live across getMore calls; the Engine must outlive it. A missing collection (null
// descriptor) produces nothing. Evaluator exceptions (DbException) are turned into the Status
// returned by Next. Single-threaded: one thread at a time may call Next. Starting an execution
// counts it in query/index_usage.h ($indexStats / $collStats queryExecStats); explain does not use
// an executor, so it never counts.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bson/bson.h"
#include "common/status.h"
#include "query/match_expression.h"
#include "query/planner.h"
#include "query/projection.h"
#include "query/sort_pattern.h"
#include "query/sort_spill.h"
#include "storage/catalog.h"
#include "storage/record_store.h"

namespace dds::storage {
class Engine;
}  // namespace dds::storage

namespace dds::query {

// Memory a blocking sort may use without allowDiskUse (mongod's
// internalQueryMaxBlockingSortMemoryUsageBytes). Default: 100 MiB.
constexpr int64_t kMaxBlockingSortBytes = 100 * 1024 * 1024;

struct PlanSpec {
  // Filter; null matches everything.
  std::shared_ptr<const MatchExpression> filter;
  // The `_id` value for the point-lookup path ({"": value}); when set, `filter` is ignored
  // (the caller guarantees the filter is exactly {_id: value}, see IdPointLookupValue).
  std::optional<bson::BsonDocument> id_lookup;
  // The planner's plan (query/planner.h): an index scan or OR plan whose cursor yields a superset
  // of the matches (the filter is still applied). Null = collection scan (or the point lookup).
  std::shared_ptr<const QueryPlan> plan;
  // Set when `plan` came from the plan cache: the execution evicts the cache entry when the plan
  // overruns the check's budget (PlannerResult::cached_check).
  std::optional<CachedPlanCheck> cached_check;
  // Sort; null or empty = storage (_id) order. {$natural: -1} scans backwards.
  std::shared_ptr<const SortPattern> sort;
  // Projection applied to each returned document; null returns whole documents.
  std::shared_ptr<const Projection> projection;
  // Documents skipped after filtering and sorting. Default: 0.
  int64_t skip = 0;
  // Maximum documents returned; 0 = no limit. Default: 0.
  int64_t limit = 0;
  // Without it, a sort over more than max_sort_bytes fails with 292. With it, sorted runs of
  // about max_sort_bytes spill to <dbpath>/_tmp and are merged (query/sort_spill.h).
  // Default: false.
  bool allow_disk_use = false;
  int64_t max_sort_bytes = kMaxBlockingSortBytes;
  // The deadline of maxTimeMS, if any (50 MaxTimeMSExpired once exceeded).
  std::optional<std::chrono::steady_clock::time_point> deadline;
  // Prefix of execution errors ("Executor error during find command :: caused by :: ").
  // REQUIRES: points at storage that outlives the executor (a string literal).
  std::string_view error_prefix;
};

// Execution statistics, for explain and serverStatus.
struct PlanStats {
  // Documents the executor looked at (records scanned or fetched through an index plan).
  int64_t docs_examined = 0;
  int64_t returned = 0;
  bool point_lookup = false;
  bool blocking_sort = false;
  // Runs the blocking sort wrote to disk (explain's usedDisk / spills).
  int64_t sort_spills = 0;
  int64_t sort_spilled_bytes = 0;
};

class PlanExecutor {
 public:
  // Creates an executor over `coll` (may be null: an empty result).
  PlanExecutor(storage::Engine& engine, storage::CollectionPtr coll, PlanSpec spec);
  ~PlanExecutor();
  PlanExecutor(const PlanExecutor&) = delete;
  PlanExecutor& operator=(const PlanExecutor&) = delete;

  // Sets *out to the next result and returns true, or returns false at the end.
  StatusWith<bool> Next(bson::BsonDocument* out);

  // Calls fn(doc) for every document matching the filter, in storage order, without copying
  // (count, distinct); sort, skip, limit and projection are ignored. `fn` returns false to stop.
  // The view is valid only during the call. REQUIRES: Next() was never called.
  Status ForEachMatching(const std::function<bool(const bson::BsonView&)>& fn);

  const PlanStats& stats() const { return stats_; }

  // Returns the `_id` value when `filter` is exactly {_id: v} with v a value that equality on a
  // record key answers exactly (not an object, array, regex, null/undefined/MinKey/MaxKey... see
  // the .cpp); else nullopt. The element points into `filter`.
  static std::optional<bson::BsonElement> IdPointLookupValue(const bson::BsonView& filter);

 private:
  using SortedItem = SortItem;

  // Produces the next filtered document (before sort/skip/limit/projection) into *out.
  StatusWith<bool> NextMatching(bson::BsonDocument* out);
  Status RunBlockingSort();
  // Counts this execution in the usage counters (query/index_usage.h): the indexes of the plan,
  // _id_ for the point lookup, or a collection scan.
  void RecordUse() const;
  // After each document the plan yields (`matched`: it passed the filter) and at its end: ends
  // the cached-plan check once the plan produced its result target, or evicts the entry once it
  // overran.
  void CheckCachedPlan(bool matched);
  // MaxTimeMSExpired (50) past the deadline, Interrupted (11601) once killOp hit the operation.
  Status CheckStop();
  StatusWith<bson::BsonDocument> Project(bson::BsonDocument doc);
  Status AnnotateError(const Status& s) const;
  // The plan's index bounds answer the whole filter (QueryPlan::exact): every document the plan
  // yields matches, so the filter is not re-applied (mongod drops such a FETCH filter too).
  bool FilterAnsweredByPlan() const {
    return spec_.plan != nullptr && spec_.plan->kind == QueryPlan::Kind::kIndexScan &&
           spec_.plan->exact;
  }

  storage::Engine& engine_;
  storage::CollectionPtr coll_;
  PlanSpec spec_;
  PlanStats stats_;
  PlanRunStats plan_stats_;
  MatchDetails details_;
  // Declared before cursor_ so the cursor is destroyed first.
  std::unique_ptr<storage::ReadUnit> read_unit_;
  std::unique_ptr<storage::RecordCursor> cursor_;
  bool started_ = false;
  bool done_ = false;
  int64_t check_results_ = 0;  // matches counted by the cached-plan check
  int64_t skipped_ = 0;
  // Blocking sort output, consumed from sorted_pos_.
  bool sorted_ready_ = false;
  std::vector<SortedItem> sorted_;
  size_t sorted_pos_ = 0;
  // Set when the sort spilled: the results come from the merge of its runs instead of sorted_.
  std::unique_ptr<SortSpill> spill_;
};

}  // namespace dds::query
