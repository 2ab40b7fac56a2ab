// Database and collection management commands (compat §2.2-§2.4): listDatabases,
// listCollections, create, drop, dropDatabase, renameCollection, dbStats, collStats, dataSize,
// validate. All of them read or change the storage Catalog; sizes come from the Engine.
#include <sys/statvfs.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "bson/bson.h"
#include "commands/command_handlers.h"
#include "commands/collection_stats.h"
#include "commands/command_authorization.h"
#include "commands/cursor_manager.h"
#include "commands/document_validation.h"
#include "commands/latency_stats.h"
#include "commands/namespace_util.h"
#include "commands/request_parser.h"
#include "index/index_access_method.h"
#include "index/index_build.h"
#include "index/index_validation.h"
#include "query/index_usage.h"
#include "query/match_parser.h"
#include "storage/engine.h"

namespace dds::commands {

namespace {

using bson::BsonBuilder;
using bson::BsonElement;
using bson::BsonType;

constexpr std::string_view kSimpleLocale = "simple";

struct CollectionTotals {
  int64_t count = 0;
  int64_t data_bytes = 0;
  int64_t invalid = 0;
};

// Exact record count and BSON bytes of a collection (one scan over a snapshot).
StatusWith<CollectionTotals> ScanTotals(storage::Engine& engine, const storage::CollectionPtr& coll,
                                        bool validate_documents = true) {
  CollectionTotals t;
  std::unique_ptr<storage::ReadUnit> read = engine.BeginRead();
  std::unique_ptr<storage::RecordCursor> cursor = read->ScanRecords(coll->id);
  while (cursor->Next()) {
    bson::BsonView doc = cursor->doc();
    ++t.count;
    t.data_bytes += doc.size();
    if (validate_documents &&
        !bson::ValidateBson(doc.data(), static_cast<size_t>(doc.size())).ok()) {
      ++t.invalid;
    }
  }
  DDS_RETURN_IF_ERROR(cursor->status());
  return t;
}

// Parses `scale` (>= 1, 51024 otherwise; the IDL message says ">= 1").
// Builds a listCollections entry.
bson::BsonDocument CollectionEntry(const storage::CollectionDescriptor& c) {
  BsonBuilder b;
  b.AppendString("name", c.name);
  b.AppendString("type", "collection");
  b.AppendDocument("options", c.options.view());
  b.StartDocument("info");
  b.AppendBool("readOnly", false);
  b.AppendBinary("uuid", static_cast<uint8_t>(bson::BinarySubtype::kUuid), c.uuid);
  b.End();
  const storage::IndexDescriptor* id_index = c.FindIndex("_id_");
  if (id_index != nullptr) {
    b.AppendDocument("idIndex", id_index->spec.view());
  } else {
    b.StartDocument("idIndex");
    b.AppendInt32("v", 2);
    b.StartDocument("key").AppendInt32("_id", 1).End();
    b.AppendString("name", "_id_");
    b.End();
  }
  return b.Done();
}

StatusWith<std::unique_ptr<query::MatchExpression>> ParseFilter(const bson::BsonView& filter) {
  return query::ParseMatchExpression(filter);
}

// Returns true if `doc` matches `filter` (null matches everything). Evaluation errors propagate
// as DbException, which dispatch maps.
bool Matches(const query::MatchExpression* filter, const bson::BsonView& doc) {
  return filter == nullptr || filter->Matches(doc);
}

int64_t TotalIndexCount(const storage::CollectionDescriptor& c) {
  return static_cast<int64_t>(c.indexes.size());
}

Status ValidateCreateOptions(std::string_view db, std::string_view coll,
                             const bson::BsonView& cmd, bson::BsonDocument* options_out) {
  FieldParser p("create", cmd);
  bool capped = false;
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("capped", &capped));
  std::optional<bool> auto_index_id;
  DDS_RETURN_IF_ERROR(p.ReadBool("autoIndexId", &auto_index_id));
  std::optional<int64_t> size, max;
  DDS_RETURN_IF_ERROR(p.ReadInt64("size", &size));
  DDS_RETURN_IF_ERROR(p.ReadInt64("max", &max));
  std::optional<bson::BsonView> storage_engine, validator, index_option_defaults, collation,
      change_stream, timeseries, encrypted, id_index;
  DDS_RETURN_IF_ERROR(p.ReadObject("storageEngine", &storage_engine));
  DDS_RETURN_IF_ERROR(p.ReadObject("validator", &validator));
  DDS_RETURN_IF_ERROR(p.ReadObject("indexOptionDefaults", &index_option_defaults));
  DDS_RETURN_IF_ERROR(p.ReadObject("collation", &collation));
  DDS_RETURN_IF_ERROR(p.ReadObject("changeStreamPreAndPostImages", &change_stream));
  DDS_RETURN_IF_ERROR(p.ReadObject("timeseries", &timeseries));
  DDS_RETURN_IF_ERROR(p.ReadObject("encryptedFields", &encrypted));
  DDS_RETURN_IF_ERROR(p.ReadObject("idIndex", &id_index));
  std::optional<std::string> validation_level, validation_action, view_on;
  DDS_RETURN_IF_ERROR(p.ReadString("validationLevel", &validation_level));
  DDS_RETURN_IF_ERROR(p.ReadString("validationAction", &validation_action));
  DDS_RETURN_IF_ERROR(p.ReadString("viewOn", &view_on));
  std::optional<bson::BsonView> pipeline;
  DDS_RETURN_IF_ERROR(p.ReadArray("pipeline", &pipeline));
  BsonElement clustered = p.Take("clusteredIndex");
  BsonElement expire = p.Take("expireAfterSeconds");
  p.Ignore("temp");
  p.Ignore("flags");
  p.Ignore("recordPreImages");
  DDS_RETURN_IF_ERROR(p.Finish());

