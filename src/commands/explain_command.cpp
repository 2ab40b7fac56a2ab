// explain (compat §2.4, issue #4): {explain: {find|count|distinct|update|delete|findAndModify|
// aggregate: ...}, verbosity} -> mongod-shaped {queryPlanner, executionStats?, command,
// serverInfo, ok}. The explained command is planned exactly as it would run (same planner, same
// hint errors) but nothing is written: executionStats of an update or delete count the documents
// that would be touched.
#include <string>

#include "bson/bson.h"
#include "commands/explain_command.h"
#include "commands/namespace_util.h"
#include "query/explain.h"
#include "query/match_parser.h"
#include "storage/engine.h"

namespace dds::commands {

namespace {

using bson::BsonBuilder;
using bson::BsonElement;
using bson::BsonType;
using bson::BsonView;

BsonView ObjectOrEmpty(const BsonElement& e) { return e.IsObject() ? e.Object() : BsonView(); }

int64_t NumberOr(const BsonElement& e, int64_t fallback) {
  return e.IsNumber() ? static_cast<int64_t>(e.NumberDouble()) : fallback;
}

struct Explained {
  std::string coll;
  BsonView filter, sort, projection;
  BsonElement hint;
  int64_t skip = 0, limit = 0;
  bool count_only = false;
  std::string distinct_key;
  std::string root_stage;
  bson::BsonDocument root_fields;
  // Aggregate: the stages after the pushed-down $match/$sort.
  std::vector<BsonView> remaining_stages;
  bool aggregate = false;
};

StatusWith<Explained> Describe(const std::string& db, const BsonView& inner) {
  Explained x;
  BsonElement first = inner.FirstElement();
  std::string_view name = first.field_name();
  if (!first.IsString()) {
    if (!(name == "aggregate" && first.IsNumber())) {
      return Status(ErrorCode::kInvalidNamespace,
                    "collection name has invalid type " + std::string(bson::TypeAlias(first.type())));
    }
  } else {
    x.coll = std::string(first.String());
  }
  if (name == "find") {
    x.filter = ObjectOrEmpty(inner["filter"]);
    x.sort = ObjectOrEmpty(inner["sort"]);
    x.projection = ObjectOrEmpty(inner["projection"]);
    x.hint = inner["hint"];
    x.skip = NumberOr(inner["skip"], 0);
    x.limit = std::abs(NumberOr(inner["limit"], 0));
  } else if (name == "count") {
    x.filter = ObjectOrEmpty(inner["query"]);
    x.hint = inner["hint"];
    x.skip = NumberOr(inner["skip"], 0);
    x.limit = std::abs(NumberOr(inner["limit"], 0));
    x.count_only = true;
    x.root_stage = "COUNT";
  } else if (name == "distinct") {
    x.filter = ObjectOrEmpty(inner["query"]);
    x.hint = inner["hint"];
    BsonElement key = inner["key"];
    if (!key.IsString()) {
      return Status(ErrorCode::kFailedToParse,
                    "BSON field 'distinct.key' is missing but a required field");
    }
    // mongod shows the plan itself: PROJECTION_COVERED over DISTINCT_SCAN when an index answers
    // it, else the plan of the filter (COLLSCAN, FETCH + IXSCAN).
    x.distinct_key = std::string(key.String());
  } else if (name == "delete" || name == "update") {
    bool is_delete = name == "delete";
    BsonElement list = inner[is_delete ? "deletes" : "updates"];
    if (!list.IsArray() || list.Array().empty() || !list.Array().FirstElement().IsObject()) {
      return Status(ErrorCode::kFailedToParse, "BSON field '" + std::string(name) + "." +
                                                   (is_delete ? "deletes" : "updates") +
                                                   "' is missing but a required field");
    }
    BsonView stmt = list.Array().FirstElement().Object();
    x.filter = ObjectOrEmpty(stmt["q"]);
    x.hint = stmt["hint"];
    if (is_delete && NumberOr(stmt["limit"], 0) == 1) x.limit = 1;
    if (!is_delete && !stmt["multi"].TrueValue()) x.limit = 1;
    x.root_stage = is_delete ? "DELETE" : "UPDATE";
  } else if (name == "findAndModify" || name == "findandmodify") {
    x.filter = ObjectOrEmpty(inner["query"]);
    x.sort = ObjectOrEmpty(inner["sort"]);
    x.hint = inner["hint"];
    x.limit = 1;
    x.root_stage = inner["remove"].TrueValue() ? "DELETE" : "UPDATE";
  } else if (name == "aggregate") {
    x.aggregate = true;
    BsonElement pipeline = inner["pipeline"];
    if (!pipeline.IsArray()) {
      return Status(ErrorCode::kFailedToParse,
                    "BSON field 'aggregate.pipeline' is missing but a required field");
    }
    x.hint = inner["hint"];
    bool leading = true;
    for (const BsonElement& st : pipeline.Array()) {
      if (!st.IsObject() || st.Object().empty()) {
        return Status(40323, "A pipeline stage specification object must contain exactly one "
                             "field.");
      }
      BsonElement op = st.Object().FirstElement();
      if (leading && op.field_name() == "$match" && op.IsObject() && x.filter.empty() &&
          x.sort.empty()) {
        x.filter = op.Object();
        continue;
      }
      if (leading && op.field_name() == "$sort" && op.IsObject() && x.sort.empty()) {
        x.sort = op.Object();
        continue;
      }
      leading = false;
      x.remaining_stages.push_back(st.Object());
    }
  } else {
    return Status(ErrorCode::kCommandNotFound,
                  "Explain failed due to unknown command: " + std::string(name));
  }
  return x;
}

}  // namespace

StatusWith<bson::BsonDocument> RunExplain(CommandContext& ctx, const bson::BsonView& cmd) {
  BsonElement inner_el = cmd["explain"];
  if (!inner_el.IsObject() || inner_el.Object().empty()) {
    return Status(ErrorCode::kTypeMismatch,
                  "BSON field 'explain.explain' is the wrong type '" +
                      std::string(bson::TypeAlias(inner_el.type())) + "', expected type 'object'");
  }
  query::ExplainVerbosity verbosity = query::ExplainVerbosity::kAllPlansExecution;
  BsonElement v = cmd["verbosity"];
  if (!v.eoo()) {
    if (!v.IsString()) {
      return Status(ErrorCode::kTypeMismatch, "BSON field 'explain.verbosity' is the wrong type");
    }
    DDS_ASSIGN_OR_RETURN(verbosity, query::ParseExplainVerbosity(v.String()));
  }
  BsonView inner = inner_el.Object();
  DDS_ASSIGN_OR_RETURN(Explained x, Describe(ctx.db, inner));
  std::string ns = ctx.db + "." + x.coll;
  storage::CollectionPtr coll =
      x.coll.empty() ? nullptr : ctx.engine().catalog().Lookup(ctx.db, x.coll);

  StatusWith<std::unique_ptr<query::MatchExpression>> expr = query::ParseMatchExpression(x.filter);
  if (!expr.ok()) return expr.status();
  query::ExplainRequest req;
  req.ns = ns;
  req.verbosity = verbosity;
  req.root_stage = x.root_stage;
  req.root_stage_fields = x.root_fields;
  req.planner.filter = expr.value().get();
  req.planner.filter_doc = x.filter;
  req.planner.sort = x.sort;
  req.planner.projection = x.projection;
  req.planner.hint = x.hint;
  req.planner.skip = x.skip;
  req.planner.limit = x.limit;
  req.planner.count_only = x.count_only;
  req.planner.distinct_key = x.distinct_key;
  DDS_ASSIGN_OR_RETURN(bson::BsonDocument explained, query::ExplainQuery(ctx.engine(), coll, req));

  BsonBuilder b;
  b.AppendString("explainVersion", "1");
  if (x.aggregate && !x.remaining_stages.empty()) {
    b.StartArray("stages");
    b.StartDocument("0");
    b.StartDocument("$cursor");
    b.AppendElements(explained.view());
    b.End();
    b.End();
    for (size_t i = 0; i < x.remaining_stages.size(); ++i) {
      b.AppendDocument(bson::IndexName(i + 1), x.remaining_stages[i]);
    }
    b.End();
  } else {
    b.AppendElements(explained.view());
  }
  BsonBuilder command;
  command.AppendElements(inner);
  if (!inner.HasField("$db")) command.AppendString("$db", ctx.db);
  b.AppendDocument("command", command.Done());
  query::AppendServerInfo(&b);
  b.StartDocument("serverParameters");
  b.AppendInt32("internalQueryFacetBufferSizeBytes", 104857600);
  b.AppendInt32("internalQueryMaxBlockingSortMemoryUsageBytes", 104857600);
  b.AppendInt32("internalQueryPlanEvaluationWorks", 10000);
  b.AppendInt32("internalQueryPlanEvaluationMaxResults", 101);
  b.End();
  return b.Done();
}

StatusWith<bson::BsonDocument> ExplainAggregate(CommandContext& ctx, const bson::BsonView& cmd) {
  BsonBuilder b;
  b.StartDocument("explain");
  for (const BsonElement& e : cmd) {
    if (e.field_name() != "explain" && e.field_name() != "cursor") b.AppendElement(e);
  }
  b.End();
  b.AppendString("verbosity", "queryPlanner");
  bson::BsonDocument wrapped = b.Done();
  return RunExplain(ctx, wrapped.view());
}

}  // namespace dds::commands
