// aggregate (compat §2.2, §5): parse the pipeline, push a leading $match into the collection
// scan, bind the stages over it, and hand the result to the cursor manager.
#include <memory>
#include <optional>
#include <string>

#include "agg/pipeline.h"
#include "commands/aggregate_output_internal.h"
#include "commands/collection_stats.h"
#include "commands/crud_commands.h"
#include "commands/cursor_manager.h"
#include "commands/explain_command.h"
#include "commands/namespace_util.h"
#include "commands/operation_registry.h"
#include "commands/request_parser.h"
#include "commands/write_helpers.h"
#include "query/match_parser.h"
#include "query/plan_executor.h"
#include "query/sort_pattern.h"
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

// $lookup / $unionWith read other collections of the database through this, each call at a
// fresh snapshot: a plain scan (an empty source for a missing collection), or the find a
// $lookup's equality on the foreign field is, when an index plan serves it.
class EngineForeignCollections : public agg::ForeignCollections {
 public:
  EngineForeignCollections(storage::Engine& engine, std::string db)
      : engine_(engine), db_(std::move(db)) {}
  std::unique_ptr<agg::DocumentSource> Scan(const std::string& coll) override {
    storage::CollectionPtr descriptor = engine_.catalog().Lookup(db_, coll);
    return std::make_unique<ExecutorSource>(
        std::make_unique<query::PlanExecutor>(engine_, std::move(descriptor), query::PlanSpec()));
  }
  std::unique_ptr<agg::DocumentSource> FindIndexed(const std::string& coll,
                                                   const BsonView& filter) override {
    storage::CollectionPtr descriptor = engine_.catalog().Lookup(db_, coll);
    if (descriptor == nullptr) return nullptr;
    StatusWith<std::unique_ptr<query::MatchExpression>> matcher =
        query::ParseMatchExpression(filter);
    if (!matcher.ok()) ThrowDb(matcher.status());
    query::PlanSpec spec;
    spec.filter = std::shared_ptr<const query::MatchExpression>(std::move(matcher).value());
    query::PlannerRequest request;
    request.filter_doc = filter;
    if (Status s = ApplyIndexPlan(engine_, descriptor, request, &spec); !s.ok()) ThrowDb(s);
    if (spec.plan == nullptr) return nullptr;
    return std::make_unique<ExecutorSource>(
        std::make_unique<query::PlanExecutor>(engine_, std::move(descriptor), std::move(spec)));
  }

 private:
  storage::Engine& engine_;
  std::string db_;
};

// Stages that may start an `aggregate: 1` pipeline in mongod.
bool IsCollectionlessStage(std::string_view name) {
  return name == "$documents" || name == "$currentOp" || name == "$listLocalSessions" ||
         name == "$changeStream" || name == "$queryStats" || name == "$listSessions";
}

// Returns the pipeline array without its first stage.
BsonDocument WithoutFirstStage(const BsonView& stages) {
  BsonBuilder b;
  size_t i = 0;
  bool first = true;
  for (const BsonElement& e : stages) {
    if (first) {
      first = false;
      continue;
    }
    b.AppendElementAs(bson::IndexName(i++), e);
  }
  return b.Done();
}