  if (validation_level && *validation_level != "off" && *validation_level != "strict" &&
      *validation_level != "moderate") {
    return Status(ErrorCode::kBadValue, "Enumeration value '" + *validation_level +
                                            "' for field 'create.validationLevel' is not a valid "
                                            "value.");
  }
  if (validation_action && *validation_action != "error" && *validation_action != "warn") {
    return Status(ErrorCode::kBadValue, "Enumeration value '" + *validation_action +
                                            "' for field 'create.validationAction' is not a "
                                            "valid value.");
  }
  if (pipeline && !view_on) {
    return Status(ErrorCode::kBadValue, "'pipeline' requires 'viewOn' to also be specified");
  }
  if (collation) {
    BsonElement locale = collation->Get("locale");
    if (locale.type() != BsonType::kString || locale.String() != kSimpleLocale ||
        collation->CountFields() != 1) {
      return Status(ErrorCode::kBadValue,
                    "collations other than {locale: \"simple\"} are not supported yet");
    }
  }
  if (capped) {
    if (!size) return Status(ErrorCode::kInvalidOptions, "the 'size' field is required when 'capped' is true");
    return Status(ErrorCode::kNotImplemented, "capped collections are not supported yet");
  }
  if (view_on) return Status(ErrorCode::kNotImplemented, "views are not supported yet");
  if (timeseries) {
    return Status(ErrorCode::kNotImplemented, "time-series collections are not supported yet");
  }
  if (!clustered.eoo()) {
    return Status(ErrorCode::kNotImplemented, "clustered collections are not supported yet");
  }
  if (!expire.eoo()) {
    return Status(ErrorCode::kInvalidOptions,
                  "'expireAfterSeconds' requires clustering to be enabled");
  }
  if (encrypted) {
    return Status(ErrorCode::kNotImplemented, "queryable encryption is not supported");
  }
  if (validator) DDS_RETURN_IF_ERROR(CheckValidatorOptions(db, coll, *validator, false));
  if (auto_index_id && !*auto_index_id) {
    return Status(ErrorCode::kNotImplemented, "collections without an _id index are not supported");
  }

  // The stored options: what the client gave, minus the command name and generic arguments.
  BsonBuilder b;
  bool first = true;
  bool validation_placed = false;
  for (const BsonElement& e : cmd) {
    if (first) {
      first = false;
      continue;
    }
    std::string_view n = e.field_name();
    if (IsGenericArgument(n) || n == "autoIndexId" || n == "temp" || n == "flags") continue;
    if (n == kValidator || n == kValidationLevel || n == kValidationAction) {
      // mongod's CollectionOptions order: validator, validationLevel, validationAction; an
      // empty validator is no validator and is not kept.
      if (validation_placed) continue;
      validation_placed = true;
      if (validator && !validator->empty()) b.AppendDocument(kValidator, *validator);
      if (validation_level) b.AppendString(kValidationLevel, *validation_level);
      if (validation_action) b.AppendString(kValidationAction, *validation_action);
      continue;
    }
    b.AppendElement(e);
  }
  *options_out = b.Done();
  return Status::OK();
}

}  // namespace

StatusWith<bson::BsonDocument> RunListDatabases(CommandContext& ctx, const bson::BsonView& cmd) {
  FieldParser p("listDatabases", cmd);
  std::optional<bson::BsonView> filter_doc;
  DDS_RETURN_IF_ERROR(p.ReadObject("filter", &filter_doc));
  bool name_only = false, authorized = false;
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("nameOnly", &name_only));
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("authorizedDatabases", &authorized));
  DDS_RETURN_IF_ERROR(p.Finish());
  // Under --auth, only the databases the user has privileges on (compat §2.11).
  const bool auth_filter = ListDatabasesMustFilter(ctx, cmd);

  std::unique_ptr<query::MatchExpression> filter;
  if (filter_doc) {
    DDS_ASSIGN_OR_RETURN(filter, ParseFilter(*filter_doc));
  }

  storage::Catalog& catalog = ctx.engine().catalog();
  int64_t total_size = 0;
  BsonBuilder b;
  b.StartArray("databases");
  size_t n = 0;
  for (const std::string& db : catalog.ListDatabases()) {
    if (auth_filter && !UserCanSeeDatabase(ctx, db)) continue;
    std::vector<storage::CollectionPtr> colls = catalog.ListCollections(db);
    int64_t size = 0;
    if (!name_only) {
      for (const storage::CollectionPtr& c : colls) size += ctx.engine().ApproximateStorageSize(c->id);
    }
    BsonBuilder entry;
    entry.AppendString("name", db);
    if (!name_only) {
      entry.AppendInt64("sizeOnDisk", size);
      entry.AppendBool("empty", colls.empty());
    }
    bson::BsonDocument doc = entry.Done();
    if (!Matches(filter.get(), doc)) continue;
    total_size += size;
    b.AppendDocument(bson::IndexName(n++), doc.view());
  }
  b.End();
  if (!name_only) {
    b.AppendInt64("totalSize", total_size);
    b.AppendInt64("totalSizeMb", total_size / (1024 * 1024));
  }
  return b.Done();
}

