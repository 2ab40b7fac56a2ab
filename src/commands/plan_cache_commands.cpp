// planCacheClear: drops a collection's cached plan choices (query/planner.h), all of them or
// those of one query shape. The cache forgets a choice by itself when the collection's indexes
// change or when an execution of the cached plan overruns its trial; this is how an operator
// makes the planner choose again at once.
#include <memory>
#include <string>

#include "bson/bson.h"
#include "commands/command_handlers.h"
#include "commands/namespace_util.h"
#include "query/match_parser.h"
#include "query/planner.h"
#include "storage/engine.h"

namespace dds::commands {

namespace {

using bson::BsonElement;

// mongod's plan_cache_commands::canonicalize checks: `query` an object, `sort`, `projection` and
// `collation` objects when present, and the query a valid filter.
Status ParseShape(const bson::BsonView& cmd, query::PlanCacheShape* shape) {
  BsonElement query = cmd["query"];
  if (!query.IsObject()) {
    return Status(ErrorCode::kBadValue, "required field query must be an object");
  }
  for (const char* field : {"sort", "projection", "collation"}) {
    BsonElement e = cmd[field];
    if (!e.eoo() && !e.IsObject()) {
      return Status(ErrorCode::kBadValue,
                    std::string("optional field ") + field + " must be an object");
    }
  }
  try {
    StatusWith<std::unique_ptr<query::MatchExpression>> parsed =
        query::ParseMatchExpression(query.Object());
    if (!parsed.ok()) return parsed.status();
  } catch (const DbException& ex) {
    return ex.status();
  }
  shape->filter = query.Object();
  if (cmd["sort"].IsObject()) shape->sort = cmd["sort"].Object();
  if (cmd["projection"].IsObject()) shape->projection = cmd["projection"].Object();
  return Status::OK();
}

}  // namespace

StatusWith<bson::BsonDocument> RunPlanCacheClear(CommandContext& ctx, const bson::BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(std::string coll_name, CollectionNameFromCommand(ctx.db, cmd));
  storage::CollectionPtr coll = ctx.engine().catalog().Lookup(ctx.db, coll_name);
  // As mongod: clearing the plans of a collection that does not exist always succeeds.
  if (coll == nullptr) return bson::BsonDocument();
  if (cmd["query"].eoo()) {
    // Without a query, a sort, projection or collation is a mistake, not a request to clear
    // everything.
    if (!cmd["sort"].eoo() || !cmd["projection"].eoo() || !cmd["collation"].eoo()) {
      return Status(ErrorCode::kBadValue, "sort, projection, or collation provided without query");
    }
    query::ClearCollectionPlanCache(*coll, std::nullopt);
    return bson::BsonDocument();
  }
  query::PlanCacheShape shape;
  DDS_RETURN_IF_ERROR(ParseShape(cmd, &shape));
  query::ClearCollectionPlanCache(*coll, shape);
  return bson::BsonDocument();
}

}  // namespace dds::commands
