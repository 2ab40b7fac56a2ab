// findAndModify / findandmodify (compat §2.8): find one document (query + sort), then update,
// replace or remove it, or upsert, in one WriteUnit; reply {lastErrorObject, value}.
#include <memory>
#include <optional>
#include <string>

#include "commands/crud_commands.h"
#include "commands/document_validation.h"
#include "commands/namespace_util.h"
#include "commands/request_parser.h"
#include "commands/write_concern.h"
#include "commands/write_helpers.h"
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

constexpr std::string_view kExecutorPrefix = "Plan executor error during findAndModify :: caused by :: ";

struct FindAndModifyRequest {
  std::string coll_name;
  BsonView query;
  BsonView sort;
  bool remove = false;
  BsonElement update;
  bool return_new = false;
  BsonView fields;
  bool upsert = false;
  BsonView array_filters;
  bool has_array_filters = false;
  BsonElement collation;
  BsonElement hint;
  BsonView let_vars;
  BsonDocument let_storage;  // the evaluated `let` (let_vars points into it)
  bool bypass_document_validation = false;
};

Status Parse(CommandContext& ctx, const BsonView& cmd, FindAndModifyRequest* r) {
  DDS_ASSIGN_OR_RETURN(r->coll_name, CollectionNameFromCommand(ctx.db, cmd));
  FieldParser p("findAndModify", cmd);
  DDS_RETURN_IF_ERROR(p.ReadObject("query", &r->query));
  DDS_RETURN_IF_ERROR(p.ReadObject("sort", &r->sort));
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("remove", &r->remove));
  DDS_RETURN_IF_ERROR(p.ReadAnyOf("update", {BsonType::kObject, BsonType::kArray}, &r->update));
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("new", &r->return_new));
  DDS_RETURN_IF_ERROR(p.ReadObject("fields", &r->fields));
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("upsert", &r->upsert));
  std::optional<BsonView> array_filters;
  DDS_RETURN_IF_ERROR(p.ReadArray("arrayFilters", &array_filters));
  if (array_filters) {
    r->array_filters = *array_filters;
    r->has_array_filters = true;
  }
  DDS_RETURN_IF_ERROR(p.ReadAnyOf("collation", {BsonType::kObject}, &r->collation));
  DDS_RETURN_IF_ERROR(p.ReadAnyOf("hint", {BsonType::kString, BsonType::kObject}, &r->hint));
  DDS_RETURN_IF_ERROR(p.ReadObject("let", &r->let_vars));
  std::optional<int64_t> max_time_ms;
  DDS_RETURN_IF_ERROR(p.ReadNonNegativeInt64("maxTimeMS", &max_time_ms));
  DDS_RETURN_IF_ERROR(p.ReadSafeBool(kBypassDocumentValidation, &r->bypass_document_validation));
  DDS_RETURN_IF_ERROR(p.Finish());
  if (!r->let_vars.empty()) {
    DDS_ASSIGN_OR_RETURN(r->let_storage, EvaluateLetVars(r->let_vars));
    r->let_vars = r->let_storage.view();
  }

  // mongod's request validation (find_and_modify.cpp), in its order.
  if (r->remove) {
    if (r->upsert) {
      return Status(ErrorCode::kFailedToParse, "Cannot specify both upsert=true and remove=true");
    }
    if (!r->update.eoo()) {
      return Status(ErrorCode::kFailedToParse,
                    "Cannot specify both an update and remove=true");
    }
    if (r->return_new) {
      return Status(ErrorCode::kFailedToParse,
                    "Cannot specify both new=true and remove=true; 'remove' always returns the "
                    "deleted document");
    }
    if (r->has_array_filters) {
      return Status(ErrorCode::kFailedToParse, "Cannot specify arrayFilters and remove=true");
    }
  } else if (r->update.eoo()) {
    return Status(ErrorCode::kFailedToParse, "Either an update or remove=true must be specified");
  }
  return Status::OK();
}