StatusWith<bson::BsonDocument> RunListCollections(CommandContext& ctx, const bson::BsonView& cmd) {
  FieldParser p("listCollections", cmd);
  std::optional<bson::BsonView> filter_doc;
  DDS_RETURN_IF_ERROR(p.ReadObject("filter", &filter_doc));
  bool name_only = false, authorized = false, include_pending = false;
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("nameOnly", &name_only));
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("authorizedCollections", &authorized));
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("includePendingDrops", &include_pending));
  CursorOptions cursor_options;
  DDS_RETURN_IF_ERROR(p.ReadCursorOption(&cursor_options.batch_size));
  DDS_RETURN_IF_ERROR(p.Finish());

  std::unique_ptr<query::MatchExpression> filter;
  if (filter_doc) {
    DDS_ASSIGN_OR_RETURN(filter, ParseFilter(*filter_doc));
  }
  std::vector<bson::BsonDocument> entries;
  // authorizedCollections + nameOnly under --auth: only the collections the user may act on.
  const bool auth_filter = ListCollectionsMustFilter(ctx, cmd);
  for (const storage::CollectionPtr& c : ctx.engine().catalog().ListCollections(ctx.db)) {
    if (auth_filter && !UserCanSeeCollection(ctx, ctx.db, c->name)) continue;
    bson::BsonDocument full = CollectionEntry(*c);
    if (!Matches(filter.get(), full)) continue;
    if (name_only) {
      BsonBuilder b;
      b.AppendString("name", c->name);
      b.AppendString("type", "collection");
      entries.push_back(b.Done());
    } else {
      entries.push_back(std::move(full));
    }
  }
  return ctx.cursors().BuildCursorReply(
      ctx, MakeNamespace(ctx.db, "$cmd.listCollections"),
      std::make_unique<VectorDocumentStream>(std::move(entries)), cursor_options);
}

StatusWith<bson::BsonDocument> RunCreate(CommandContext& ctx, const bson::BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(std::string coll, CollectionNameFromCommand(ctx.db, cmd));
  DDS_RETURN_IF_ERROR(ValidateUserCreatableCollection(ctx.db, coll));
  bson::BsonDocument options;
  DDS_RETURN_IF_ERROR(ValidateCreateOptions(ctx.db, coll, cmd, &options));
  bool created = false;
  DDS_ASSIGN_OR_RETURN(storage::CollectionPtr desc,
                       ctx.engine().catalog().CreateCollection(ctx.db, coll, options, &created));
  if (!created && !desc->options.view().BinaryEqual(options.view())) {
    return Status(ErrorCode::kNamespaceExists,
                  "Collection " + MakeNamespace(ctx.db, coll) + " already exists.");
  }
  return bson::BsonDocument();
}

StatusWith<bson::BsonDocument> RunDrop(CommandContext& ctx, const bson::BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(std::string coll, CollectionNameFromCommand(ctx.db, cmd));
  FieldParser p("drop", cmd);
  DDS_RETURN_IF_ERROR(p.Finish());
  std::string ns = MakeNamespace(ctx.db, coll);
  storage::CollectionPtr desc = ctx.engine().catalog().Lookup(ctx.db, coll);
  if (desc == nullptr) return bson::BsonDocument();  // 7.0: dropping a missing collection is ok
  if (IsSystemCollection(coll) && coll != "system.js" && coll != "system.profile" &&
      coll != "system.views") {
    return Status(ErrorCode::kIllegalOperation, "can't drop system collection " + ns);
  }
  ctx.cursors().KillForNamespace(ns);
  index::AbortIndexBuilds(ctx.engine(), desc->id, "collection " + ns + " is being dropped");
  Status s = ctx.engine().catalog().DropCollection(ctx.db, coll);
  if (!s.ok() && !s.Is(ErrorCode::kNamespaceNotFound)) return s;
  query::ForgetCollectionUsage(*desc);
  ForgetLatencyStats(ns);
  BsonBuilder b;
  b.AppendInt32("nIndexesWas", static_cast<int32_t>(TotalIndexCount(*desc)));
  b.AppendString("ns", ns);
  return b.Done();
}

StatusWith<bson::BsonDocument> RunDropDatabase(CommandContext& ctx, const bson::BsonView& cmd) {
  FieldParser p("dropDatabase", cmd);
  DDS_RETURN_IF_ERROR(p.Finish());
  if (ctx.db == "admin" || ctx.db == "config") {
    return Status(ErrorCode::kIllegalOperation,
                  "Dropping the '" + ctx.db + "' database is prohibited.");
  }
  std::vector<storage::CollectionPtr> colls = ctx.engine().catalog().ListCollections(ctx.db);
  bool existed = !colls.empty();
  ctx.cursors().KillForDatabase(ctx.db);
  for (const storage::CollectionPtr& c : colls) {
    index::AbortIndexBuilds(ctx.engine(), c->id, "dropDatabase command");
  }
  DDS_RETURN_IF_ERROR(ctx.engine().catalog().DropDatabase(ctx.db));
  for (const storage::CollectionPtr& c : colls) {
    query::ForgetCollectionUsage(*c);
    ForgetLatencyStats(c->ns());
  }
  BsonBuilder b;
  if (existed) b.AppendString("dropped", ctx.db);
  return b.Done();
}

