// aggregate (compat §2.2, §5): parse the pipeline, push a leading $match into the collection
// scan, bind the stages over it, and hand the result to the cursor manager.
#include <memory>
#include <optional>
#include <string>

#include "agg/pipeline.h"
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

using bson::BsonBuilder;
using bson::BsonDocument;
using bson::BsonElement;
using bson::BsonType;
using bson::BsonView;

constexpr std::string_view kAggregate = "aggregate";
constexpr std::string_view kExecutorPrefix = "PlanExecutor error during aggregation :: caused by :: ";

// The scan under a pipeline: a PlanExecutor as an agg::DocumentSource (errors become
// DbException, as stages expect).
class ExecutorSource : public agg::DocumentSource {
 public:
  explicit ExecutorSource(std::unique_ptr<query::PlanExecutor> exec) : exec_(std::move(exec)) {}
  std::optional<BsonDocument> GetNext() override {
    BsonDocument doc;
    StatusWith<bool> has = exec_->Next(&doc);
    if (!has.ok()) ThrowDb(has.status());
    if (!*has) return std::nullopt;
    return doc;
  }

 private:
  std::unique_ptr<query::PlanExecutor> exec_;
};

// The bound pipeline as the cursor manager's stream; keeps the Pipeline alive with its chain.
class PipelineStream : public DocumentStream {
 public:
  PipelineStream(std::shared_ptr<const agg::Pipeline> pipeline,
                 std::unique_ptr<agg::DocumentSource> chain)
      : pipeline_(std::move(pipeline)), chain_(std::move(chain)) {}
  StatusWith<bool> Next(BsonDocument* out) override {
    try {
      std::optional<BsonDocument> doc = chain_->GetNext();
      if (!doc) return false;
      *out = std::move(*doc);
      return true;
    } catch (const DbException& ex) {
      return ex.status().WithPrefix(kExecutorPrefix);
    }
  }

 private:
  std::shared_ptr<const agg::Pipeline> pipeline_;
  std::unique_ptr<agg::DocumentSource> chain_;
};

// Stages that may start an `aggregate: 1` pipeline in mongod.
bool IsCollectionlessStage(std::string_view name) {
  return name == "$documents" || name == "$currentOp" || name == "$listLocalSessions" ||
         name == "$changeStream" || name == "$queryStats" || name == "$listSessions";
}

}  // namespace

