// insert, update and delete (compat §2.2, §2.7, §4): batch parsing with mongod's IDL errors,
// per-statement execution with writeErrors, ordered/unordered semantics, and the write reply.
//
// insert runs the whole batch in one WriteUnit (one commit: the insertMany throughput path);
// a failed statement is undone alone (save point). update and delete run each statement in its
// own WriteUnit, so every statement sees the effects of the previous ones, and a statement that
// fails is rolled back as a whole.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "commands/crud_commands.h"
#include "commands/document_validation.h"
#include "commands/namespace_util.h"
#include "commands/request_parser.h"
#include "commands/write_concern.h"
#include "commands/write_helpers.h"
#include "query/index_usage.h"
#include "query/match_parser.h"
#include "query/plan_executor.h"
#include "storage/engine.h"
#include "update/update_driver.h"

namespace dds::commands {

namespace {

using bson::BsonBuilder;
using bson::BsonDocument;
using bson::BsonElement;
using bson::BsonType;
using bson::BsonView;

using WriteErrors = std::vector<std::pair<int32_t, Status>>;

Status BatchSizeError(int64_t count) {
  return Status(ErrorCode::kInvalidLength, "Write batch sizes must be between 1 and " +
                                               std::to_string(kMaxWriteBatchSize) + ". Got " +
                                               std::to_string(count) + " operations.");
}

// Appends `writeErrors` (when any) to the reply.
void AppendWriteErrors(BsonBuilder* reply, const WriteErrors& errors) {
  if (errors.empty()) return;
  reply->StartArray("writeErrors");
  for (size_t i = 0; i < errors.size(); ++i) {
    AppendWriteError(reply, bson::IndexName(i), errors[i].first, errors[i].second);
  }
  reply->End();
}

void AppendWriteConcernError(BsonBuilder* reply, const WriteConcern& wc) {
  if (wc.write_concern_error) reply->AppendDocument("writeConcernError", *wc.write_concern_error);
}

// Validates the statements array: present, an array, 1..100000 objects. Returns the count.
StatusWith<int64_t> CheckStatements(const FieldParser& p, std::string_view field,
                                    const BsonView& statements) {
  int64_t count = 0;
  for (const BsonElement& e : statements) {
    if (!e.IsObject()) {
      return WrongTypeError(p.Path(field) + "." + std::to_string(count), e, "object");
    }
    ++count;
  }
  if (count == 0 || count > kMaxWriteBatchSize) return BatchSizeError(count);
  return count;
}

// Parses a filter, turning evaluator exceptions into a Status.
StatusWith<std::shared_ptr<const query::MatchExpression>> ParseFilter(const BsonView& filter,
                                                                      const BsonView& let_vars) {
  query::MatchParseOptions options;
  options.let_vars = let_vars;
  try {
    StatusWith<std::unique_ptr<query::MatchExpression>> parsed =
        query::ParseMatchExpression(filter, options);
    if (!parsed.ok()) return parsed.status();
    return std::shared_ptr<const query::MatchExpression>(std::move(parsed).value());
  } catch (const DbException& ex) {
    return ex.status();
  }
}

// Calls fn(id) for each candidate document of `filter` in `coll`: the point lookup value itself
// for {_id: v}, else the `_id` of every matching document of a snapshot scan (so documents the
// statement rewrites are never visited twice). fn returns false to stop.
Status ForEachCandidate(storage::Engine& engine, const storage::CollectionPtr& coll,
                        const BsonView& filter, const BsonElement& hint,
                        const std::shared_ptr<const query::MatchExpression>& matcher,
                        const std::function<StatusWith<bool>(const BsonElement& id)>& fn) {
  if (std::optional<BsonElement> id = query::PlanExecutor::IdPointLookupValue(filter)) {
    if (coll != nullptr) query::RecordIndexUse(coll->id, 0);  // mongod's IDHACK uses _id_
    return fn(*id).status();
  }
  query::PlanSpec spec;
  spec.filter = matcher;
  query::PlannerRequest plan_request;
  plan_request.filter_doc = filter;
  plan_request.hint = hint;
  DDS_RETURN_IF_ERROR(ApplyIndexPlan(engine, coll, plan_request, &spec));
  query::PlanExecutor exec(engine, coll, std::move(spec));
  BsonDocument doc;
  while (true) {
    DDS_ASSIGN_OR_RETURN(bool has, exec.Next(&doc));
    if (!has) return Status::OK();
    BsonElement id = doc["_id"];
    if (id.eoo()) continue;
    DDS_ASSIGN_OR_RETURN(bool go_on, fn(id));
    if (!go_on) return Status::OK();
  }
}

// ---------------------------------------------------------------------------------------------
// update

struct UpdateStatement {
  BsonView q;
  BsonElement u;
  bool upsert = false;
  bool multi = false;
  BsonView array_filters;
  BsonElement collation;
  BsonElement hint;
  std::optional<BsonView> constants;
};

struct UpdateResult {
  int64_t matched = 0;
  int64_t modified = 0;
  // Whether part of the statement was already committed (a long multi-update commits in
  // chunks): such a statement is not retried after a WriteConflict.
  bool committed_partially = false;
  std::optional<BsonDocument> upserted_id;  // {"": _id}
};

Status ParseUpdateStatement(const BsonView& doc, UpdateStatement* st) {
  FieldParser p("update.updates", doc, FieldParser::kNested);
  DDS_RETURN_IF_ERROR(p.ReadObject("q", &st->q, Presence::kRequired));
  DDS_RETURN_IF_ERROR(
      p.ReadAnyOf("u", {BsonType::kObject, BsonType::kArray}, &st->u, Presence::kRequired));
  DDS_RETURN_IF_ERROR(p.ReadBool("upsert", &st->upsert));
  DDS_RETURN_IF_ERROR(p.ReadBool("multi", &st->multi));
  DDS_RETURN_IF_ERROR(p.ReadArray("arrayFilters", &st->array_filters));
  DDS_RETURN_IF_ERROR(p.ReadAnyOf("collation", {BsonType::kObject}, &st->collation));
  DDS_RETURN_IF_ERROR(
      p.ReadAnyOf("hint", {BsonType::kString, BsonType::kObject}, &st->hint));
  DDS_RETURN_IF_ERROR(p.ReadObject("c", &st->constants));
  p.Ignore("upsertSupplied");
  // `sort` arrived in 8.0: as on 7.0 it is an unknown field (40415).
  return p.Finish();
}

// Returns `let` merged with the statement's constants `c` (c wins).
BsonDocument MergeLet(const BsonView& let_vars, const BsonView& constants) {
  BsonBuilder b;
  for (const BsonElement& e : let_vars) {
    if (!constants.HasField(e.field_name())) b.AppendElement(e);
  }
  b.AppendElements(constants);
  return b.Done();
}

Status ExecuteUpdate(CommandContext& ctx, const std::string& coll_name,
                     storage::CollectionPtr& coll, const UpdateStatement& st,
                     const BsonView& let_vars, const WriteValidation& validation, bool durable,
                     UpdateResult* result) {
  BsonDocument merged_let;
  BsonView effective_let = let_vars;
  if (st.constants) {
    merged_let = MergeLet(let_vars, *st.constants);
    effective_let = merged_let;
  }
  update::UpdateOptions options;
  options.array_filters = st.array_filters;
  options.multi = st.multi;
  options.let_vars = effective_let;
  DDS_ASSIGN_OR_RETURN(update::UpdateDriver driver, update::UpdateDriver::Parse(st.u, options));
  if (st.constants && !driver.is_pipeline()) {
    return Status(51198, "Constant values may only be specified for pipeline updates");
  }
  if (st.multi && driver.is_replacement()) {
    return Status(ErrorCode::kFailedToParse,
                  "multi update is not supported for replacement-style update");
  }
  DDS_RETURN_IF_ERROR(CheckSimpleCollation(st.collation));
  // {_id: v} needs no matcher: the record key lookup is exactly that equality.
  std::shared_ptr<const query::MatchExpression> matcher;
  if (!query::PlanExecutor::IdPointLookupValue(st.q)) {
    DDS_ASSIGN_OR_RETURN(matcher, ParseFilter(st.q, effective_let));
  }
  DDS_RETURN_IF_ERROR(CheckHint(st.hint, coll.get()));

  std::unique_ptr<storage::WriteUnit> unit;
  int64_t matched = 0, modified = 0;
  if (coll != nullptr) {
    unit = ctx.engine().BeginWrite();
    const bool want_details = driver.needs_match_details();
    int64_t locked = 0;
    auto apply_one = [&](const BsonElement& id) -> StatusWith<bool> {
      if (++locked % kMaxRecordsPerWriteUnit == 0) {
        DDS_RETURN_IF_ERROR(unit->Commit(false));
        unit = ctx.engine().BeginWrite();
        result->committed_partially = true;
      }
      DDS_ASSIGN_OR_RETURN(std::optional<BsonDocument> current,
                           unit->GetRecordForUpdate(coll->id, id));
      if (!current) return true;  // gone since the snapshot: keep looking
      query::MatchDetails details;
      if (matcher && !matcher->Matches(*current, want_details ? &details : nullptr)) return true;
      DDS_ASSIGN_OR_RETURN(update::UpdateOutcome outcome,
                           driver.Apply(*current, want_details ? &details : nullptr));
      ++matched;
      if (outcome.modified) {
        DDS_RETURN_IF_ERROR(ValidateUpdatedDocument(outcome.doc));
        DDS_RETURN_IF_ERROR(
            validation.CheckUpdate(*current, outcome.doc).WithPrefix(kUpdateExecutorPrefix));
        BsonElement stored_id = current->view()["_id"];
        DDS_RETURN_IF_ERROR(UpdateRecordFor(unit.get(), *coll, stored_id, *current, outcome.doc));
        ++modified;
      }
      return st.multi;
    };
    DDS_RETURN_IF_ERROR(ForEachCandidate(ctx.engine(), coll, st.q, st.hint, matcher, apply_one));
  }

  if (matched == 0 && st.upsert) {
    DDS_ASSIGN_OR_RETURN(BsonDocument new_doc, driver.BuildUpsertDocument(st.q));
    if (coll == nullptr) {
      DDS_ASSIGN_OR_RETURN(coll, GetOrCreateCollection(ctx.engine(), ctx.db, coll_name));
    }
    if (unit == nullptr) unit = ctx.engine().BeginWrite();
    std::string scratch;
    PreparedDocument prepared;
    DDS_RETURN_IF_ERROR(PrepareInsertDocument(new_doc, &scratch, &prepared));
    DDS_RETURN_IF_ERROR(validation.CheckInsert(prepared.view).WithPrefix(kUpdateExecutorPrefix));
    DDS_RETURN_IF_ERROR(InsertRecordFor(unit.get(), *coll, prepared.id, prepared.view));
    BsonBuilder id_builder(32);
    id_builder.AppendElementAs("", prepared.id);
    result->upserted_id = id_builder.Done();
  }
  if (unit != nullptr) DDS_RETURN_IF_ERROR(unit->Commit(durable));
  result->matched = matched;
  result->modified = modified;
  return Status::OK();
}

// ---------------------------------------------------------------------------------------------
// delete

struct DeleteStatement {
  BsonView q;
  bool multi = true;  // limit 0
  BsonElement collation;
  BsonElement hint;
};

Status ParseDeleteStatement(const BsonView& doc, DeleteStatement* st) {
  FieldParser p("delete.deletes", doc, FieldParser::kNested);
  DDS_RETURN_IF_ERROR(p.ReadObject("q", &st->q, Presence::kRequired));
  DDS_ASSIGN_OR_RETURN(BsonElement limit, p.TakeRequired("limit"));
  if (!limit.IsNumber()) {
    return WrongTypeError(p.Path("limit"), limit, "[long, int, decimal, double]");
  }
  double n = limit.NumberDouble();
  if (n != 0 && n != 1) {
    return Status(ErrorCode::kFailedToParse,
                  "The limit field in delete objects must be 0 or 1. Got " +
                      FormatNumberForMessage(n));
  }
  st->multi = n == 0;
  DDS_RETURN_IF_ERROR(p.ReadAnyOf("collation", {BsonType::kObject}, &st->collation));
  DDS_RETURN_IF_ERROR(
      p.ReadAnyOf("hint", {BsonType::kString, BsonType::kObject}, &st->hint));
  return p.Finish();
}

StatusWith<int64_t> ExecuteDelete(CommandContext& ctx, const storage::CollectionPtr& coll,
                                  const DeleteStatement& st, const BsonView& let_vars,
                                  bool durable, bool* committed_partially) {
  DDS_RETURN_IF_ERROR(CheckSimpleCollation(st.collation));
  std::shared_ptr<const query::MatchExpression> matcher;
  if (!query::PlanExecutor::IdPointLookupValue(st.q)) {
    DDS_ASSIGN_OR_RETURN(matcher, ParseFilter(st.q, let_vars));
  }
  DDS_RETURN_IF_ERROR(CheckHint(st.hint, coll.get()));
  if (coll == nullptr) return 0;
  std::unique_ptr<storage::WriteUnit> unit = ctx.engine().BeginWrite();
  int64_t deleted = 0;
  int64_t locked = 0;
  auto delete_one = [&](const BsonElement& id) -> StatusWith<bool> {
    if (++locked % kMaxRecordsPerWriteUnit == 0) {
      DDS_RETURN_IF_ERROR(unit->Commit(false));
      unit = ctx.engine().BeginWrite();
      *committed_partially = true;
    }
    DDS_ASSIGN_OR_RETURN(std::optional<BsonDocument> current,
                         unit->GetRecordForUpdate(coll->id, id));
    if (!current) return true;
    if (matcher && !matcher->Matches(*current, nullptr)) return true;
    DDS_RETURN_IF_ERROR(DeleteRecordFor(unit.get(), *coll, current->view()["_id"], *current));
    ++deleted;
    return st.multi;
  };
  DDS_RETURN_IF_ERROR(ForEachCandidate(ctx.engine(), coll, st.q, st.hint, matcher, delete_one));
  if (deleted > 0) DDS_RETURN_IF_ERROR(unit->Commit(durable));
  return deleted;
}

}  // namespace

// -----------------------------------------------------------------------------------------------

StatusWith<BsonDocument> RunInsert(CommandContext& ctx, const BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(std::string coll_name, CollectionNameFromCommand(ctx.db, cmd));
  FieldParser p("insert", cmd);
  BsonView documents;
  DDS_RETURN_IF_ERROR(p.ReadArray("documents", &documents, Presence::kRequired));
  bool ordered = true;
  DDS_RETURN_IF_ERROR(p.ReadBool("ordered", &ordered));
  bool bypass = false;
  DDS_RETURN_IF_ERROR(p.ReadSafeBool(kBypassDocumentValidation, &bypass));
  DDS_RETURN_IF_ERROR(p.Finish());
  DDS_RETURN_IF_ERROR(CheckStatements(p, "documents", documents));
  DDS_ASSIGN_OR_RETURN(WriteConcern wc, ParseWriteConcernFromCommand(cmd));
  DDS_RETURN_IF_ERROR(ValidateUserWritableCollection(ctx.db, coll_name));
  DDS_ASSIGN_OR_RETURN(storage::CollectionPtr coll,
                       GetOrCreateCollection(ctx.engine(), ctx.db, coll_name));
  DDS_ASSIGN_OR_RETURN(WriteValidation validation, WriteValidation::Make(coll, bypass));

  std::unique_ptr<storage::WriteUnit> unit = ctx.engine().BeginWrite();
  WriteErrors errors;
  std::string scratch;
  int64_t inserted = 0;
  int32_t index = 0;
  for (const BsonElement& e : documents) {
    PreparedDocument prepared;
    Status s = PrepareInsertDocument(e.Object(), &scratch, &prepared);
    // Validation comes before any write: a failing document leaves nothing behind.
    if (s.ok()) s = validation.CheckInsert(prepared.view);
    if (s.ok()) {
      // A statement is the record plus its index entries: a save point undoes a failed one
      // alone (an index build may add indexes to the collection at any time).
      unit->SetSavePoint();
      s = InsertRecordFor(unit.get(), *coll, prepared.id, prepared.view);
      Status save_point = s.ok() ? unit->PopSavePoint() : unit->RollbackToSavePoint();
      if (!save_point.ok()) return save_point;
    }
    if (s.ok()) {
      ++inserted;
    } else {
      errors.emplace_back(index, std::move(s));
      if (ordered) break;
    }
    ++index;
  }
  if (inserted > 0) {
    DDS_RETURN_IF_ERROR(unit->Commit(wc.durable));
  } else {
    unit->Rollback();
    if (wc.durable) DDS_RETURN_IF_ERROR(ctx.engine().SyncWal());
  }

  BsonBuilder reply(64);
  reply.AppendInt32("n", static_cast<int32_t>(inserted));
  AppendWriteErrors(&reply, errors);
  AppendWriteConcernError(&reply, wc);
  return reply.Done();
}

namespace {

// An update or delete command around its statements, parsed and checked in mongod's order:
// fields, let, statement array, each statement, writeConcern, target collection.
template <typename Statement>
struct StatementBatch {
  std::string coll_name;
  bool ordered = true;
  bool bypass_document_validation = false;
  BsonDocument let_storage;  // let_vars points here once evaluated
  BsonView let_vars;
  std::vector<Statement> statements;
  WriteConcern wc;
  storage::CollectionPtr coll;  // nullptr when the collection does not exist yet
};

// REQUIRES: `batch` is not moved afterwards (let_vars may point into let_storage).
template <typename Statement>
Status ParseStatementBatch(CommandContext& ctx, const BsonView& cmd, std::string_view command,
                           std::string_view array_field,
                           Status (*parse_statement)(const BsonView&, Statement*),
                           StatementBatch<Statement>* batch) {
  DDS_ASSIGN_OR_RETURN(batch->coll_name, CollectionNameFromCommand(ctx.db, cmd));
  FieldParser p(std::string(command), cmd);
  BsonView array;
  DDS_RETURN_IF_ERROR(p.ReadArray(array_field, &array, Presence::kRequired));
  DDS_RETURN_IF_ERROR(p.ReadBool("ordered", &batch->ordered));
  DDS_RETURN_IF_ERROR(p.ReadObject("let", &batch->let_vars));
  DDS_RETURN_IF_ERROR(
      p.ReadSafeBool(kBypassDocumentValidation, &batch->bypass_document_validation));
  DDS_RETURN_IF_ERROR(p.Finish());
  if (!batch->let_vars.empty()) {
    DDS_ASSIGN_OR_RETURN(batch->let_storage, EvaluateLetVars(batch->let_vars));
    batch->let_vars = batch->let_storage.view();
  }
  DDS_RETURN_IF_ERROR(CheckStatements(p, array_field, array));
  for (const BsonElement& e : array) {
    batch->statements.emplace_back();
    DDS_RETURN_IF_ERROR(parse_statement(e.Object(), &batch->statements.back()));
  }
  DDS_ASSIGN_OR_RETURN(batch->wc, ParseWriteConcernFromCommand(cmd));
  DDS_RETURN_IF_ERROR(ValidateUserWritableCollection(ctx.db, batch->coll_name));
  batch->coll = ctx.engine().catalog().Lookup(ctx.db, batch->coll_name);
  return Status::OK();
}

}  // namespace

StatusWith<BsonDocument> RunUpdate(CommandContext& ctx, const BsonView& cmd) {
  StatementBatch<UpdateStatement> batch;
  DDS_RETURN_IF_ERROR(
      ParseStatementBatch(ctx, cmd, "update", "updates", &ParseUpdateStatement, &batch));
  const std::string& coll_name = batch.coll_name;
  storage::CollectionPtr& coll = batch.coll;  // an upsert may create the collection
  const std::vector<UpdateStatement>& statements = batch.statements;
  const BsonView& let_vars = batch.let_vars;
  const WriteConcern& wc = batch.wc;
  const bool ordered = batch.ordered;
  DDS_ASSIGN_OR_RETURN(WriteValidation validation,
                       WriteValidation::Make(coll, batch.bypass_document_validation));

  WriteErrors errors;
  int64_t n = 0, n_modified = 0;
  std::vector<std::pair<int32_t, BsonDocument>> upserted;
  int32_t index = 0;
  for (const UpdateStatement& st : statements) {
    UpdateResult result;
    Status s;
    try {
      for (int attempt = 0;; ++attempt) {
        result = UpdateResult();
        s = ExecuteUpdate(ctx, coll_name, coll, st, let_vars, validation, wc.durable, &result);
        if (!s.Is(ErrorCode::kWriteConflict) || result.committed_partially ||
            attempt + 1 >= kMaxWriteConflictRetries) {
          break;
        }
      }
    } catch (const DbException& ex) {
      s = ex.status();
    }
    if (s.ok()) {
      n += result.matched;
      n_modified += result.modified;
      if (result.upserted_id) {
        ++n;
        upserted.emplace_back(index, std::move(*result.upserted_id));
      }
    } else {
      errors.emplace_back(index, std::move(s));
      if (ordered) break;
    }
    ++index;
  }

  BsonBuilder reply(64);
  reply.AppendInt32("n", static_cast<int32_t>(n));
  AppendWriteErrors(&reply, errors);
  if (!upserted.empty()) {
    reply.StartArray("upserted");
    for (size_t i = 0; i < upserted.size(); ++i) {
      reply.StartDocument(bson::IndexName(i));
      reply.AppendInt32("index", upserted[i].first);
      reply.AppendElementAs("_id", upserted[i].second.view().FirstElement());
      reply.End();
    }
    reply.End();
  }
  reply.AppendInt32("nModified", static_cast<int32_t>(n_modified));
  AppendWriteConcernError(&reply, wc);
  return reply.Done();
}

StatusWith<BsonDocument> RunDelete(CommandContext& ctx, const BsonView& cmd) {
  StatementBatch<DeleteStatement> batch;
  DDS_RETURN_IF_ERROR(
      ParseStatementBatch(ctx, cmd, "delete", "deletes", &ParseDeleteStatement, &batch));
  const storage::CollectionPtr& coll = batch.coll;
  const std::vector<DeleteStatement>& statements = batch.statements;
  const BsonView& let_vars = batch.let_vars;
  const WriteConcern& wc = batch.wc;
  const bool ordered = batch.ordered;

  WriteErrors errors;
  int64_t n = 0;
  int32_t index = 0;
  for (const DeleteStatement& st : statements) {
    StatusWith<int64_t> deleted = int64_t{0};
    try {
      for (int attempt = 0;; ++attempt) {
        bool committed_partially = false;
        deleted = ExecuteDelete(ctx, coll, st, let_vars, wc.durable, &committed_partially);
        if (!deleted.status().Is(ErrorCode::kWriteConflict) || committed_partially ||
            attempt + 1 >= kMaxWriteConflictRetries) {
          break;
        }
      }
    } catch (const DbException& ex) {
      deleted = ex.status();
    }
    if (deleted.ok()) {
      n += *deleted;
    } else {
      errors.emplace_back(index, deleted.status());
      if (ordered) break;
    }
    ++index;
  }
  if (wc.durable && n == 0) DDS_RETURN_IF_ERROR(ctx.engine().SyncWal());

  BsonBuilder reply(64);
  reply.AppendInt32("n", static_cast<int32_t>(n));
  AppendWriteErrors(&reply, errors);
  AppendWriteConcernError(&reply, wc);
  return reply.Done();
}

}  // namespace dds::commands