StatusWith<BsonDocument> Project(const std::optional<query::Projection>& projection,
                                 const query::MatchExpression& matcher, const BsonView& doc) {
  if (!projection) return BsonDocument(doc);
  try {
    if (projection->requires_match_details()) {
      query::MatchDetails details;
      details.RequestElemMatchKey();
      matcher.Matches(doc, &details);
      return projection->Apply(doc, &details);
    }
    return projection->Apply(doc, nullptr);
  } catch (const DbException& ex) {
    return ex.status();
  }
}

StatusWith<BsonDocument> Execute(CommandContext& ctx, const FindAndModifyRequest& r,
                                 const WriteConcern& wc) {
  DDS_RETURN_IF_ERROR(CheckSimpleCollation(r.collation));
  query::MatchParseOptions match_options;
  match_options.let_vars = r.let_vars;
  DDS_ASSIGN_OR_RETURN(std::unique_ptr<query::MatchExpression> parsed,
                       query::ParseMatchExpression(r.query, match_options));
  std::shared_ptr<const query::MatchExpression> matcher(std::move(parsed));
  std::optional<query::Projection> projection;
  if (!r.fields.empty()) {
    DDS_ASSIGN_OR_RETURN(query::Projection proj, query::Projection::Parse(r.fields, r.query, r.let_vars));
    if (!proj.is_identity()) projection = std::move(proj);
  }
  std::shared_ptr<const query::SortPattern> sort;
  if (!r.sort.empty()) {
    DDS_ASSIGN_OR_RETURN(query::SortPattern pattern, query::SortPattern::Parse(r.sort));
    sort = std::make_shared<const query::SortPattern>(std::move(pattern));
  }
  std::optional<update::UpdateDriver> driver;
  if (!r.remove) {
    update::UpdateOptions options;
    options.array_filters = r.array_filters;
    options.let_vars = r.let_vars;
    DDS_ASSIGN_OR_RETURN(update::UpdateDriver parsed_driver,
                         update::UpdateDriver::Parse(r.update, options));
    driver = std::move(parsed_driver);
  }

  storage::CollectionPtr coll = ctx.engine().catalog().Lookup(ctx.db, r.coll_name);
  DDS_RETURN_IF_ERROR(CheckHint(r.hint, coll.get()));
  DDS_ASSIGN_OR_RETURN(WriteValidation validation,
                       WriteValidation::Make(coll, r.bypass_document_validation));
  std::unique_ptr<storage::WriteUnit> unit;
  std::optional<BsonDocument> value;  // the reply's `value`, unprojected
  bool found = false;

  if (coll != nullptr) {
    unit = ctx.engine().BeginWrite();
    query::PlanSpec spec;
    spec.filter = matcher;
    spec.sort = sort;
    std::optional<BsonElement> id_value = query::PlanExecutor::IdPointLookupValue(r.query);
    if (id_value) {
      BsonBuilder b(32);
      b.AppendElementAs("", *id_value);
      spec.id_lookup = b.Done();
    }
    spec.error_prefix = kExecutorPrefix;
    query::PlannerRequest plan_request;
    plan_request.filter_doc = r.query;
    plan_request.sort = r.sort;
    plan_request.hint = r.hint;
    plan_request.limit = 1;
    DDS_RETURN_IF_ERROR(ApplyIndexPlan(ctx.engine(), coll, plan_request, &spec));
    query::PlanExecutor exec(ctx.engine(), coll, std::move(spec));
    BsonDocument candidate;
    while (!found) {
      DDS_ASSIGN_OR_RETURN(bool has, exec.Next(&candidate));
      if (!has) break;
      BsonElement id = candidate["_id"];
      if (id.eoo()) continue;
      DDS_ASSIGN_OR_RETURN(std::optional<BsonDocument> current,
                           unit->GetRecordForUpdate(coll->id, id));
      if (!current) continue;  // deleted since the snapshot
      query::MatchDetails details;
      const bool want_details = driver && driver->needs_match_details();
      bool still_matches;
      try {
        still_matches = matcher->Matches(*current, want_details ? &details : nullptr);
      } catch (const DbException& ex) {
        return ex.status().WithPrefix(kExecutorPrefix);
      }
      if (!still_matches) continue;
      found = true;
      BsonElement stored_id = current->view()["_id"];
      if (r.remove) {
        DDS_RETURN_IF_ERROR(DeleteRecordFor(unit.get(), *coll, stored_id, *current));
        value = std::move(*current);
        break;
      }
      StatusWith<update::UpdateOutcome> outcome = [&]() -> StatusWith<update::UpdateOutcome> {
        try {
          return driver->Apply(*current, want_details ? &details : nullptr);
        } catch (const DbException& ex) {
          return ex.status();
        }
      }();
      if (!outcome.ok()) return outcome.status().WithPrefix(kExecutorPrefix);
      if (outcome->modified) {
        Status valid = ValidateUpdatedDocument(outcome->doc);
        if (valid.ok()) valid = validation.CheckUpdate(*current, outcome->doc);
        if (!valid.ok()) return valid.WithPrefix(kExecutorPrefix);
        DDS_RETURN_IF_ERROR(
            UpdateRecordFor(unit.get(), *coll, stored_id, *current, outcome->doc));
      }
      value = r.return_new ? std::move(outcome->doc) : std::move(*current);
    }
  }

  BsonBuilder reply(128);
  reply.StartDocument("lastErrorObject");
  if (r.remove) {
    reply.AppendInt32("n", found ? 1 : 0);
  } else if (found) {
    reply.AppendInt32("n", 1);
    reply.AppendBool("updatedExisting", true);
  } else if (r.upsert) {
    StatusWith<BsonDocument> built = [&]() -> StatusWith<BsonDocument> {
      try {
        return driver->BuildUpsertDocument(r.query);
      } catch (const DbException& ex) {
        return ex.status();
      }
    }();
    if (!built.ok()) return built.status().WithPrefix(kExecutorPrefix);
    if (coll == nullptr) {
      DDS_ASSIGN_OR_RETURN(coll, GetOrCreateCollection(ctx.engine(), ctx.db, r.coll_name));
    }
    if (unit == nullptr) unit = ctx.engine().BeginWrite();
    std::string scratch;
    PreparedDocument prepared;
    Status valid = PrepareInsertDocument(built.value(), &scratch, &prepared);
    if (valid.ok()) valid = validation.CheckInsert(prepared.view);
    if (!valid.ok()) return valid.WithPrefix(kExecutorPrefix);
    DDS_RETURN_IF_ERROR(InsertRecordFor(unit.get(), *coll, prepared.id, prepared.view));
    reply.AppendInt32("n", 1);
    reply.AppendBool("updatedExisting", false);
    reply.AppendElementAs("upserted", prepared.id);
    if (r.return_new) value = BsonDocument(prepared.view);
  } else {
    reply.AppendInt32("n", 0);
    reply.AppendBool("updatedExisting", false);
  }
  reply.End();

  if (value) {
    DDS_ASSIGN_OR_RETURN(BsonDocument projected, Project(projection, *matcher, *value));
    reply.AppendDocument("value", projected);
  } else {
    reply.AppendNull("value");
  }
  if (unit != nullptr) {
    DDS_RETURN_IF_ERROR(unit->Commit(wc.durable));
  } else if (wc.durable) {
    DDS_RETURN_IF_ERROR(ctx.engine().SyncWal());
  }
  if (wc.write_concern_error) reply.AppendDocument("writeConcernError", *wc.write_concern_error);
  return reply.Done();
}

}  // namespace

StatusWith<BsonDocument> RunFindAndModify(CommandContext& ctx, const BsonView& cmd) {
  FindAndModifyRequest request;
  DDS_RETURN_IF_ERROR(Parse(ctx, cmd, &request));
  DDS_ASSIGN_OR_RETURN(WriteConcern wc, ParseWriteConcernFromCommand(cmd));
  DDS_RETURN_IF_ERROR(ValidateUserWritableCollection(ctx.db, request.coll_name));
  try {
    for (int attempt = 0;; ++attempt) {
      StatusWith<BsonDocument> reply = Execute(ctx, request, wc);
      if (!reply.status().Is(ErrorCode::kWriteConflict) ||
          attempt + 1 >= kMaxWriteConflictRetries) {
        return reply;
      }
    }
  } catch (const DbException& ex) {
    return ex.status();
  }
}

}  // namespace dds::commands