StatusWith<BsonDocument> RunAggregate(CommandContext& ctx, const BsonView& cmd) {
  BsonElement target = cmd.FirstElement();
  const bool collectionless = target.IsNumber() && target.NumberDouble() == 1;
  std::string coll_name;
  if (!collectionless) {
    DDS_ASSIGN_OR_RETURN(coll_name, CollectionNameFromCommand(ctx.db, cmd));
  }
  FieldParser p(std::string(kAggregate), cmd);
  BsonView stages;
  DDS_RETURN_IF_ERROR(p.ReadArray("pipeline", &stages, Presence::kRequired));
  std::optional<BsonView> cursor_spec;
  DDS_RETURN_IF_ERROR(p.ReadObject("cursor", &cursor_spec));
  bool explain = false, allow_disk_use = false;
  DDS_RETURN_IF_ERROR(p.ReadBool("explain", &explain));
  DDS_RETURN_IF_ERROR(p.ReadBool("allowDiskUse", &allow_disk_use));
  BsonElement hint;
  DDS_RETURN_IF_ERROR(p.ReadAnyOf("hint", {BsonType::kString, BsonType::kObject}, &hint));
  BsonElement collation;
  DDS_RETURN_IF_ERROR(p.ReadAnyOf("collation", {BsonType::kObject}, &collation));
  BsonView let_vars;
  DDS_RETURN_IF_ERROR(p.ReadObject("let", &let_vars));
  std::optional<int64_t> max_time_ms;
  DDS_RETURN_IF_ERROR(p.ReadNonNegativeInt64("maxTimeMS", &max_time_ms));
  bool ignored = false;
  DDS_RETURN_IF_ERROR(p.ReadBool("needsMerge", &ignored));
  DDS_RETURN_IF_ERROR(p.ReadBool("fromMongos", &ignored));
  DDS_RETURN_IF_ERROR(p.Finish());

  std::optional<int64_t> batch_size;
  if (cursor_spec) {
    FieldParser cp("aggregate.cursor", *cursor_spec, FieldParser::kNested);
    DDS_RETURN_IF_ERROR(cp.ReadNonNegativeInt64("batchSize", &batch_size));
    DDS_RETURN_IF_ERROR(cp.Finish());
  }
  if (explain) {
    return Status(ErrorCode::kNotImplemented, "explain is not supported for aggregate yet");
  }
  if (!cursor_spec) {
    return Status(ErrorCode::kFailedToParse,
                  "The 'cursor' option is required, except for aggregate with the explain "
                  "argument");
  }
  DDS_RETURN_IF_ERROR(CheckSimpleCollation(collation));
  BsonDocument let_storage;
  if (!let_vars.empty()) {
    DDS_ASSIGN_OR_RETURN(let_storage, EvaluateLetVars(let_vars));
    let_vars = let_storage.view();
  }

  agg::ExpressionContext ectx;
  ectx.let_vars = let_vars;
  StatusWith<agg::Pipeline> parsed = [&]() -> StatusWith<agg::Pipeline> {
    try {
      return agg::Pipeline::Parse(stages, ectx);
    } catch (const DbException& ex) {
      return ex.status();
    }
  }();
  if (!parsed.ok()) return parsed.status();
  auto pipeline = std::make_shared<const agg::Pipeline>(std::move(parsed).value());

  if (collectionless) {
    std::vector<std::string> names = pipeline->StageNames();
    std::string first = names.empty() ? std::string() : names.front();
    if (IsCollectionlessStage(first)) {
      return Status(ErrorCode::kNotImplemented,
                    "{aggregate: 1} with " + first + " is not supported yet");
    }
    return Status(ErrorCode::kInvalidNamespace,
                  "{aggregate: 1} is not valid for '" + (first.empty() ? "[]" : first) +
                      "'; a collection is required.");
  }

  storage::CollectionPtr coll = ctx.engine().catalog().Lookup(ctx.db, coll_name);
  DDS_RETURN_IF_ERROR(CheckHint(hint, coll.get()));

  query::PlanSpec spec;
  std::optional<BsonDocument> leading_match = pipeline->LeadingMatch();
  if (leading_match) {
    if (std::optional<BsonElement> id =
            query::PlanExecutor::IdPointLookupValue(leading_match->view())) {
      BsonBuilder b(32);
      b.AppendElementAs("", *id);
      spec.id_lookup = b.Done();
    } else {
      query::MatchParseOptions options;
      options.let_vars = let_vars;
      StatusWith<std::unique_ptr<query::MatchExpression>> matcher = [&]() {
        try {
          return query::ParseMatchExpression(leading_match->view(), options);
        } catch (const DbException& ex) {
          return StatusWith<std::unique_ptr<query::MatchExpression>>(ex.status());
        }
      }();
      if (!matcher.ok()) return matcher.status();
      spec.filter = std::shared_ptr<const query::MatchExpression>(std::move(matcher).value());
    }
  }
  spec.allow_disk_use = allow_disk_use;
  if (max_time_ms && *max_time_ms > 0) {
    spec.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(*max_time_ms);
  }

  auto exec = std::make_unique<query::PlanExecutor>(ctx.engine(), std::move(coll), std::move(spec));
  std::unique_ptr<agg::DocumentSource> chain;
  try {
    chain = pipeline->Bind(std::make_unique<ExecutorSource>(std::move(exec)),
                           /*skip_leading_match=*/leading_match.has_value());
  } catch (const DbException& ex) {
    return ex.status();
  }
  CursorOptions options;
  options.batch_size = batch_size;
  return ctx.cursors().BuildCursorReply(
      ctx, MakeNamespace(ctx.db, coll_name),
      std::make_unique<PipelineStream>(std::move(pipeline), std::move(chain)), options);
}

}  // namespace dds::commands
