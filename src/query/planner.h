// The query planner: turns a filter, sort, projection and hint into a QueryPlan over one
// collection's indexes (compat §6, issue #4).
//
// Candidates: one index scan per usable index (bounds from the filter's top-level conjuncts:
// equality, ranges, $in, $regex brackets, compound prefixes, multikey rules; sparse indexes only
// when a predicate implies the field exists; partial indexes only when the filter implies the
// partialFilterExpression; hidden and building indexes never), an index that provides the
// requested sort, and an OR plan (one index scan per $or branch, deduplicated). With several
// candidates the planner runs each on a snapshot for up to 101 results or 10000 works (keys +
// documents examined) and keeps the most productive (MongoDB's multi-planner), remembering the
// choice in a plan cache keyed by the query shape and the collection's index set (an execution
// of a cached plan that overruns its trial evicts the choice: CachedPlanCheck). A hint picks
// an index by name or key pattern ({$natural: ±1} forces a collection scan).
//
// A plan's cursor yields a superset of the matching documents (the caller always re-applies the
// filter): fetched records, or, for covered plans, documents rebuilt from index entries.
//
// Count and distinct (mongod's "fast count" and "distinct hack"): when a scan's bounds answer the
// filter exactly (only equality / range / $in predicates on scalar values, every one turned into
// bounds of the scan, no residual), a count counts index keys without fetching or rebuilding
// documents; a single-interval one is shown as COUNT_SCAN and chosen without a trial. A distinct
// over an index led by its key (empty or exact filter) is a DISTINCT_SCAN that seeks past each
// value.
//
// PlanQuery is thread-safe (the plan cache is shared); plans are immutable and shareable.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bson/bson.h"
#include "common/status.h"
#include "index/index_access_method.h"
#include "query/index_bounds.h"
#include "query/match_expression.h"
#include "storage/catalog.h"
#include "storage/record_store.h"

namespace dds::storage {
class Engine;
}  // namespace dds::storage

namespace dds::query {

// Counters of one plan execution (explain executionStats).
struct PlanRunStats {
  int64_t keys_examined = 0;
  int64_t docs_examined = 0;
  int64_t dups_dropped = 0;
  int64_t seeks = 0;
  int64_t works() const { return keys_examined + docs_examined; }
};

// One index scan of a plan.
struct IndexScanNode {
  index::IndexInfo info;  // with the descriptor's multikey flag
  std::shared_ptr<const index::IndexAccessMethod> method;  // null for the _id index
  IndexBounds bounds;
  std::vector<index::KeyRange> ranges;
  bool forward = true;
};

class QueryPlan {
 public:
  enum class Kind { kCollScan, kIndexScan, kOr };

  Kind kind = Kind::kCollScan;
  uint64_t collection_id = 0;
  // kIndexScan: one scan; kOr: one per branch.
  std::vector<IndexScanNode> scans;
  // Collection scan direction ({$natural: -1}).
  bool collscan_forward = true;
  // The scan order satisfies the requested sort (no blocking sort needed).
  bool provides_sort = false;
  // Documents are rebuilt from index entries (no FETCH).
  bool covered = false;
  // Entries of one document may repeat (multikey or OR): deduplicate on _id.
  bool dedup = false;
  // kIndexScan: the bounds answer the whole filter (no residual predicate): the matches are the
  // scan's distinct documents, so a count can count keys (CountPlanKeys, query/key_scans.h).
  bool exact = false;
  // count_only requests: an exact scan whose bounds are one interval, which mongod turns into a
  // COUNT_SCAN (explain shows it; the count counts keys).
  bool count_scan = false;
  // distinct requests: the position in the key pattern of the distinct field when the plan is a
  // DISTINCT_SCAN (one key per distinct value, ForEachDistinctKey); -1 otherwise.
  int distinct_field = -1;

