#include "commands/write_helpers.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "agg/expression_ops.h"
#include "index/index_maintenance.h"
#include "query/expression_hook.h"
#include "storage/engine.h"

namespace dds::commands {

namespace {

using bson::BsonBuilder;
using bson::BsonElement;
using bson::BsonType;
using bson::BsonView;

std::string_view TypeNameForId(BsonType t) {
  switch (t) {
    case BsonType::kArray:
      return "array";
    case BsonType::kRegex:
      return "regex";
    case BsonType::kUndefined:
      return "undefined";
    default:
      return "";
  }
}

// Returns a fresh (seconds, increment) timestamp, increasing across calls.
uint64_t NextInsertTimestamp() {
  static std::atomic<uint64_t> last{0};
  uint64_t now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count())
                 << 32;
  uint64_t prev = last.load(std::memory_order_relaxed);
  while (true) {
    uint64_t next = std::max(now | 1, prev + 1);
    if (last.compare_exchange_weak(prev, next, std::memory_order_relaxed)) return next;
  }
}

Status CheckDepth(const BsonView& doc) {
  // A nesting level costs at least 7 bytes, so small documents cannot be too deep.
  if (doc.size() < 7 * bson::kMaxBsonDepth) return Status::OK();
  if (bson::NestingDepth(doc.data()) > bson::kMaxBsonDepth) {
    return Status(ErrorCode::kBadValue, "cannot insert document because it exceeds " +
                                            std::to_string(bson::kMaxBsonDepth) +
                                            " levels of nesting");
  }
  return Status::OK();
}

}  // namespace

Status ValidateIdElement(const BsonElement& id) {
  std::string_view bad = TypeNameForId(id.type());
  if (!bad.empty()) {
    return Status(ErrorCode::kInvalidIdField,
                  "The '_id' value cannot be of type " + std::string(bad));
  }
  if (id.type() == BsonType::kObject) {
    for (const BsonElement& e : id.Object()) {
      std::string_view name = e.field_name();
      if (!name.empty() && name[0] == '$') {
        return Status(ErrorCode::kDollarPrefixedFieldName,
                      "_id fields may not contain '$'-prefixed fields: " + std::string(name) +
                          " is not valid for storage.");
      }
    }
  }
  return Status::OK();
}

Status PrepareInsertDocument(const BsonView& doc, std::string* scratch, PreparedDocument* out) {
  if (doc.size() > bson::kMaxBsonObjectSize) {
    return Status(ErrorCode::kBadValue, "object to insert too large. size in bytes: " +
                                            std::to_string(doc.size()) + ", max size: " +
                                            std::to_string(bson::kMaxBsonObjectSize));
  }
  DDS_RETURN_IF_ERROR(CheckDepth(doc));

  BsonElement id;
  int id_count = 0;
  bool id_first = false;
  bool first = true;
  bool zero_timestamp = false;
  for (const BsonElement& e : doc) {
    if (e.field_name() == "_id") {
      if (id_count == 0) {
        id = e;
        id_first = first;
      }
      ++id_count;
    } else if (e.type() == BsonType::kTimestamp && e.Timestamp() == 0) {
      zero_timestamp = true;
    }
    first = false;
  }
  if (id_count > 1) {
    return Status(ErrorCode::kBadValue, "can't have multiple _id fields in one document");
  }
  if (id_count == 1) {
    DDS_RETURN_IF_ERROR(ValidateIdElement(id));
    if (id_first && !zero_timestamp) {
      out->view = doc;
      out->id = id;
      return Status::OK();
    }
  }

  // Rewrite: `_id` (given or generated) first, then the other fields in order; top-level
  // Timestamp(0, 0) values get the current time, as mongod's fixDocumentForInsert does.
  BsonBuilder b(static_cast<size_t>(doc.size()) + 24);
  if (id_count == 1) {
    b.AppendElement(id);
  } else {
    b.AppendObjectId("_id", bson::ObjectId::Generate());
  }
  for (const BsonElement& e : doc) {
    if (e.field_name() == "_id") continue;
    if (e.type() == BsonType::kTimestamp && e.Timestamp() == 0) {
      uint64_t now = NextInsertTimestamp();
      b.AppendTimestamp(e.field_name(), static_cast<uint32_t>(now >> 32),
                        static_cast<uint32_t>(now));
    } else {
      b.AppendElement(e);
    }
  }
  *scratch = b.DoneBytes();
  if (scratch->size() > static_cast<size_t>(bson::kMaxBsonObjectSize)) {
    return Status(ErrorCode::kBadValue, "object to insert too large. size in bytes: " +
                                            std::to_string(scratch->size()) + ", max size: " +
                                            std::to_string(bson::kMaxBsonObjectSize));
  }
  out->view = BsonView(scratch->data());
  out->id = out->view.FirstElement();
  return Status::OK();
}