StatusWith<bson::BsonDocument> RunRenameCollection(CommandContext& ctx,
                                                   const bson::BsonView& cmd) {
  FieldParser p("renameCollection", cmd);
  std::string from;
  DDS_RETURN_IF_ERROR(p.ReadString("renameCollection", &from, Presence::kRequired));
  std::string to;
  DDS_RETURN_IF_ERROR(p.ReadString("to", &to, Presence::kRequired));
  BsonElement drop_target = p.Take("dropTarget");
  bool stay_temp = false;
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("stayTemp", &stay_temp));
  p.Ignore("collectionUUID");
  DDS_RETURN_IF_ERROR(p.Finish());
  DDS_RETURN_IF_ERROR(ValidateFullNamespace(from));
  DDS_RETURN_IF_ERROR(ValidateFullNamespace(to));
  std::string_view from_db, from_coll, to_db, to_coll;
  SplitNamespace(from, &from_db, &from_coll);
  SplitNamespace(to, &to_db, &to_coll);
  if (Status s = ValidateUserWritableCollection(from_db, from_coll); !s.ok()) {
    return s.WithPrefix("error with source namespace: ");
  }
  if (Status s = ValidateUserWritableCollection(to_db, to_coll); !s.ok()) {
    return s.WithPrefix("error with target namespace: ");
  }
  if (from == to) {
    return Status(ErrorCode::kIllegalOperation, "Can't rename a collection to itself");
  }
  storage::Catalog& catalog = ctx.engine().catalog();
  if (catalog.Lookup(from_db, from_coll) == nullptr) {
    return Status(ErrorCode::kNamespaceNotFound, "source namespace does not exist");
  }
  bool drop = drop_target.TrueValue();
  if (!drop && catalog.Lookup(to_db, to_coll) != nullptr) {
    return Status(ErrorCode::kNamespaceExists, "target namespace exists");
  }
  ctx.cursors().KillForNamespace(from);
  ctx.cursors().KillForNamespace(to);
  if (storage::CollectionPtr target = catalog.Lookup(to_db, to_coll); drop && target != nullptr) {
    index::AbortIndexBuilds(ctx.engine(), target->id, "collection " + to + " is being dropped");
  }
  Status s = catalog.RenameCollection(from_db, from_coll, to_db, to_coll, drop);
  if (s.Is(ErrorCode::kNamespaceNotFound)) {
    return Status(ErrorCode::kNamespaceNotFound, "source namespace does not exist");
  }
  if (s.Is(ErrorCode::kNamespaceExists)) {
    return Status(ErrorCode::kNamespaceExists, "target namespace exists");
  }
  DDS_RETURN_IF_ERROR(s);
  return bson::BsonDocument();
}

StatusWith<bson::BsonDocument> RunDbStats(CommandContext& ctx, const bson::BsonView& cmd) {
  FieldParser p(std::string(ctx.command_name), cmd);
  int64_t scale = 1;
  DDS_RETURN_IF_ERROR(ReadScale(p, &scale));
  bool free_storage = false;
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("freeStorage", &free_storage));
  DDS_RETURN_IF_ERROR(p.Finish());

  std::vector<storage::CollectionPtr> colls = ctx.engine().catalog().ListCollections(ctx.db);
  int64_t objects = 0, data_size = 0, storage_size = 0, indexes = 0, index_size = 0;
  for (const storage::CollectionPtr& c : colls) {
    objects += ctx.engine().ApproximateRecordCount(c->id);
    data_size += ctx.engine().ApproximateDataSize(c->id);
    storage_size += ctx.engine().ApproximateStorageSize(c->id);
    indexes += TotalIndexCount(*c);
    for (const storage::IndexDescriptor& idx : c->indexes) {
      if (idx.index_id != 0) index_size += ctx.engine().ApproximateIndexSize(idx.index_id);
    }
  }
  double fs_used = 0, fs_total = 0;
  struct statvfs vfs {};
  if (statvfs(ctx.engine().db_path().c_str(), &vfs) == 0) {
    fs_total = static_cast<double>(vfs.f_blocks) * vfs.f_frsize;
    fs_used = fs_total - static_cast<double>(vfs.f_bfree) * vfs.f_frsize;
  }
  double s = static_cast<double>(scale);
  BsonBuilder b;
  b.AppendString("db", ctx.db);
  b.AppendInt64("collections", static_cast<int64_t>(colls.size()));
  b.AppendInt64("views", 0);
  b.AppendInt64("objects", objects);
  b.AppendDouble("avgObjSize", objects == 0 ? 0.0 : static_cast<double>(data_size) / objects);
  b.AppendDouble("dataSize", data_size / s);
  b.AppendDouble("storageSize", storage_size / s);
  b.AppendInt64("indexes", indexes);
  b.AppendDouble("indexSize", index_size / s);
  b.AppendDouble("totalSize", (storage_size + index_size) / s);
  b.AppendInt64("scaleFactor", scale);
  b.AppendDouble("fsUsedSize", fs_used / s);
  b.AppendDouble("fsTotalSize", fs_total / s);
  return b.Done();
}

