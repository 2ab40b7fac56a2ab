// find (compat §2.2, §2.6): parse the request, build a PlanExecutor, and hand it to the cursor
// manager as a DocumentStream.
#include <memory>
#include <optional>
#include <string>

#include "commands/crud_commands.h"
#include "commands/cursor_manager.h"
#include "commands/namespace_util.h"
#include "commands/request_parser.h"
#include "commands/write_helpers.h"
#include "query/match_parser.h"
#include "query/plan_executor.h"
#include "storage/engine.h"

namespace dds::commands {

namespace {

using bson::BsonDocument;
using bson::BsonElement;
using bson::BsonType;
using bson::BsonView;

constexpr std::string_view kFind = "find";

// Adapts a PlanExecutor to the cursor manager's stream interface.
class ExecutorStream : public DocumentStream {
 public:
  explicit ExecutorStream(std::unique_ptr<query::PlanExecutor> exec) : exec_(std::move(exec)) {}
  StatusWith<bool> Next(BsonDocument* out) override { return exec_->Next(out); }

 private:
  std::unique_ptr<query::PlanExecutor> exec_;
};

// The parsed find request. Views point into the command document.
struct FindRequest {
  BsonView filter;
  BsonView projection;
  BsonView sort;
  int64_t skip = 0;
  int64_t limit = 0;
  std::optional<int64_t> batch_size;
  bool single_batch = false;
  bool allow_disk_use = true;  // mongod 6.0+: allowDiskUseByDefault
  bool no_cursor_timeout = false;
  bool tailable = false;
  bool await_data = false;
  bool return_key = false;
  bool show_record_id = false;
  BsonElement hint;
  BsonElement collation;
  BsonView let_vars;
  BsonView min;
  BsonView max;
  std::optional<int64_t> max_time_ms;
};

// The find fields (everything else must be a generic argument).
enum FindField : int {
  kFilter,
  kProjection,
  kSort,
  kSkip,
  kLimit,
  kBatchSize,
  kSingleBatch,
  kAllowDiskUse,
  kNoCursorTimeout,
  kAllowPartialResults,
  kOplogReplay,
  kHint,
  kCollation,
  kLet,
  kMaxTimeMS,
  kMin,
  kMax,
  kReturnKey,
  kShowRecordId,
  kTailable,
  kAwaitData,
  kReadOnce,
  kTerm,
  kNumFindFields,
};

constexpr std::string_view kFindFieldNames[kNumFindFields] = {
    "filter",       "projection",     "sort",        "skip",     "limit",
    "batchSize",    "singleBatch",    "allowDiskUse", "noCursorTimeout",
    "allowPartialResults", "oplogReplay", "hint",     "collation", "let",
    "maxTimeMS",    "min",            "max",         "returnKey", "showRecordId",
    "tailable",     "awaitData",      "readOnce",    "term",
};

int FindFieldIndex(std::string_view name) {
  for (int i = 0; i < kNumFindFields; ++i) {
    if (kFindFieldNames[i] == name) return i;
  }
  return -1;
}

// Parses the common shapes of a find in one pass over the command. Returns false for anything
// unusual (unknown or duplicate fields, unexpected types, negative numbers): the caller then runs
// ParseFindChecked, which produces mongod's exact error.
bool ParseFindFast(const BsonView& cmd, FindRequest* r) {
  BsonElement fields[kNumFindFields];
  bool first = true;
  for (const BsonElement& e : cmd) {
    if (first) {
      first = false;
      continue;
    }
    int i = FindFieldIndex(e.field_name());
    if (i < 0) {
      if (!IsGenericArgument(e.field_name())) return false;
      continue;
    }
    if (!fields[i].eoo()) return false;
    fields[i] = e;
  }
  auto object = [&](int i, BsonView* out) {
    const BsonElement& e = fields[i];
    if (e.eoo()) return true;
    if (!e.IsObject()) return false;
    *out = e.Object();
    return true;
  };
  auto boolean = [&](int i, bool* out) {
    const BsonElement& e = fields[i];
    if (e.eoo()) return true;
    if (e.type() != BsonType::kBool) return false;
    *out = e.Bool();
    return true;
  };
  auto count = [&](int i, int64_t* out) {
    const BsonElement& e = fields[i];
    if (e.eoo()) return true;
    int64_t v;
    if (e.type() == BsonType::kInt32) {
      v = e.Int32();
    } else if (e.type() == BsonType::kInt64) {
      v = e.Int64();
    } else {
      return false;
    }
    if (v < 0) return false;
    *out = v;
    return true;
  };
  bool ignored = false;
  if (!object(kFilter, &r->filter) || !object(kProjection, &r->projection) ||
      !object(kSort, &r->sort) || !count(kSkip, &r->skip) || !count(kLimit, &r->limit) ||
      !boolean(kSingleBatch, &r->single_batch) || !boolean(kAllowDiskUse, &r->allow_disk_use) ||
      !boolean(kNoCursorTimeout, &r->no_cursor_timeout) ||
      !boolean(kAllowPartialResults, &ignored) || !boolean(kOplogReplay, &ignored) ||
      !object(kLet, &r->let_vars) || !object(kMin, &r->min) || !object(kMax, &r->max) ||
      !boolean(kReturnKey, &r->return_key) || !boolean(kShowRecordId, &r->show_record_id) ||
      !boolean(kTailable, &r->tailable) || !boolean(kAwaitData, &r->await_data)) {
    return false;
  }
  if (!fields[kBatchSize].eoo()) {
    int64_t v = 0;
    if (!count(kBatchSize, &v)) return false;
    r->batch_size = v;
  }
  if (!fields[kMaxTimeMS].eoo()) {
    int64_t v = 0;
    if (!count(kMaxTimeMS, &v)) return false;
    r->max_time_ms = v;
  }
  const BsonElement& hint = fields[kHint];
  if (!hint.eoo() && hint.type() != BsonType::kString && !hint.IsObject()) return false;
  r->hint = hint;
  const BsonElement& collation = fields[kCollation];
  if (!collation.eoo() && !collation.IsObject()) return false;
  r->collation = collation;
  return true;
}

// The same request read through FieldParser: mongod's exact IDL errors.
Status ParseFindChecked(const BsonView& cmd, FindRequest* r) {
  *r = FindRequest();
  FieldParser p(std::string(kFind), cmd);
  DDS_RETURN_IF_ERROR(p.ReadObject("filter", &r->filter));
  DDS_RETURN_IF_ERROR(p.ReadObject("projection", &r->projection));
  DDS_RETURN_IF_ERROR(p.ReadObject("sort", &r->sort));
  DDS_RETURN_IF_ERROR(p.ReadNonNegativeInt64("skip", &r->skip));
  DDS_RETURN_IF_ERROR(p.ReadNonNegativeInt64("limit", &r->limit));
  DDS_RETURN_IF_ERROR(p.ReadNonNegativeInt64("batchSize", &r->batch_size));
  DDS_RETURN_IF_ERROR(p.ReadBool("singleBatch", &r->single_batch));
  DDS_RETURN_IF_ERROR(p.ReadBool("allowDiskUse", &r->allow_disk_use));
  DDS_RETURN_IF_ERROR(p.ReadBool("noCursorTimeout", &r->no_cursor_timeout));
  bool ignored = false;
  DDS_RETURN_IF_ERROR(p.ReadBool("allowPartialResults", &ignored));
  DDS_RETURN_IF_ERROR(p.ReadBool("oplogReplay", &ignored));
  DDS_RETURN_IF_ERROR(p.ReadAnyOf("hint", {BsonType::kString, BsonType::kObject}, &r->hint));
  DDS_RETURN_IF_ERROR(p.ReadAnyOf("collation", {BsonType::kObject}, &r->collation));
  DDS_RETURN_IF_ERROR(p.ReadObject("let", &r->let_vars));
  DDS_RETURN_IF_ERROR(p.ReadNonNegativeInt64("maxTimeMS", &r->max_time_ms));
  DDS_RETURN_IF_ERROR(p.ReadObject("min", &r->min));
  DDS_RETURN_IF_ERROR(p.ReadObject("max", &r->max));
  DDS_RETURN_IF_ERROR(p.ReadBool("returnKey", &r->return_key));
  DDS_RETURN_IF_ERROR(p.ReadBool("showRecordId", &r->show_record_id));
  DDS_RETURN_IF_ERROR(p.ReadBool("tailable", &r->tailable));
  DDS_RETURN_IF_ERROR(p.ReadBool("awaitData", &r->await_data));
  p.Ignore("readOnce");
  p.Ignore("term");
  return p.Finish();
}

}  // namespace

StatusWith<BsonDocument> RunFind(CommandContext& ctx, const BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(std::string coll_name, CollectionNameFromCommand(ctx.db, cmd));
  FindRequest r;
  if (!ParseFindFast(cmd, &r)) DDS_RETURN_IF_ERROR(ParseFindChecked(cmd, &r));
  BsonDocument let_storage;
  if (!r.let_vars.empty()) {
    DDS_ASSIGN_OR_RETURN(let_storage, EvaluateLetVars(r.let_vars));
    r.let_vars = let_storage.view();
  }

  if (r.return_key) {
    return Status(ErrorCode::kNotImplemented, "find option 'returnKey' is not supported");
  }
  if (r.show_record_id) {
    return Status(ErrorCode::kNotImplemented, "find option 'showRecordId' is not supported");
  }
  if (r.await_data && !r.tailable) {
    return Status(ErrorCode::kFailedToParse, "Cannot set 'awaitData' without also setting 'tailable'");
  }
  if (!r.min.empty() || !r.max.empty()) {
    return Status(ErrorCode::kNotImplemented, "find options 'min' and 'max' are not supported");
  }
  DDS_RETURN_IF_ERROR(CheckSimpleCollation(r.collation));

  storage::CollectionPtr coll = ctx.engine().catalog().Lookup(ctx.db, coll_name);
  if (r.tailable && coll != nullptr) {
    return Status(ErrorCode::kBadValue,
                  "error processing query: ns=" + coll->ns() +
                      " :: caused by :: tailable cursor requested on non capped collection");
  }

  query::PlanSpec spec;
  std::optional<BsonElement> id_value = query::PlanExecutor::IdPointLookupValue(r.filter);
  if (id_value) {
    bson::BsonBuilder b(32);
    b.AppendElementAs("", *id_value);
    spec.id_lookup = b.Done();
  }
  // A point query on a single-field index takes the plan PlanQuery would choose, without parsing
  // the filter or planning (query/planner.h ExpressEqualityPlan).
  if (!id_value && r.projection.empty() && r.sort.empty() && r.hint.eoo() && r.skip == 0 &&
      r.collation.eoo()) {
    spec.plan = query::ExpressEqualityPlan(coll, r.filter);
  }
  // The filter is parsed even on the point-lookup path when a positional projection needs it.
  if ((!id_value && spec.plan == nullptr) || !r.projection.empty()) {
    query::MatchParseOptions match_options;
    match_options.let_vars = r.let_vars;
    StatusWith<std::unique_ptr<query::MatchExpression>> parsed = [&]() {
      try {
        return query::ParseMatchExpression(r.filter, match_options);
      } catch (const DbException& ex) {
        return StatusWith<std::unique_ptr<query::MatchExpression>>(ex.status());
      }
    }();
    if (!parsed.ok()) return parsed.status();
    spec.filter = std::shared_ptr<const query::MatchExpression>(std::move(parsed).value());
  }
  if (!r.projection.empty()) {
    StatusWith<query::Projection> projection = [&]() {
      try {
        return query::Projection::Parse(r.projection, r.filter, r.let_vars);
      } catch (const DbException& ex) {
        return StatusWith<query::Projection>(ex.status());
      }
    }();
    if (!projection.ok()) return projection.status();
    spec.projection = std::make_shared<const query::Projection>(std::move(projection).value());
  }
  if (!r.sort.empty()) {
    DDS_ASSIGN_OR_RETURN(query::SortPattern sort, query::SortPattern::Parse(r.sort));
    spec.sort = std::make_shared<const query::SortPattern>(std::move(sort));
  } else if (r.hint.IsObject() && r.hint.Object().FirstElement().field_name() == "$natural") {
    // hint {$natural: -1} asks for a backward collection scan.
    DDS_ASSIGN_OR_RETURN(query::SortPattern natural, query::SortPattern::Parse(r.hint.Object()));
    spec.sort = std::make_shared<const query::SortPattern>(std::move(natural));
  }
  query::PlannerRequest plan_request;
  plan_request.filter_doc = r.filter;
  plan_request.sort = r.sort;
  plan_request.projection = r.projection;
  plan_request.hint = r.hint;
  plan_request.skip = r.skip;
  plan_request.limit = r.limit;
  if (spec.plan == nullptr) DDS_RETURN_IF_ERROR(ApplyIndexPlan(ctx.engine(), coll, plan_request, &spec));
  spec.skip = r.skip;
  spec.limit = r.limit;
  spec.allow_disk_use = r.allow_disk_use;
  if (r.max_time_ms && *r.max_time_ms > 0) {
    spec.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(*r.max_time_ms);
  }
  spec.error_prefix = "Executor error during find command :: caused by :: ";

  auto exec = std::make_unique<query::PlanExecutor>(ctx.engine(), std::move(coll), std::move(spec));
  CursorOptions options;
  options.batch_size = r.batch_size;
  options.limit = r.limit;
  options.single_batch = r.single_batch;
  options.no_cursor_timeout = r.no_cursor_timeout;
  return ctx.cursors().BuildCursorReply(ctx, MakeNamespace(ctx.db, coll_name),
                                        std::make_unique<ExecutorStream>(std::move(exec)), options);
}

}  // namespace dds::commands