Status ValidateUpdatedDocument(const BsonView& doc) {
  if (doc.size() > bson::kMaxBsonObjectSize) {
    return Status(17419, "Resulting document after update is larger than " +
                             std::to_string(bson::kMaxBsonObjectSize));
  }
  if (doc.size() >= 7 * bson::kMaxBsonDepth &&
      bson::NestingDepth(doc.data()) > bson::kMaxBsonDepth) {
    return Status(ErrorCode::kBadValue, "cannot insert document because it exceeds " +
                                            std::to_string(bson::kMaxBsonDepth) +
                                            " levels of nesting");
  }
  BsonElement id = doc["_id"];
  if (!id.eoo()) DDS_RETURN_IF_ERROR(ValidateIdElement(id));
  return Status::OK();
}

Status DuplicateIdError(std::string_view ns, const BsonElement& id) {
  BsonBuilder key_value;
  key_value.AppendElementAs("_id", id);
  bson::BsonDocument kv = key_value.Done();
  std::string msg = "E11000 duplicate key error collection: ";
  msg.append(ns);
  msg.append(" index: _id_ dup key: ");
  msg.append(kv.view().ToShellString());
  BsonBuilder extra;
  extra.StartDocument("keyPattern").AppendInt32("_id", 1).End();
  extra.AppendDocument("keyValue", kv);
  return Status(ErrorCode::kDuplicateKey, std::move(msg), extra.DoneBytes());
}

void AppendWriteError(BsonBuilder* builder, std::string_view name, int32_t index,
                      const Status& status) {
  builder->StartDocument(name);
  builder->AppendInt32("index", index);
  builder->AppendInt32("code", status.code());
  if (!status.extra_bson().empty()) {
    builder->AppendElements(BsonView(status.extra_bson().data()));
  }
  builder->AppendString("errmsg", status.reason());
  builder->End();
}

Status InsertRecordFor(storage::WriteUnit* unit, const storage::CollectionDescriptor& coll,
                       const BsonElement& id, const BsonView& doc) {
  Status s = unit->InsertRecord(coll.id, id, doc);
  if (s.Is(ErrorCode::kDuplicateKey) && s.extra_bson().empty()) {
    return DuplicateIdError(coll.ns(), id);
  }
  DDS_RETURN_IF_ERROR(s);
  return index::OnInsert(unit, coll, id, doc);
}

Status UpdateRecordFor(storage::WriteUnit* unit, const storage::CollectionDescriptor& coll,
                       const BsonElement& id, const BsonView& old_doc, const BsonView& new_doc) {
  DDS_RETURN_IF_ERROR(unit->UpdateRecord(coll.id, id, new_doc));
  return index::OnUpdate(unit, coll, id, old_doc, new_doc);
}

Status DeleteRecordFor(storage::WriteUnit* unit, const storage::CollectionDescriptor& coll,
                       const BsonElement& id, const BsonView& old_doc) {
  DDS_RETURN_IF_ERROR(unit->DeleteRecord(coll.id, id));
  return index::OnDelete(unit, coll, id, old_doc);
}

Status ApplyIndexPlan(storage::Engine& engine, const storage::CollectionPtr& coll,
                      query::PlannerRequest request, query::PlanSpec* spec) {
  if (coll == nullptr || spec->id_lookup) return CheckHint(request.hint, coll.get());
  request.filter = spec->filter.get();
  try {
    DDS_ASSIGN_OR_RETURN(query::PlannerResult planned, query::PlanQuery(engine, coll, request));
    if (planned.winner && planned.winner->kind != query::QueryPlan::Kind::kCollScan) {
      if (planned.winner->provides_sort) spec->sort.reset();
      spec->plan = std::move(planned.winner);
      spec->cached_check = std::move(planned.cached_check);
    }
  } catch (const DbException& ex) {
    return ex.status();
  }
  return Status::OK();
}

StatusWith<storage::CollectionPtr> GetOrCreateCollection(storage::Engine& engine,
                                                         std::string_view db,
                                                         std::string_view coll) {
  storage::CollectionPtr existing = engine.catalog().Lookup(db, coll);
  if (existing != nullptr) return existing;
  return engine.catalog().CreateCollection(db, coll, BsonView(), nullptr);
}