StatusWith<bson::BsonDocument> RunCollStats(CommandContext& ctx, const bson::BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(std::string coll, CollectionNameFromCommand(ctx.db, cmd));
  FieldParser p(std::string(ctx.command_name), cmd);
  int64_t scale = 1;
  DDS_RETURN_IF_ERROR(ReadScale(p, &scale));
  p.Ignore("verbose");
  DDS_RETURN_IF_ERROR(p.Finish());
  std::string ns = MakeNamespace(ctx.db, coll);
  storage::CollectionPtr desc = ctx.engine().catalog().Lookup(ctx.db, coll);
  if (desc == nullptr) {
    return Status(ErrorCode::kNamespaceNotFound, "Collection [" + ns + "] not found.");
  }
  BsonBuilder b;
  b.AppendString("ns", ns);
  AppendStorageStats(ctx.engine(), *desc, scale, &b);
  return b.Done();
}

StatusWith<bson::BsonDocument> RunDataSize(CommandContext& ctx, const bson::BsonView& cmd) {
  auto start = std::chrono::steady_clock::now();
  FieldParser p("dataSize", cmd);
  std::string ns;
  DDS_RETURN_IF_ERROR(p.ReadString("dataSize", &ns, Presence::kRequired));
  std::optional<bson::BsonView> key_pattern, min, max;
  DDS_RETURN_IF_ERROR(p.ReadObject("keyPattern", &key_pattern));
  DDS_RETURN_IF_ERROR(p.ReadObject("min", &min));
  DDS_RETURN_IF_ERROR(p.ReadObject("max", &max));
  bool estimate = false;
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("estimate", &estimate));
  DDS_RETURN_IF_ERROR(p.Finish());
  DDS_RETURN_IF_ERROR(ValidateFullNamespace(ns));
  if (min || max || key_pattern) {
    return Status(ErrorCode::kNotImplemented, "dataSize with a key range is not supported yet");
  }
  std::string_view db, coll;
  SplitNamespace(ns, &db, &coll);
  CollectionTotals t;
  if (storage::CollectionPtr desc = ctx.engine().catalog().Lookup(db, coll)) {
    t.count = ctx.engine().ApproximateRecordCount(desc->id);
    t.data_bytes = ctx.engine().ApproximateDataSize(desc->id);
  }
  int64_t millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  BsonBuilder b;
  b.AppendInt64("size", t.data_bytes);
  b.AppendInt64("numObjects", t.count);
  b.AppendInt64("millis", millis);
  return b.Done();
}

// compact: rewrites the collection's records and index entries without the versions that
// deletes and updates left behind (an LSM keeps them until compaction reaches them). Reads and
// writes go on meanwhile, as with mongod 4.4+. `force` (replica-set primaries) and
// `freeSpaceTargetMB` (WiredTiger's threshold) are accepted and have nothing to decide here.
StatusWith<bson::BsonDocument> RunCompact(CommandContext& ctx, const bson::BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(std::string coll, CollectionNameFromCommand(ctx.db, cmd));
  FieldParser p("compact", cmd);
  bool force = false;
  std::optional<int64_t> free_space_target_mb;
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("force", &force));
  DDS_RETURN_IF_ERROR(p.ReadInt64("freeSpaceTargetMB", &free_space_target_mb));
  DDS_RETURN_IF_ERROR(p.Finish());
  storage::CollectionPtr desc = ctx.engine().catalog().Lookup(ctx.db, coll);
  if (desc == nullptr) {
    return Status(ErrorCode::kNamespaceNotFound, "collection does not exist");
  }
  DDS_ASSIGN_OR_RETURN(int64_t bytes_freed, ctx.engine().CompactCollection(*desc));
  BsonBuilder b;
  if (bytes_freed <= INT32_MAX) {
    b.AppendInt32("bytesFreed", static_cast<int32_t>(bytes_freed));
  } else {
    b.AppendInt64("bytesFreed", bytes_freed);
  }
  return b.Done();
}