// Hands the bound pipeline to the cursor manager, or, with $out/$merge, drains it into the
// target and answers an empty, closed cursor.
StatusWith<BsonDocument> FinishAggregate(CommandContext& ctx, std::string ns,
                                         std::shared_ptr<const agg::Pipeline> pipeline,
                                         std::unique_ptr<agg::DocumentSource> chain,
                                         const std::optional<OutputStageSpec>& output,
                                         std::optional<int64_t> batch_size) {
  if (output) {
    Status s = WriteOutputStage(ctx, *output, chain.get());
    if (!s.ok()) return s.WithPrefix(kExecutorPrefix);
    BsonBuilder b(64);
    b.StartDocument("cursor");
    b.StartArray("firstBatch").End();
    b.AppendInt64("id", 0);
    b.AppendString("ns", ns);
    b.End();
    return b.Done();
  }
  CursorOptions options;
  options.batch_size = batch_size;
  return ctx.cursors().BuildCursorReply(
      ctx, std::move(ns), std::make_unique<PipelineStream>(std::move(pipeline), std::move(chain)),
      options);
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
  bool explain = false;
  bool allow_disk_use = true;  // mongod 6.0+: allowDiskUseByDefault
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
  bool bypass_document_validation = false;
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("bypassDocumentValidation", &bypass_document_validation));
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
  if (explain) return ExplainAggregate(ctx, cmd);
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

  // The first stage's name decides how {aggregate: 1} runs.
  std::string first_stage;
  BsonElement first_element = stages.FirstElement();
  if (first_element.IsObject() && !first_element.Object().empty()) {
    first_stage = std::string(first_element.Object().FirstElement().field_name());
  }
  // $currentOp is served here (the agg layer has no access to the operation registry): the
  // rest of the pipeline runs over the current operations.
  const bool current_op = collectionless && first_stage == "$currentOp";
  BsonDocument rest_storage;
  BsonView to_parse = stages;
  if (current_op) {
    if (ctx.db != "admin") {
      return Status(ErrorCode::kInvalidNamespace,
                    "$currentOp must be run against the 'admin' database with {aggregate: 1}");
    }
    if (!first_element.Object().FirstElement().IsObject()) {
      return Status(ErrorCode::kFailedToParse,
                    "$currentOp options must be specified in an object, but found: " +
                        std::string(bson::TypeAlias(first_element.Object().FirstElement().type())));
    }
    rest_storage = WithoutFirstStage(stages);
    to_parse = rest_storage.view();
  }
  auto is_stats_stage = [](std::string_view name) {
    return name == "$collStats" || name == "$indexStats" || name == "$planCacheStats";
  };
  if (collectionless && is_stats_stage(first_stage)) {
    return Status(ErrorCode::kInvalidNamespace,
                  "{aggregate: 1} is not valid for '" + first_stage + "'; a collection is required.");
  }
  // So are $collStats, $indexStats and $planCacheStats (they read the storage engine, the usage
  // counters and the plan cache).
  const bool stats_stage = !collectionless && is_stats_stage(first_stage);
  if (stats_stage) {
    rest_storage = WithoutFirstStage(stages);
    to_parse = rest_storage.view();
  }
  if (current_op || stats_stage) {
    // The stage after the one served here is not first either.
    BsonElement next = to_parse.FirstElement();
    if (next.IsObject() && !next.Object().empty()) {
      std::string_view name = next.Object().FirstElement().field_name();
      if (is_stats_stage(name)) {
        return Status(40602, std::string(name) + " is only valid as the first stage in a pipeline.");
      }
    }
  }

  // A trailing $out/$merge is run by the command: the agg layer runs the stages before it.
  std::optional<OutputStageSpec> output;
  BsonDocument output_rest;
  DDS_RETURN_IF_ERROR(ExtractOutputStage(ctx, to_parse, &output, &output_rest));
  if (output) {
    to_parse = output_rest.view();
    output->bypass_document_validation = bypass_document_validation;
  }

  agg::ExpressionContext ectx;
  ectx.let_vars = let_vars;
  ectx.foreign = std::make_shared<EngineForeignCollections>(ctx.engine(), ctx.db);
  StatusWith<agg::Pipeline> parsed = [&]() -> StatusWith<agg::Pipeline> {
    try {
      return agg::Pipeline::Parse(to_parse, ectx);
    } catch (const DbException& ex) {
      return ex.status();
    }
  }();
  if (!parsed.ok()) return parsed.status();
  auto pipeline = std::make_shared<const agg::Pipeline>(std::move(parsed).value());

  if (collectionless) {
    if (first_stage != "$documents" && !current_op) {
      if (IsCollectionlessStage(first_stage)) {
        return Status(ErrorCode::kNotImplemented,
                      "{aggregate: 1} with " + first_stage + " is not supported yet");
      }
      return Status(ErrorCode::kInvalidNamespace,
                    "{aggregate: 1} is not valid for '" +
                        (first_stage.empty() ? std::string("[]") : first_stage) +
                        "'; a collection is required.");
    }
    std::vector<BsonDocument> input;
    if (current_op) input = CurrentOperationDocuments(ctx);
    std::unique_ptr<agg::DocumentSource> chain;
    try {
      chain = pipeline->Bind(agg::MakeVectorSource(std::move(input)), false);
    } catch (const DbException& ex) {
      return ex.status();
    }
    return FinishAggregate(ctx, ctx.db + ".$cmd.aggregate", std::move(pipeline),
                           std::move(chain), output, batch_size);
  }
  if (first_stage == "$documents") {
    return Status(ErrorCode::kInvalidNamespace,
                  "$documents can only be run with {aggregate: 1}");
  }
  if (stats_stage) {
    BsonElement stage_spec = first_element.Object().FirstElement();
    std::vector<BsonDocument> input;
    if (first_stage == "$collStats") {
      DDS_ASSIGN_OR_RETURN(BsonDocument doc, CollStatsStageDocument(ctx, coll_name, stage_spec));
      input.push_back(std::move(doc));
    } else if (first_stage == "$planCacheStats") {
      DDS_ASSIGN_OR_RETURN(input, PlanCacheStatsStageDocuments(ctx, coll_name, stage_spec));
    } else {
      DDS_ASSIGN_OR_RETURN(input, IndexStatsStageDocuments(ctx, coll_name, stage_spec));
    }
    std::unique_ptr<agg::DocumentSource> chain;
    try {
      chain = pipeline->Bind(agg::MakeVectorSource(std::move(input)), false);
    } catch (const DbException& ex) {
      return ex.status();
    }
    return FinishAggregate(ctx, MakeNamespace(ctx.db, coll_name), std::move(pipeline),
                           std::move(chain), output, batch_size);
  }

  storage::CollectionPtr coll = ctx.engine().catalog().Lookup(ctx.db, coll_name);

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
  // A leading $sort (after an optional $match) is done by the executor: through an index that
  // provides the order, else as a blocking sort with the memory limit and disk spilling.
  std::optional<BsonDocument> leading_sort = pipeline->LeadingSort();
  if (leading_sort) {
    DDS_ASSIGN_OR_RETURN(query::SortPattern sort, query::SortPattern::Parse(leading_sort->view()));
    spec.sort = std::make_shared<const query::SortPattern>(std::move(sort));
  }
  query::PlannerRequest plan_request;
  if (leading_match) plan_request.filter_doc = leading_match->view();
  if (leading_sort) plan_request.sort = leading_sort->view();
  plan_request.hint = hint;
  DDS_RETURN_IF_ERROR(ApplyIndexPlan(ctx.engine(), coll, plan_request, &spec));
  spec.allow_disk_use = allow_disk_use;
  if (max_time_ms && *max_time_ms > 0) {
    spec.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(*max_time_ms);
  }

  auto exec = std::make_unique<query::PlanExecutor>(ctx.engine(), std::move(coll), std::move(spec));
  std::unique_ptr<agg::DocumentSource> chain;
  try {
    chain = pipeline->Bind(std::make_unique<ExecutorSource>(std::move(exec)),
                           /*skip_leading_match=*/leading_match.has_value(),
                           /*skip_leading_sort=*/leading_sort.has_value());
  } catch (const DbException& ex) {
    return ex.status();
  }
  return FinishAggregate(ctx, MakeNamespace(ctx.db, coll_name), std::move(pipeline),
                         std::move(chain), output, batch_size);
}

}  // namespace dds::commands
