// count and distinct (compat §2.2): scans through PlanExecutor::ForEachMatching without copying
// documents.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "commands/crud_commands.h"
#include "commands/namespace_util.h"
#include "commands/request_parser.h"
#include "commands/write_helpers.h"
#include "common/operation_control.h"
#include "query/key_scans.h"
#include "query/index_usage.h"
#include "query/match_parser.h"
#include "query/plan_executor.h"
#include "storage/engine.h"

namespace dds::commands {

namespace {

using bson::BsonBuilder;
using bson::BsonDocument;
using bson::BsonElement;
using bson::BsonType;
using bson::BsonView;

// mongod caps distinct's result at 16 MiB minus some headroom (distinct.cpp).
constexpr int64_t kMaxDistinctBytes = bson::kMaxBsonObjectSize - 4096;

// Builds the executor spec shared by count and distinct.
Status BuildSpec(const BsonView& query, const BsonView& let_vars, std::optional<int64_t> max_time_ms,
                 query::PlanSpec* spec) {
  if (std::optional<BsonElement> id = query::PlanExecutor::IdPointLookupValue(query)) {
    BsonBuilder b(32);
    b.AppendElementAs("", *id);
    spec->id_lookup = b.Done();
  } else if (!query.empty()) {
    query::MatchParseOptions options;
    options.let_vars = let_vars;
    try {
      DDS_ASSIGN_OR_RETURN(std::unique_ptr<query::MatchExpression> parsed,
                           query::ParseMatchExpression(query, options));
      spec->filter = std::shared_ptr<const query::MatchExpression>(std::move(parsed));
    } catch (const DbException& ex) {
      return ex.status();
    }
  }
  if (max_time_ms && *max_time_ms > 0) {
    spec->deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(*max_time_ms);
  }
  return Status::OK();
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// mongod's extractAllElementsAlongPath with trailing-array expansion: the values at dotted `path`,
// traversing arrays of documents, and flattening an array found at the end of the path one level.
void CollectDotted(const BsonView& obj, std::string_view path, std::vector<BsonElement>* out) {
  size_t dot = path.find('.');
  BsonElement e = obj[path.substr(0, dot)];
  if (e.eoo()) return;
  if (dot == std::string_view::npos) {
    if (e.IsArray()) {
      for (const BsonElement& x : e.Array()) out->push_back(x);
    } else {
      out->push_back(e);
    }
    return;
  }
  std::string_view rest = path.substr(dot + 1);
  if (e.IsObject()) {
    CollectDotted(e.Object(), rest, out);
  } else if (e.IsArray()) {
    if (AllDigits(rest.substr(0, rest.find('.')))) {
      CollectDotted(e.Array(), rest, out);  // positional component indexes the array
    } else {
      for (const BsonElement& x : e.Array()) {
        if (x.IsObject()) CollectDotted(x.Object(), rest, out);
      }
    }
  }
}

// Orders owned values ({"": v}) and element views by MongoDB's value comparison.
struct ValueLess {
  using is_transparent = void;
  static BsonElement Of(const BsonDocument& d) { return d.view().FirstElement(); }
  static const BsonElement& Of(const BsonElement& e) { return e; }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return bson::CompareElementValues(Of(a), Of(b)) < 0;
  }
};

// The maxTimeMS and killOp check of a key scan.
std::function<Status()> DeadlineCheck(std::optional<std::chrono::steady_clock::time_point> deadline) {
  return [deadline]() {
    if (deadline && std::chrono::steady_clock::now() > *deadline) {
      return Status(ErrorCode::kMaxTimeMSExpired, "operation exceeded time limit");
    }
    return CheckForInterrupt();
  };
}

}  // namespace

StatusWith<BsonDocument> RunCount(CommandContext& ctx, const BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(std::string coll_name, CollectionNameFromCommand(ctx.db, cmd));
  FieldParser p("count", cmd);
  BsonView query;
  BsonElement query_element = cmd["query"];
  if (!query_element.IsNullish()) DDS_RETURN_IF_ERROR(p.ReadObject("query", &query));
  p.Ignore("query");
  int64_t limit = 0, skip = 0;
  DDS_RETURN_IF_ERROR(p.ReadInt64("limit", &limit));
  DDS_RETURN_IF_ERROR(p.ReadNonNegativeInt64("skip", &skip));
  BsonElement hint;
  DDS_RETURN_IF_ERROR(p.ReadAnyOf("hint", {BsonType::kString, BsonType::kObject}, &hint));
  BsonElement collation;
  DDS_RETURN_IF_ERROR(p.ReadAnyOf("collation", {BsonType::kObject}, &collation));
  BsonView let_vars;
  DDS_RETURN_IF_ERROR(p.ReadObject("let", &let_vars));
  BsonDocument let_storage;
  if (!let_vars.empty()) {
    DDS_ASSIGN_OR_RETURN(let_storage, EvaluateLetVars(let_vars));
    let_vars = let_storage.view();
  }
  std::optional<int64_t> max_time_ms;
  DDS_RETURN_IF_ERROR(p.ReadNonNegativeInt64("maxTimeMS", &max_time_ms));
  p.Ignore("fields");
  DDS_RETURN_IF_ERROR(p.Finish());
  DDS_RETURN_IF_ERROR(CheckSimpleCollation(collation));
  if (limit < 0) limit = -limit;  // count treats a negative limit like its absolute value

  storage::CollectionPtr coll = ctx.engine().catalog().Lookup(ctx.db, coll_name);
  query::PlanSpec spec;
  DDS_RETURN_IF_ERROR(BuildSpec(query, let_vars, max_time_ms, &spec));
  query::PlannerRequest plan_request;
  plan_request.filter_doc = query;
  plan_request.hint = hint;
  plan_request.skip = skip;
  plan_request.limit = limit;
  plan_request.count_only = true;
  if (query.empty()) {
    DDS_RETURN_IF_ERROR(CheckHint(hint, coll.get()));
  } else {
    DDS_RETURN_IF_ERROR(ApplyIndexPlan(ctx.engine(), coll, plan_request, &spec));
  }

  int64_t matched = 0;
  if (query.empty()) {
    // Without a query, count answers from the collection's record count (exact, kept per
    // commit), as mongod's count does from its metadata.
    if (coll != nullptr) matched = ctx.engine().ApproximateRecordCount(coll->id);
  } else {
    const int64_t stop_at = limit > 0 ? skip + limit : 0;
    bool counted_keys = false;
    if (spec.plan && spec.plan->exact && spec.plan->kind == query::QueryPlan::Kind::kIndexScan) {
      // The bounds answer the filter: count the index keys (COUNT_SCAN), no document is read.
      std::unique_ptr<storage::ReadUnit> read = ctx.engine().BeginRead();
      if (query::KeyScansStillValid(*spec.plan, ctx.engine().catalog().Lookup(ctx.db, coll_name))) {
        query::PlanRunStats stats;
        query::RecordPlanUse(*spec.plan);
        DDS_ASSIGN_OR_RETURN(matched, query::CountPlanKeys(read.get(), *spec.plan, stop_at, &stats,
                                                           DeadlineCheck(spec.deadline)));
        counted_keys = true;
      } else {
        spec.plan.reset();  // the index changed since planning: scan the collection
      }
    }
    if (!counted_keys) {
      query::PlanExecutor exec(ctx.engine(), std::move(coll), std::move(spec));
      DDS_RETURN_IF_ERROR(exec.ForEachMatching([&](const BsonView&) {
        ++matched;
        return stop_at == 0 || matched < stop_at;
      }));
    }
  }
  int64_t n = std::max<int64_t>(0, matched - skip);
  if (limit > 0) n = std::min(n, limit);

  BsonBuilder reply(32);
  if (n <= INT32_MAX) {
    reply.AppendInt32("n", static_cast<int32_t>(n));
  } else {
    reply.AppendInt64("n", n);
  }
  return reply.Done();
}

StatusWith<BsonDocument> RunDistinct(CommandContext& ctx, const BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(std::string coll_name, CollectionNameFromCommand(ctx.db, cmd));
  FieldParser p("distinct", cmd);
  std::string key;
  DDS_RETURN_IF_ERROR(p.ReadString("key", &key, Presence::kRequired));
  BsonView query;
  BsonElement query_element = cmd["query"];
  if (!query_element.IsNullish()) DDS_RETURN_IF_ERROR(p.ReadObject("query", &query));
  p.Ignore("query");
  BsonElement hint;
  DDS_RETURN_IF_ERROR(p.ReadAnyOf("hint", {BsonType::kString, BsonType::kObject}, &hint));
  BsonElement collation;
  DDS_RETURN_IF_ERROR(p.ReadAnyOf("collation", {BsonType::kObject}, &collation));
  BsonView let_vars;
  DDS_RETURN_IF_ERROR(p.ReadObject("let", &let_vars));
  BsonDocument let_storage;
  if (!let_vars.empty()) {
    DDS_ASSIGN_OR_RETURN(let_storage, EvaluateLetVars(let_vars));
    let_vars = let_storage.view();
  }
  std::optional<int64_t> max_time_ms;
  DDS_RETURN_IF_ERROR(p.ReadNonNegativeInt64("maxTimeMS", &max_time_ms));
  DDS_RETURN_IF_ERROR(p.Finish());
  DDS_RETURN_IF_ERROR(CheckSimpleCollation(collation));

  storage::CollectionPtr coll = ctx.engine().catalog().Lookup(ctx.db, coll_name);
  query::PlanSpec spec;
  DDS_RETURN_IF_ERROR(BuildSpec(query, let_vars, max_time_ms, &spec));
  query::PlannerRequest plan_request;
  plan_request.filter_doc = query;
  plan_request.hint = hint;
  plan_request.distinct_key = key;
  DDS_RETURN_IF_ERROR(ApplyIndexPlan(ctx.engine(), coll, plan_request, &spec));

  // mongod keeps the values in a BSONElementSet: deduplicated by value (1, 1.0 and
  // NumberLong(1) are one value; the first seen is kept) and returned in BSON order.
  std::set<BsonDocument, ValueLess> values;
  std::vector<BsonElement> found;
  int64_t bytes = 0;
  Status too_big;
  auto add_value = [&](const BsonElement& v) {
    if (values.find(v) != values.end()) return true;
    BsonBuilder b(v.value_size() + 8);
    b.AppendElementAs("", v);
    bytes += static_cast<int64_t>(v.value_size()) + 8;
    if (bytes > kMaxDistinctBytes) {
      too_big = Status(17217, "distinct too big, 16mb cap");
      return false;
    }
    values.insert(b.Done());
    return true;
  };
  auto add_document = [&](const BsonView& doc) {
    found.clear();
    CollectDotted(doc, key, &found);
    for (const BsonElement& v : found) {
      if (!add_value(v)) return false;
    }
    return true;
  };
  bool scanned_keys = false;
  if (spec.plan && spec.plan->distinct_field >= 0) {
    // DISTINCT_SCAN: one index key per distinct value; no document is read.
    std::unique_ptr<storage::ReadUnit> read = ctx.engine().BeginRead();
    if (query::KeyScansStillValid(*spec.plan, ctx.engine().catalog().Lookup(ctx.db, coll_name))) {
      query::PlanRunStats stats;
      query::RecordPlanUse(*spec.plan);
      DDS_RETURN_IF_ERROR(query::ForEachDistinctKey(read.get(), *spec.plan, &stats, add_value,
                                                    add_document, DeadlineCheck(spec.deadline)));
      scanned_keys = true;
    } else {
      spec.plan.reset();  // the index changed since planning: scan the collection
    }
  }
  if (!scanned_keys) {
    query::PlanExecutor exec(ctx.engine(), std::move(coll), std::move(spec));
    DDS_RETURN_IF_ERROR(exec.ForEachMatching(add_document));
  }
  DDS_RETURN_IF_ERROR(too_big);

  BsonBuilder reply(static_cast<size_t>(bytes) + 64);
  reply.StartArray("values");
  size_t i = 0;
  for (const BsonDocument& v : values) {
    reply.AppendElementAs(bson::IndexName(i++), v.view().FirstElement());
  }
  reply.End();
  return reply.Done();
}

}  // namespace dds::commands