StatusWith<bson::BsonDocument> RunValidate(CommandContext& ctx, const bson::BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(std::string coll, CollectionNameFromCommand(ctx.db, cmd));
  FieldParser p("validate", cmd);
  bool full = false, repair = false, metadata = false, background = false, check_bson = false;
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("full", &full));
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("repair", &repair));
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("metadata", &metadata));
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("background", &background));
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("checkBSONConformance", &check_bson));
  p.Ignore("scandata");
  DDS_RETURN_IF_ERROR(p.Finish());
  if (repair) {
    return Status(ErrorCode::kNotImplemented, "validate with repair is not supported yet");
  }
  std::string ns = MakeNamespace(ctx.db, coll);
  storage::CollectionPtr desc = ctx.engine().catalog().Lookup(ctx.db, coll);
  if (desc == nullptr) {
    return Status(ErrorCode::kNamespaceNotFound,
                  "Collection '" + ns + "' does not exist to validate.");
  }
  DDS_ASSIGN_OR_RETURN(CollectionTotals t, ScanTotals(ctx.engine(), desc));
  // Secondary indexes, each against the records at one snapshot (index/index_validation.h).
  struct CheckedIndex {
    const storage::IndexDescriptor* descriptor;
    index::IndexValidation result;
  };
  std::vector<CheckedIndex> checked;
  std::vector<std::string> unchecked;  // still building
  {
    std::unique_ptr<storage::ReadUnit> read = ctx.engine().BeginRead();
    for (const storage::IndexDescriptor& index : desc->indexes) {
      if (index.index_id == 0) continue;
      if (index.building) {
        if (!index::IsRebuildName(index.name)) unchecked.push_back(index.name);
        continue;
      }
      DDS_ASSIGN_OR_RETURN(std::shared_ptr<const index::IndexAccessMethod> method,
                           index::GetAccessMethod(index));
      DDS_ASSIGN_OR_RETURN(index::IndexValidation result,
                           index::ValidateIndex(read.get(), desc->id, *method));
      checked.push_back(CheckedIndex{&index, std::move(result)});
    }
  }
  bool valid = t.invalid == 0;
  for (const CheckedIndex& c : checked) valid = valid && c.result.valid();
  int64_t counted = ctx.engine().ApproximateRecordCount(desc->id);
  int64_t counted_bytes = ctx.engine().ApproximateDataSize(desc->id);
  BsonBuilder b;
  b.AppendString("ns", ns);
  b.AppendBinary("uuid", static_cast<uint8_t>(bson::BinarySubtype::kUuid), desc->uuid);
  b.AppendInt32("nInvalidDocuments", static_cast<int32_t>(t.invalid));
  b.AppendInt32("nNonCompliantDocuments", 0);
  b.AppendInt32("nrecords", static_cast<int32_t>(t.count));
  b.AppendInt32("nIndexes", static_cast<int32_t>(std::count_if(
                                 desc->indexes.begin(), desc->indexes.end(),
                                 [](const auto& i) { return !index::IsRebuildName(i.name); })));
  // The _id index is the record store itself: its keys are the records.
  b.StartDocument("keysPerIndex");
  b.AppendInt32("_id_", static_cast<int32_t>(t.count));
  for (const CheckedIndex& c : checked) {
    b.AppendInt64(c.descriptor->name, c.result.keys);
  }
  b.End();
  b.StartDocument("indexDetails");
  b.StartDocument("_id_").AppendBool("valid", true).End();
  for (const CheckedIndex& c : checked) {
    b.StartDocument(c.descriptor->name).AppendBool("valid", c.result.valid()).End();
  }
  b.End();
  b.AppendBool("valid", valid);
  b.AppendBool("repaired", false);
  b.StartArray("warnings");
  size_t w = 0;
  for (const std::string& name : unchecked) {
    b.AppendString(bson::IndexName(w++), "Index " + name + " is being built; not validated.");
  }
  if (counted != t.count || counted_bytes != t.data_bytes) {
    // mongod reports fast-count drift as a warning too (and fixes it on a full validate).
    b.AppendString(bson::IndexName(w++),
                   "Record count/size statistics (" + std::to_string(counted) + " records, " +
                       std::to_string(counted_bytes) + " bytes) differ from the scan (" +
                       std::to_string(t.count) + " records, " + std::to_string(t.data_bytes) +
                       " bytes).");
  }
  b.End();
  b.StartArray("errors");
  size_t e = 0;
  if (t.invalid != 0) {
    b.AppendString(bson::IndexName(e++),
                   "Detected " + std::to_string(t.invalid) + " invalid documents.");
  }
  for (const CheckedIndex& c : checked) {
    if (c.result.valid()) continue;
    b.AppendString(bson::IndexName(e++),
                   "Index with name: " + c.descriptor->name + " has inconsistencies: " +
                       std::to_string(c.result.missing_count) + " missing and " +
                       std::to_string(c.result.extra_count) + " extra index entries.");
  }
  b.End();
  auto append_inconsistencies = [&](const char* field, bool missing) {
    b.StartArray(field);
    size_t i = 0;
    for (const CheckedIndex& c : checked) {
      for (const index::IndexInconsistency& x : missing ? c.result.missing : c.result.extra) {
        b.StartDocument(bson::IndexName(i++));
        b.AppendString("indexName", c.descriptor->name);
        b.AppendDocument("idKey", x.id_key.view());
        b.AppendDocument("indexKey", x.index_key.view());
        b.End();
      }
    }
    b.End();
  };
  append_inconsistencies("extraIndexEntries", false);
  append_inconsistencies("missingIndexEntries", true);
  b.StartArray("corruptRecords").End();
  return b.Done();
}

namespace {

// Returns `options` with `name` replaced by `value` (removed when `value` is EOO).
bson::BsonDocument WithOption(const bson::BsonView& options, std::string_view name,
                              const BsonElement& value) {
  BsonBuilder b;
  bool replaced = false;
  for (const BsonElement& e : options) {
    if (e.field_name() == name) {
      if (!value.eoo()) b.AppendElementAs(name, value);
      replaced = true;
    } else {
      b.AppendElement(e);
    }
  }
  if (!replaced && !value.eoo()) b.AppendElementAs(name, value);
  return b.Done();
}

// Returns `options` after collMod's validator/validationLevel/validationAction in `cmd`. As
// mongod's setValidator/setValidationLevel/setValidationAction do, any of them makes the level
// and the action explicit ("strict", "error" by default); an empty validator is not kept.
bson::BsonDocument WithValidationOptions(const bson::BsonView& options, const bson::BsonView& cmd) {
  BsonElement validator = cmd.Get(kValidator);
  if (validator.eoo()) validator = options.Get(kValidator);
  BsonElement level = cmd.Get(kValidationLevel);
  if (level.eoo()) level = options.Get(kValidationLevel);
  BsonElement action = cmd.Get(kValidationAction);
  if (action.eoo()) action = options.Get(kValidationAction);
  BsonBuilder b;
  bool placed = false;
  auto place = [&]() {
    if (placed) return;
    placed = true;
    if (validator.IsObject() && !validator.Object().empty()) {
      b.AppendElementAs(kValidator, validator);
    }
    if (level.eoo()) {
      b.AppendString(kValidationLevel, "strict");
    } else {
      b.AppendElementAs(kValidationLevel, level);
    }
    if (action.eoo()) {
      b.AppendString(kValidationAction, "error");
    } else {
      b.AppendElementAs(kValidationAction, action);
    }
  };
  for (const BsonElement& e : options) {
    std::string_view n = e.field_name();
    if (n == kValidator || n == kValidationLevel || n == kValidationAction) {
      place();
    } else {
      b.AppendElement(e);
    }
  }
  place();
  return b.Done();
}

}  // namespace

