// Explain: MongoDB-shaped explain output for planned queries (find, count, distinct, update,
// delete, findAndModify and an aggregate's leading $match/$sort), with verbosity queryPlanner,
// executionStats or allPlansExecution.
//
// The plan tree mirrors mongod's stage names: COLLSCAN, IXSCAN, FETCH, OR, SORT, SKIP, LIMIT,
// PROJECTION_SIMPLE / PROJECTION_DEFAULT / PROJECTION_COVERED, plus an optional root stage the
// command adds (COUNT, DELETE, UPDATE, ...). executionStats runs the winning plan to completion
// on a snapshot (writes are not performed: an explained update or delete only counts).
//
// Stateless functions; thread-safe.
#pragma once

#include <string>

#include "bson/bson.h"
#include "common/status.h"
#include "query/planner.h"
#include "storage/catalog.h"

namespace dds::storage {
class Engine;
}  // namespace dds::storage

namespace dds::query {

enum class ExplainVerbosity { kQueryPlanner, kExecutionStats, kAllPlansExecution };

// Parses "queryPlanner" / "executionStats" / "allPlansExecution" (BadValue otherwise).
StatusWith<ExplainVerbosity> ParseExplainVerbosity(std::string_view s);

struct ExplainRequest {
  // "db.coll".
  std::string ns;
  PlannerRequest planner;
  ExplainVerbosity verbosity = ExplainVerbosity::kQueryPlanner;
  // Stage wrapped around the plan by the command ("COUNT", "DELETE", "UPDATE", "DISTINCT", "");
  // empty for find.
  std::string root_stage;
  // Extra fields of the root stage (e.g. {nWouldDelete} is computed; give others here).
  bson::BsonDocument root_stage_fields;
};

// Plans the query and returns {queryPlanner: {...}, [executionStats: {...}]} (the command adds
// `command`, `serverInfo` and `ok`).
StatusWith<bson::BsonDocument> ExplainQuery(storage::Engine& engine,
                                            const storage::CollectionPtr& coll,
                                            const ExplainRequest& request);

// The stages of `plan` for `request` as explain's queryPlanner verbosity shows a winning plan
// (no execution statistics): $planCacheStats' cachedPlan.
bson::BsonDocument PlanStagesOf(const QueryPlan& plan, const PlannerRequest& request);

// Runs `plan` to completion (filter, blocking sort, skip, limit) and returns the number of
// documents produced; *stats receives the counters. For tests and explain.
StatusWith<int64_t> ExecutePlanForCount(storage::Engine& engine, const QueryPlan& plan,
                                        const PlannerRequest& request, PlanRunStats* stats);

// Appends serverInfo {host, port, version, gitVersion} as mongod does.
void AppendServerInfo(bson::BsonBuilder* b);

}  // namespace dds::query
