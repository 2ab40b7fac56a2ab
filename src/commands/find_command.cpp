// find (compat §2.2, §2.6): parse the request, build a PlanExecutor, and hand it to the cursor
// manager as a DocumentStream.
#include <memory>
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

// Rejects a find option DDS does not implement when it is set to something other than its
// neutral value.
Status RejectTrueBool(FieldParser& p, std::string_view name, std::string_view what) {
  bool value = false;
  DDS_RETURN_IF_ERROR(p.ReadBool(name, &value));
  if (value) {
    return Status(ErrorCode::kNotImplemented,
                  "find option '" + std::string(name) + "' is not supported: " + std::string(what));
  }
  return Status::OK();
}

}  // namespace

StatusWith<BsonDocument> RunFind(CommandContext& ctx, const BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(std::string coll_name, CollectionNameFromCommand(ctx.db, cmd));
  FieldParser p(std::string(kFind), cmd);

  BsonView filter;
  DDS_RETURN_IF_ERROR(p.ReadObject("filter", &filter));
  BsonView projection_spec;
  DDS_RETURN_IF_ERROR(p.ReadObject("projection", &projection_spec));
  BsonView sort_spec;
  DDS_RETURN_IF_ERROR(p.ReadObject("sort", &sort_spec));
  int64_t skip = 0, limit = 0;
  std::optional<int64_t> batch_size;
  DDS_RETURN_IF_ERROR(p.ReadNonNegativeInt64("skip", &skip));
  DDS_RETURN_IF_ERROR(p.ReadNonNegativeInt64("limit", &limit));
  DDS_RETURN_IF_ERROR(p.ReadNonNegativeInt64("batchSize", &batch_size));
  bool single_batch = false, allow_disk_use = false, no_cursor_timeout = false;
  DDS_RETURN_IF_ERROR(p.ReadBool("singleBatch", &single_batch));
  DDS_RETURN_IF_ERROR(p.ReadBool("allowDiskUse", &allow_disk_use));
  DDS_RETURN_IF_ERROR(p.ReadBool("noCursorTimeout", &no_cursor_timeout));
  bool ignored_bool = false;
  DDS_RETURN_IF_ERROR(p.ReadBool("allowPartialResults", &ignored_bool));
  DDS_RETURN_IF_ERROR(p.ReadBool("oplogReplay", &ignored_bool));
  BsonElement hint;
  DDS_RETURN_IF_ERROR(p.ReadAnyOf("hint", {BsonType::kString, BsonType::kObject}, &hint));
  BsonView collation;
  DDS_RETURN_IF_ERROR(p.ReadObject("collation", &collation));
  BsonView let_vars;
  DDS_RETURN_IF_ERROR(p.ReadObject("let", &let_vars));
  std::optional<int64_t> max_time_ms;
  DDS_RETURN_IF_ERROR(p.ReadNonNegativeInt64("maxTimeMS", &max_time_ms));
  BsonView min_spec, max_spec;
  DDS_RETURN_IF_ERROR(p.ReadObject("min", &min_spec));
  DDS_RETURN_IF_ERROR(p.ReadObject("max", &max_spec));
  DDS_RETURN_IF_ERROR(RejectTrueBool(p, "returnKey", "index keys are not returned"));
  DDS_RETURN_IF_ERROR(RejectTrueBool(p, "showRecordId", "record ids are not exposed"));
  bool tailable = false, await_data = false;
  DDS_RETURN_IF_ERROR(p.ReadBool("tailable", &tailable));
  DDS_RETURN_IF_ERROR(p.ReadBool("awaitData", &await_data));
  p.Ignore("readOnce");
  p.Ignore("term");
  DDS_RETURN_IF_ERROR(p.Finish());

  if (await_data && !tailable) {
    return Status(ErrorCode::kFailedToParse, "Cannot set 'awaitData' without also setting 'tailable'");
  }
  if (!min_spec.empty() || !max_spec.empty()) {
    return Status(ErrorCode::kNotImplemented, "find options 'min' and 'max' are not supported");
  }
  if (!collation.empty()) DDS_RETURN_IF_ERROR(CheckSimpleCollation(cmd["collation"]));

  storage::CollectionPtr coll = ctx.engine().catalog().Lookup(ctx.db, coll_name);
  if (tailable && coll != nullptr) {
    return Status(ErrorCode::kBadValue,
                  "error processing query: ns=" + coll->ns() +
                      " :: caused by :: tailable cursor requested on non capped collection");
  }

  query::PlanSpec spec;
  std::optional<BsonElement> id_value = query::PlanExecutor::IdPointLookupValue(filter);
  if (id_value) {
    bson::BsonBuilder b(32);
    b.AppendElementAs("", *id_value);
    spec.id_lookup = b.Done();
  }
  // The filter is parsed even on the point-lookup path when a positional projection needs it.
  if (!id_value || !projection_spec.empty()) {
    query::MatchParseOptions match_options;
    match_options.let_vars = let_vars;
    StatusWith<std::unique_ptr<query::MatchExpression>> parsed = [&]() {
      try {
        return query::ParseMatchExpression(filter, match_options);
      } catch (const DbException& ex) {
        return StatusWith<std::unique_ptr<query::MatchExpression>>(ex.status());
      }
    }();
    if (!parsed.ok()) return parsed.status();
    spec.filter = std::shared_ptr<const query::MatchExpression>(std::move(parsed).value());
  }
  if (!projection_spec.empty()) {
    StatusWith<query::Projection> projection = [&]() {
      try {
        return query::Projection::Parse(projection_spec, filter);
      } catch (const DbException& ex) {
        return StatusWith<query::Projection>(ex.status());
      }
    }();
    if (!projection.ok()) return projection.status();
    spec.projection = std::make_shared<const query::Projection>(std::move(projection).value());
  }
  if (!sort_spec.empty()) {
    DDS_ASSIGN_OR_RETURN(query::SortPattern sort, query::SortPattern::Parse(sort_spec));
    spec.sort = std::make_shared<const query::SortPattern>(std::move(sort));
  }
  DDS_RETURN_IF_ERROR(CheckHint(hint, coll.get()));
  spec.skip = skip;
  spec.limit = limit;
  spec.allow_disk_use = allow_disk_use;
  if (max_time_ms && *max_time_ms > 0) {
    spec.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(*max_time_ms);
  }
  spec.error_prefix = "Executor error during find command :: caused by :: ";

  auto exec = std::make_unique<query::PlanExecutor>(ctx.engine(), std::move(coll), std::move(spec));
  CursorOptions options;
  options.batch_size = batch_size;
  options.limit = limit;
  options.single_batch = single_batch;
  options.no_cursor_timeout = no_cursor_timeout;
  return ctx.cursors().BuildCursorReply(ctx, MakeNamespace(ctx.db, coll_name),
                                        std::make_unique<ExecutorStream>(std::move(exec)), options);
}

}  // namespace dds::commands