  // Opens a cursor over the candidate documents at `read`'s snapshot. REQUIRES: `read` and
  // `stats` outlive the cursor.
  std::unique_ptr<storage::RecordCursor> Open(storage::ReadUnit* read, PlanRunStats* stats) const;
  // A short description for logs and tests: "COLLSCAN", "IXSCAN a_1", "OR(IXSCAN a_1, IXSCAN b_1)",
  // "COUNT_SCAN a_1", "DISTINCT_SCAN a_1".
  std::string Summary() const;
};

struct PlannerRequest {
  // Parsed filter; null matches everything.
  const MatchExpression* filter = nullptr;
  // The raw filter, sort and projection ({} when absent).
  bson::BsonView filter_doc;
  bson::BsonView sort;
  bson::BsonView projection;
  // The hint element (EOO when absent).
  bson::BsonElement hint;
  int64_t skip = 0;
  int64_t limit = 0;
  // The caller only counts matches (no document fields needed: count can be covered).
  bool count_only = false;
  // Skip the plan cache (explain always re-plans so it can show rejected plans).
  bool bypass_cache = false;
  // The distinct command's key (empty otherwise): the planner may choose a DISTINCT_SCAN (mongod's
  // getExecutorDistinct: an index whose key pattern starts with the key, with an empty filter or
  // a filter its bounds answer exactly; not partial; with a filter, not multikey).
  std::string_view distinct_key;
};

// The outcome of a trial run of one candidate.
struct TrialResult {
  std::shared_ptr<const QueryPlan> plan;
  int64_t results = 0;
  PlanRunStats stats;
  bool eof = false;
  double score = 0;
};

// What an execution of a cached plan checks (mongod's CachedPlanStage): the plan must produce
// `result_target` results (or end) within `works_budget` works (keys + documents examined; 10x
// the works of the trial that chose it), else the data no longer suits the cached choice and
// EvictCachedPlan drops it, so that the next query of the shape plans again.
struct CachedPlanCheck {
  std::string cache_key;
  uint64_t entry_id = 0;  // the entry checked (a newer choice under the same key is kept)
  int64_t works_budget = 0;
  int64_t result_target = 0;
};

struct PlannerResult {
  std::shared_ptr<const QueryPlan> winner;
  // Every candidate with its trial (empty when there was one candidate or a cache hit).
  std::vector<TrialResult> trials;
  bool from_cache = false;
  // With from_cache: what executing the plan must check.
  std::optional<CachedPlanCheck> cached_check;
  // Hex hashes of the query shape (explain queryHash / planCacheKey).
  std::string query_hash;
  std::string plan_cache_key;
};

// Plans a query over `coll` (null: an empty collection scan plan). BadValue (2) for a hint that
// names no usable index: "error processing query: ns=db.coll planner returned error :: caused
// by :: hint provided does not correspond to an existing index".
StatusWith<PlannerResult> PlanQuery(storage::Engine& engine, const storage::CollectionPtr& coll,
                                    const PlannerRequest& request);

// The plan PlanQuery chooses for a filter that is one equality {path: v}, built without parsing
// the filter or collecting candidates, when that plan is certain: v is a value whose point bounds
// are exact (a number, string, date, ObjectId, bool, timestamp or binary), and the one ready index
// leading with `path` is a plain single-field index (not multikey, sparse, partial, hashed or
// hidden). The plan is IXSCAN of the point, FETCH without a filter (exact), as PlanQuery's. Null
// when the filter or the indexes are anything else: the caller plans the general way. This is
// the find path of mongod 8's express executor (point queries on a single-field index).
std::shared_ptr<const QueryPlan> ExpressEqualityPlan(const storage::CollectionPtr& coll,
                                                     const bson::BsonView& filter);

// Installs the partialFilterExpression compiler into the index layer (idempotent; also done at
// static initialization).
void InstallIndexHooks();

// Clears the whole plan cache (tests).
void ClearPlanCache();

// A query shape as planCacheClear names it: the values in it do not matter, only operators,
// field names and value types.
struct PlanCacheShape {
  bson::BsonView filter;
  bson::BsonView sort;
  bson::BsonView projection;
};

// Removes the cached plans of `coll`: all of them, or those of queries with `shape` (whatever
// their limit, count or not). Returns how many entries went.
size_t ClearCollectionPlanCache(const storage::CollectionDescriptor& coll,
                                const std::optional<PlanCacheShape>& shape);

// Drops the cache entry a CachedPlanCheck was made from, unless it was replaced since.
void EvictCachedPlan(const CachedPlanCheck& check);

// One cached plan choice as $planCacheStats shows it: the query whose trial made it, the plan
// that won (with that query's bounds), the winner's works and every candidate's score.
struct PlanCacheEntryInfo {
  std::string query_hash;
  std::string plan_cache_key;
  std::chrono::system_clock::time_point created;
  int64_t works = 0;
  bson::BsonDocument filter, sort, projection;
  int64_t skip = 0;
  int64_t limit = 0;
  bool count_only = false;
  std::shared_ptr<const QueryPlan> plan;
  std::vector<double> scores;  // every candidate's, highest (the winner's) first
};

// The cached plans of `coll`, in no particular order.
std::vector<PlanCacheEntryInfo> CollectionPlanCacheEntries(const storage::CollectionDescriptor& coll);

}  // namespace dds::query