namespace {

// True when the expression `e` would read the current document: a field path ("$a"), $$ROOT or
// $$CURRENT anywhere outside a $literal.
bool ReadsDocument(const BsonElement& e) {
  if (e.IsString()) {
    std::string_view s = e.String();
    if (s.size() > 1 && s[0] == '$' && s[1] != '$') return true;
    return s.rfind("$$ROOT", 0) == 0 || s.rfind("$$CURRENT", 0) == 0;
  }
  if (!e.IsObject() && !e.IsArray()) return false;
  BsonView inner = e.IsObject() ? e.Object() : e.Array();
  for (const BsonElement& child : inner) {
    if (e.IsObject() && child.field_name() == "$literal") return false;
    if (ReadsDocument(child)) return true;
  }
  return false;
}

}  // namespace

StatusWith<bson::BsonDocument> EvaluateLetVars(const BsonView& let_vars) {
  BsonBuilder out(static_cast<size_t>(let_vars.size()) + 16);
  query::ExpressionCompiler compiler = query::GetExpressionCompiler();
  for (const BsonElement& e : let_vars) {
    DDS_RETURN_IF_ERROR(agg::ValidateUserVariableName(e.field_name()));
    if (ReadsDocument(e)) {
      return Status(4890500,
                    "Command let Expression tried to access a field, but this is not allowed "
                    "because command let expressions run before the query examines any "
                    "documents.");
    }
    const bool maybe_expression =
        e.IsObject() || e.IsArray() || (e.IsString() && !e.String().empty() && e.String()[0] == '$');
    if (!maybe_expression || compiler == nullptr) {
      out.AppendElement(e);
      continue;
    }
    try {
      DDS_ASSIGN_OR_RETURN(std::shared_ptr<const query::CompiledExpression> expr,
                           compiler(e, BsonView()));
      bson::BsonDocument value = expr->Evaluate(BsonView());
      BsonElement v = value.view().FirstElement();
      if (!v.eoo()) out.AppendElementAs(e.field_name(), v);
    } catch (const DbException& ex) {
      return ex.status();
    }
  }
  return out.Done();
}

std::string FormatNumberForMessage(double v) {
  if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<int64_t>(v));
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

Status CheckSimpleCollation(const BsonElement& collation) {
  if (collation.eoo()) return Status::OK();
  if (collation.type() != BsonType::kObject) {
    return Status(ErrorCode::kTypeMismatch,
                  "collation must be an object, got " + collation.ValueToJson());
  }
  BsonView spec = collation.Object();
  BsonElement locale = spec["locale"];
  if (locale.eoo()) {
    return Status(ErrorCode::kFailedToParse, "BSON field 'locale' is missing but a required field");
  }
  if (locale.IsString() && locale.String() == "simple") return Status::OK();
  return Status(ErrorCode::kBadValue,
                "collation " + spec.ToJson() + " is not supported; only {locale: \"simple\"}");
}

Status CheckHint(const BsonElement& hint, const storage::CollectionDescriptor* coll) {
  if (hint.eoo()) return Status::OK();
  if (hint.type() == BsonType::kString) {
    if (hint.String().empty()) return Status::OK();  // mongod ignores an empty hint string
    if (hint.String() == "_id_") return Status::OK();
    if (coll == nullptr || coll->FindIndex(hint.String()) != nullptr) return Status::OK();
  } else if (hint.type() == BsonType::kObject) {
    BsonView spec = hint.Object();
    if (spec.empty()) return Status::OK();
    BsonElement first = spec.FirstElement();
    if (first.field_name() == "$natural") return Status::OK();
    if (coll == nullptr) return Status::OK();
    for (const storage::IndexDescriptor& index : coll->indexes) {
      BsonElement key = index.spec.view()["key"];
      if (key.IsObject() && bson::CompareDocuments(key.Object(), spec) == 0) return Status::OK();
    }
  } else {
    return Status(ErrorCode::kFailedToParse, "hint must be a string or an object");
  }
  std::string msg = "error processing query: ns=";
  if (coll != nullptr) msg += coll->ns();
  msg += " planner returned error :: caused by :: hint provided does not correspond to an "
         "existing index";
  return Status(ErrorCode::kBadValue, std::move(msg));
}

}  // namespace dds::commands
