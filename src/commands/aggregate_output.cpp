#include "commands/aggregate_output_internal.h"

#include <memory>
#include <string>
#include <utility>

#include "commands/cursor_manager.h"
#include "commands/document_validation.h"
#include "commands/namespace_util.h"
#include "commands/request_parser.h"
#include "commands/write_helpers.h"
#include "query/expression_hook.h"
#include "storage/engine.h"
#include "update/update_driver.h"

namespace dds::commands {

namespace {

using bson::BsonBuilder;
using bson::BsonDocument;
using bson::BsonElement;
using bson::BsonType;
using bson::BsonView;
using Spec = OutputStageSpec;

// Documents (or bytes) written per WriteUnit: the output is committed in batches.
constexpr int kOutputBatchDocs = 1000;
constexpr int64_t kOutputBatchBytes = 16 * 1024 * 1024;

Status ParseTarget(const CommandContext& ctx, std::string_view stage, const BsonElement& e,
                   Spec* spec) {
  spec->db = ctx.db;
  if (e.IsString()) {
    spec->coll = std::string(e.String());
  } else if (e.IsObject()) {
    FieldParser p(std::string(stage) + (stage == "$out" ? "" : ".into"), e.Object(),
                  FieldParser::kNested);
    DDS_RETURN_IF_ERROR(p.ReadString("db", &spec->db));
    DDS_RETURN_IF_ERROR(p.ReadString("coll", &spec->coll, Presence::kRequired));
    BsonView timeseries;
    DDS_RETURN_IF_ERROR(p.ReadObject("timeseries", &timeseries));
    DDS_RETURN_IF_ERROR(p.Finish());
    if (!timeseries.empty()) {
      return Status(ErrorCode::kNotImplemented, "time-series collections are not supported yet");
    }
  } else {
    return Status(ErrorCode::kFailedToParse,
                  std::string(stage) + " only supports a string or object argument, but found " +
                      std::string(bson::TypeAlias(e.type())));
  }
  DDS_RETURN_IF_ERROR(ValidateDatabaseName(spec->db));
  DDS_RETURN_IF_ERROR(ValidateCollectionName(spec->db, spec->coll));
  return ValidateUserWritableCollection(spec->db, spec->coll);
}

Status ParseMerge(const CommandContext& ctx, const BsonElement& e, Spec* spec) {
  spec->kind = Spec::Kind::kMerge;
  if (e.IsString()) return ParseTarget(ctx, "$merge", e, spec);
  if (!e.IsObject()) {
    return Status(51182, "$merge only supports a string or object argument, but found " +
                             std::string(bson::TypeAlias(e.type())));
  }
  FieldParser p("$merge", e.Object(), FieldParser::kNested);
  DDS_ASSIGN_OR_RETURN(BsonElement into, p.TakeRequired("into"));
  DDS_RETURN_IF_ERROR(ParseTarget(ctx, "$merge", into, spec));
  BsonElement on = p.Take("on");
  BsonElement let_vars = p.Take("let");
  BsonElement when_matched = p.Take("whenMatched");
  std::string when_not_matched;
  DDS_RETURN_IF_ERROR(p.ReadString("whenNotMatched", &when_not_matched));
  DDS_RETURN_IF_ERROR(p.Finish());

  if (!on.eoo()) {
    bool only_id = (on.IsString() && on.String() == "_id");
    if (on.IsArray()) {
      BsonView fields = on.Array();
      only_id = fields.CountFields() == 1 && fields.FirstElement().IsString() &&
                fields.FirstElement().String() == "_id";
    }
    if (!only_id) {
      return Status(51183,
                    "Cannot find index to verify that join fields will be unique");
    }
  }
  if (!when_matched.eoo()) {
    if (when_matched.IsArray()) {
      spec->when_matched = Spec::WhenMatched::kPipeline;
      BsonBuilder b;
      b.AppendElementAs("", when_matched);
      spec->pipeline = b.Done();
    } else if (when_matched.IsString()) {
      std::string_view v = when_matched.String();
      if (v == "replace") {
        spec->when_matched = Spec::WhenMatched::kReplace;
      } else if (v == "keepExisting") {
        spec->when_matched = Spec::WhenMatched::kKeepExisting;
      } else if (v == "merge") {
        spec->when_matched = Spec::WhenMatched::kMerge;
      } else if (v == "fail") {
        spec->when_matched = Spec::WhenMatched::kFail;
      } else {
        return Status(ErrorCode::kBadValue, "Enumeration value '" + std::string(v) +
                                                "' for field '$merge.whenMatched' is not a valid "
                                                "value.");
      }
    } else {
      return WrongTypeError("$merge.whenMatched", when_matched, "[string, array]");
    }
  }
  if (!when_not_matched.empty()) {
    if (when_not_matched == "insert") {
      spec->when_not_matched = Spec::WhenNotMatched::kInsert;
    } else if (when_not_matched == "discard") {
      spec->when_not_matched = Spec::WhenNotMatched::kDiscard;
    } else if (when_not_matched == "fail") {
      spec->when_not_matched = Spec::WhenNotMatched::kFail;
    } else {
      return Status(ErrorCode::kBadValue, "Enumeration value '" + when_not_matched +
                                              "' for field '$merge.whenNotMatched' is not a "
                                              "valid value.");
    }
  }
  if (!let_vars.eoo()) {
    if (!let_vars.IsObject()) return WrongTypeError("$merge.let", let_vars, "object");
    if (spec->when_matched != Spec::WhenMatched::kPipeline) {
      return Status(51199, "Cannot use 'let' variables with 'whenMatched: " +
                               std::string(when_matched.IsString() ? when_matched.String()
                                                                   : "merge") +
                               "' mode");
    }
    spec->let_spec = BsonDocument(let_vars.Object());
  }
  return Status::OK();
}

// The top-level merge of whenMatched: "merge": fields of `incoming` overwrite or extend
// `existing`; `_id` stays first.
BsonDocument MergeDocuments(const BsonView& existing, const BsonView& incoming) {
  BsonBuilder b(static_cast<size_t>(existing.size() + incoming.size()));
  for (const BsonElement& e : existing) {
    BsonElement replacement = incoming[e.field_name()];
    b.AppendElementAs(e.field_name(), replacement.eoo() ? e : replacement);
  }
  for (const BsonElement& e : incoming) {
    if (!existing.HasField(e.field_name())) b.AppendElement(e);
  }
  return b.Done();
}

// The variables of a whenMatched pipeline for one source document: `let` evaluated against it,
// or {new: <document>} by default.
StatusWith<BsonDocument> MergeLetFor(const Spec& spec, const BsonView& doc) {
  BsonBuilder b;
  if (!spec.let_spec) {
    b.AppendDocument("new", doc);
    return b.Done();
  }
  query::ExpressionCompiler compiler = query::GetExpressionCompiler();
  for (const BsonElement& e : spec.let_spec->view()) {
    if (compiler == nullptr) {
      b.AppendElement(e);
      continue;
    }
    DDS_ASSIGN_OR_RETURN(std::shared_ptr<const query::CompiledExpression> expr,
                         compiler(e, BsonView()));
    BsonDocument value = expr->Evaluate(doc);
    BsonElement v = value.view().FirstElement();
    if (!v.eoo()) b.AppendElementAs(e.field_name(), v);
  }
  return b.Done();
}

// Writes one document for $merge.
Status MergeOne(const Spec& spec, const std::string& ns, storage::WriteUnit* unit,
                const storage::CollectionDescriptor& target, const WriteValidation& validation,
                const BsonView& doc) {
  std::string scratch;
  PreparedDocument prepared;
  DDS_RETURN_IF_ERROR(PrepareInsertDocument(doc, &scratch, &prepared));
  DDS_ASSIGN_OR_RETURN(std::optional<BsonDocument> existing,
                       unit->GetRecordForUpdate(target.id, prepared.id));
  if (!existing) {
    switch (spec.when_not_matched) {
      case Spec::WhenNotMatched::kDiscard:
        return Status::OK();
      case Spec::WhenNotMatched::kFail:
        return Status(13113,
                      "$merge could not find a matching document in the target collection for "
                      "at least one document in the source collection");
      case Spec::WhenNotMatched::kInsert:
        DDS_RETURN_IF_ERROR(
            validation.CheckInsert(prepared.view).WithPrefix(kUpdateExecutorPrefix));
        return InsertRecordFor(unit, target, prepared.id, prepared.view);
    }
  }
  BsonElement id = existing->view()["_id"];
  switch (spec.when_matched) {
    case Spec::WhenMatched::kKeepExisting:
      return Status::OK();
    case Spec::WhenMatched::kFail:
      return DuplicateIdError(ns, id);
    case Spec::WhenMatched::kReplace: {
      DDS_RETURN_IF_ERROR(ValidateUpdatedDocument(prepared.view));
      DDS_RETURN_IF_ERROR(validation.CheckUpdate(*existing, prepared.view)
                              .WithPrefix(kUpdateExecutorPrefix));
      return UpdateRecordFor(unit, target, id, *existing, prepared.view);
    }
    case Spec::WhenMatched::kMerge: {
      BsonDocument merged = MergeDocuments(*existing, prepared.view);
      DDS_RETURN_IF_ERROR(ValidateUpdatedDocument(merged));
      DDS_RETURN_IF_ERROR(
          validation.CheckUpdate(*existing, merged).WithPrefix(kUpdateExecutorPrefix));
      return UpdateRecordFor(unit, target, id, *existing, merged);
    }
    case Spec::WhenMatched::kPipeline: {
      DDS_ASSIGN_OR_RETURN(BsonDocument let_doc, MergeLetFor(spec, prepared.view));
      update::UpdateOptions options;
      options.let_vars = let_doc;
      DDS_ASSIGN_OR_RETURN(update::UpdateDriver driver,
                           update::UpdateDriver::Parse(spec.pipeline->view().FirstElement(),
                                                       options));
      DDS_ASSIGN_OR_RETURN(update::UpdateOutcome outcome, driver.Apply(*existing));
      if (!outcome.modified) return Status::OK();
      DDS_RETURN_IF_ERROR(ValidateUpdatedDocument(outcome.doc));
      DDS_RETURN_IF_ERROR(
          validation.CheckUpdate(*existing, outcome.doc).WithPrefix(kUpdateExecutorPrefix));
      return UpdateRecordFor(unit, target, id, *existing, outcome.doc);
    }
  }
  return Status::OK();
}

// Drains `source` into `target` through `write_one`, committing every batch.
Status Drain(storage::Engine& engine, agg::DocumentSource* source,
             const std::function<Status(storage::WriteUnit*, const BsonView&)>& write_one) {
  std::unique_ptr<storage::WriteUnit> unit = engine.BeginWrite();
  int docs = 0;
  int64_t bytes = 0;
  while (true) {
    std::optional<BsonDocument> doc;
    try {
      doc = source->GetNext();
    } catch (const DbException& ex) {
      return ex.status();
    }
    if (!doc) break;
    DDS_RETURN_IF_ERROR(write_one(unit.get(), *doc));
    bytes += doc->size();
    if (++docs >= kOutputBatchDocs || bytes >= kOutputBatchBytes) {
      DDS_RETURN_IF_ERROR(unit->Commit(false));
      unit = engine.BeginWrite();
      docs = 0;
      bytes = 0;
    }
  }
  return unit->Commit(false);
}

}  // namespace

Status ExtractOutputStage(const CommandContext& ctx, const BsonView& stages,
                          std::optional<OutputStageSpec>* spec, BsonDocument* rest) {
  int count = stages.CountFields();
  int i = 0;
  for (const BsonElement& stage : stages) {
    ++i;
    if (!stage.IsObject() || stage.Object().empty()) continue;
    BsonElement body = stage.Object().FirstElement();
    std::string_view name = body.field_name();
    if (name != "$out" && name != "$merge") continue;
    if (i != count) {
      return Status(40601, std::string(name) + " can only be the final stage in the pipeline");
    }
    OutputStageSpec parsed;
    if (name == "$out") {
      DDS_RETURN_IF_ERROR(ParseTarget(ctx, "$out", body, &parsed));
    } else {
      DDS_RETURN_IF_ERROR(ParseMerge(ctx, body, &parsed));
    }
    *spec = std::move(parsed);
  }
  if (!*spec) return Status::OK();
  BsonBuilder b;
  int j = 0;
  for (const BsonElement& stage : stages) {
    if (++j == count) break;
    b.AppendElementAs(bson::IndexName(static_cast<size_t>(j - 1)), stage);
  }
  *rest = b.Done();
  return Status::OK();
}

Status WriteOutputStage(CommandContext& ctx, const OutputStageSpec& spec,
                        agg::DocumentSource* source) {
  storage::Engine& engine = ctx.engine();
  storage::Catalog& catalog = engine.catalog();
  const std::string target_ns = MakeNamespace(spec.db, spec.coll);
  if (spec.kind == OutputStageSpec::Kind::kMerge) {
    DDS_ASSIGN_OR_RETURN(storage::CollectionPtr target,
                         GetOrCreateCollection(engine, spec.db, spec.coll));
    DDS_ASSIGN_OR_RETURN(WriteValidation validation,
                         WriteValidation::Make(target, spec.bypass_document_validation));
    return Drain(engine, source, [&](storage::WriteUnit* unit, const BsonView& doc) {
      return MergeOne(spec, target_ns, unit, *target, validation, doc);
    });
  }

  // $out: fill a temporary collection, then rename it over the target in one catalog write. As
  // in mongod, the temporary collection takes the target's options, so the target keeps its
  // validator and the documents are validated against it on the way in.
  std::string tmp_name = "tmp.agg_out." + bson::ObjectId::Generate().ToHex();
  bool created = false;
  BsonDocument target_options;
  if (storage::CollectionPtr existing = catalog.Lookup(spec.db, spec.coll)) {
    target_options = existing->options;
  }
  DDS_ASSIGN_OR_RETURN(storage::CollectionPtr tmp,
                       catalog.CreateCollection(spec.db, tmp_name, target_options, &created));
  StatusWith<WriteValidation> validation =
      WriteValidation::Make(tmp, spec.bypass_document_validation);
  if (!validation.ok()) {
    catalog.DropCollection(spec.db, tmp_name);
    return validation.status();
  }
  const std::string tmp_ns = MakeNamespace(spec.db, tmp_name);
  Status s = Drain(engine, source, [&](storage::WriteUnit* unit, const BsonView& doc) {
    std::string scratch;
    PreparedDocument prepared;
    DDS_RETURN_IF_ERROR(PrepareInsertDocument(doc, &scratch, &prepared));
    DDS_RETURN_IF_ERROR(validation.value().CheckInsert(prepared.view));
    return InsertRecordFor(unit, *tmp, prepared.id, prepared.view);
  });
  if (s.ok()) {
    ctx.cursors().KillForNamespace(target_ns);
    s = catalog.RenameCollection(spec.db, tmp_name, spec.db, spec.coll, /*drop_target=*/true);
  }
  if (!s.ok()) {
    catalog.DropCollection(spec.db, tmp_name);
    return s;
  }
  return Status::OK();
}

}  // namespace dds::commands