StatusWith<bson::BsonDocument> RunCollMod(CommandContext& ctx, const bson::BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(std::string coll, CollectionNameFromCommand(ctx.db, cmd));
  FieldParser p("collMod", cmd);
  std::optional<bson::BsonView> validator, index, change_stream;
  DDS_RETURN_IF_ERROR(p.ReadObject("validator", &validator));
  DDS_RETURN_IF_ERROR(p.ReadObject("index", &index));
  DDS_RETURN_IF_ERROR(p.ReadObject("changeStreamPreAndPostImages", &change_stream));
  std::optional<std::string> validation_level, validation_action;
  DDS_RETURN_IF_ERROR(p.ReadString("validationLevel", &validation_level));
  DDS_RETURN_IF_ERROR(p.ReadString("validationAction", &validation_action));
  bool dry_run = false;
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("dryRun", &dry_run));
  for (std::string_view unsupported : {"viewOn", "pipeline", "expireAfterSeconds", "timeseries",
                                       "cappedSize", "cappedMax", "recordPreImages"}) {
    if (!p.Take(unsupported).eoo()) {
      return Status(ErrorCode::kNotImplemented,
                    "collMod option '" + std::string(unsupported) + "' is not supported yet");
    }
  }
  DDS_RETURN_IF_ERROR(p.Finish());
  if (validation_level && *validation_level != "off" && *validation_level != "strict" &&
      *validation_level != "moderate") {
    return Status(ErrorCode::kBadValue, "Enumeration value '" + *validation_level +
                                            "' for field 'collMod.validationLevel' is not a "
                                            "valid value.");
  }
  if (validation_action && *validation_action != "error" && *validation_action != "warn") {
    return Status(ErrorCode::kBadValue, "Enumeration value '" + *validation_action +
                                            "' for field 'collMod.validationAction' is not a "
                                            "valid value.");
  }
  if (change_stream) {
    FieldParser cp("collMod.changeStreamPreAndPostImages", *change_stream, FieldParser::kNested);
    bool enabled = false;
    DDS_RETURN_IF_ERROR(cp.ReadBool("enabled", &enabled, Presence::kRequired));
    DDS_RETURN_IF_ERROR(cp.Finish());
  }

  storage::Catalog& catalog = ctx.engine().catalog();
  std::string ns = MakeNamespace(ctx.db, coll);
  storage::CollectionPtr desc = catalog.Lookup(ctx.db, coll);
  if (desc == nullptr) return Status(ErrorCode::kNamespaceNotFound, "ns does not exist: " + ns);
  if (validator) DDS_RETURN_IF_ERROR(CheckValidatorOptions(ctx.db, coll, *validator, true));

  // Index changes: hidden and expireAfterSeconds.
  BsonBuilder reply;
  std::optional<bson::BsonDocument> new_index_spec;
  bool index_hidden_changed = false;
  std::string index_name;
  bool convert_to_unique = false;
  if (index) {
    FieldParser ip("collMod.index", *index, FieldParser::kNested);
    std::optional<std::string> name;
    std::optional<bson::BsonView> key_pattern;
    DDS_RETURN_IF_ERROR(ip.ReadString("name", &name));
    DDS_RETURN_IF_ERROR(ip.ReadObject("keyPattern", &key_pattern));
    std::optional<bool> hidden;
    DDS_RETURN_IF_ERROR(ip.ReadSafeBool("hidden", &hidden));
    std::optional<int64_t> expire;
    DDS_RETURN_IF_ERROR(ip.ReadInt64("expireAfterSeconds", &expire));
    std::optional<bool> unique, prepare_unique;
    DDS_RETURN_IF_ERROR(ip.ReadSafeBool("unique", &unique));
    DDS_RETURN_IF_ERROR(ip.ReadSafeBool("prepareUnique", &prepare_unique));
    if (!ip.Take("forceNonUnique").eoo()) {
      return Status(ErrorCode::kNotImplemented,
                    "collMod index option 'forceNonUnique' is not supported yet");
    }
    DDS_RETURN_IF_ERROR(ip.Finish());
    if (name.has_value() == key_pattern.has_value()) {
      return Status(ErrorCode::kInvalidOptions,
                    "must specify either index name or key pattern for collMod");
    }
    if (!hidden && !expire && !unique && !prepare_unique) {
      return Status(ErrorCode::kInvalidOptions,
                    "no expireAfterSeconds, hidden, unique, or prepareUnique field");
    }
    if (unique && !*unique) {
      return Status(ErrorCode::kBadValue, "Cannot make index non-unique");
    }
    const storage::IndexDescriptor* target = nullptr;
    for (const storage::IndexDescriptor& idx : desc->indexes) {
      if (idx.building) continue;
      if ((name && idx.name == *name) ||
          (key_pattern &&
           bson::CompareDocuments(idx.spec.view().Get("key").Object(), *key_pattern) == 0)) {
        target = &idx;
        break;
      }
    }
    if (target == nullptr) {
      return Status(ErrorCode::kIndexNotFound,
                    "cannot find index " +
                        (name ? *name : key_pattern->ToShellString()) + " for ns " + ns);
    }
    index_name = target->name;
    bson::BsonDocument spec = target->spec;
    if (hidden) {
      if (target->name == "_id_") {
        return Status(ErrorCode::kBadValue, "can't hide _id index");
      }
      BsonElement old_hidden = spec.view().Get("hidden");
      bool was = old_hidden.TrueValue();
      reply.AppendBool("hidden_old", was);
      reply.AppendBool("hidden_new", *hidden);
      index_hidden_changed = was != *hidden;
      // mongod stores hidden only when true.
      BsonBuilder tmp;
      tmp.AppendBool("hidden", true);
      bson::BsonDocument t = tmp.Done();
      spec = WithOption(spec.view(), "hidden", *hidden ? t.view().Get("hidden") : BsonElement());
    }
    if (expire) {
      BsonElement old_expire = spec.view().Get("expireAfterSeconds");
      if (old_expire.eoo()) {
        return Status(ErrorCode::kInvalidOptions, "no expireAfterSeconds field to update");
      }
      if (*expire < 0) {
        return Status(ErrorCode::kInvalidOptions,
                      "expireAfterSeconds must be a non-negative number");
      }
      reply.AppendElementAs("expireAfterSeconds_old", old_expire);
      reply.AppendInt64("expireAfterSeconds_new", *expire);
      BsonBuilder tmp;
      tmp.AppendInt64("expireAfterSeconds", *expire);
      bson::BsonDocument t = tmp.Done();
      spec = WithOption(spec.view(), "expireAfterSeconds", t.view().Get("expireAfterSeconds"));
    }
    if (prepare_unique || unique) {
      if (target->name == "_id_") {
        return Status(ErrorCode::kInvalidOptions,
                      "cannot modify unique or prepareUnique of the _id index");
      }
      BsonBuilder tmp;
      tmp.AppendBool("t", true);
      bson::BsonDocument t = tmp.Done();
      bool is_unique = spec.view().Get("unique").TrueValue();
      bool was_prepared = spec.view().Get("prepareUnique").TrueValue();
      if (prepare_unique && !is_unique && *prepare_unique != was_prepared) {
        // mongod keeps prepareUnique only when true.
        reply.AppendBool("prepareUnique_old", was_prepared);
        reply.AppendBool("prepareUnique_new", *prepare_unique);
        spec = WithOption(spec.view(), "prepareUnique",
                          *prepare_unique ? t.view().Get("t") : BsonElement());
        was_prepared = *prepare_unique;
      }
      if (unique && !is_unique) {
        // Converting needs prepareUnique first, so that no new duplicate appears meanwhile.
        if (!was_prepared) {
          return Status(ErrorCode::kInvalidOptions,
                        "Cannot make index unique with 'prepareUnique=false'. Run 'collMod' to "
                        "set it first.");
        }
        reply.AppendBool("unique_new", true);
        spec = WithOption(spec.view(), "unique", t.view().Get("t"));
        spec = WithOption(spec.view(), "prepareUnique", BsonElement());
        convert_to_unique = true;
      }
    }
    new_index_spec = std::move(spec);
  }

  // Collection option changes.
  bson::BsonDocument options = desc->options;
  if (validator || validation_level || validation_action) {
    options = WithValidationOptions(options.view(), cmd);
  }
  if (change_stream) {
    options = WithOption(options.view(), "changeStreamPreAndPostImages",
                         cmd.Get("changeStreamPreAndPostImages"));
  }
  if (dry_run) {
    // A unique conversion still reports its violations.
    if (convert_to_unique) {
      DDS_RETURN_IF_ERROR(index::ModifyIndexSpec(ctx.engine(), ctx.db, coll, index_name,
                                                 *new_index_spec, true, /*dry_run=*/true));
    }
    return reply.Done();
  }
  if (!options.view().BinaryEqual(desc->options.view())) {
    DDS_RETURN_IF_ERROR(catalog.SetCollectionOptions(ctx.db, coll, options));
  }
  if (new_index_spec) {
    // Under the collection's exclusive write lock (prepareUnique/unique must not race writers).
    DDS_RETURN_IF_ERROR(index::ModifyIndexSpec(ctx.engine(), ctx.db, coll, index_name,
                                               *new_index_spec, convert_to_unique,
                                               /*dry_run=*/false));
    // mongod re-registers a hidden/unhidden index in its usage tracker: $indexStats restarts.
    // A unique conversion rebuilds the index under a new id: the old id's counters go.
    if (const storage::IndexDescriptor* idx = desc->FindIndex(index_name)) {
      if (convert_to_unique) {
        query::ForgetIndexUsage(desc->id, idx->index_id);
      } else if (index_hidden_changed) {
        query::ResetIndexUsage(desc->id, idx->index_id);
      }
    }
  }
  return reply.Done();
}

}  // namespace dds::commands
