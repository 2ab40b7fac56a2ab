// Index management commands (compat §2.9): listIndexes, createIndexes, dropIndexes.
// Index metadata lives in the storage Catalog; the index layer builds and drops the entries.
#include <algorithm>
#include <string>
#include <vector>

#include "bson/bson.h"
#include "commands/command_handlers.h"
#include "commands/cursor_manager.h"
#include "commands/namespace_util.h"
#include "commands/request_parser.h"
#include "common/logging.h"
#include "index/index_build.h"
#include "index/index_spec.h"
#include "query/index_usage.h"
#include "storage/engine.h"

namespace dds::commands {

namespace {

using bson::BsonBuilder;
using bson::BsonElement;
using bson::BsonType;

constexpr std::string_view kIdIndexName = "_id_";
// mongod's limit, the _id index included.
constexpr size_t kMaxIndexesPerCollection = 64;

// Fields an index specification may carry (mongod's allowed index spec fields).
constexpr std::string_view kIndexSpecFields[] = {
    "2dsphereIndexVersion", "background",   "bits",
    "bucketSize",           "clustered",    "coarsestIndexedLevel",
    "collation",            "default_language", "dropDups",
    "expireAfterSeconds",   "finestIndexedLevel", "hidden",
    "key",                  "language_override", "max",
    "min",                  "name",         "ns",
    "partialFilterExpression", "prepareUnique", "sparse",
    "storageEngine",        "textIndexVersion", "unique",
    "v",                    "weights",      "wildcardProjection",
};
// Fields that are allowed in an _id index specification.
constexpr std::string_view kIdIndexSpecFields[] = {"key", "name", "v", "collation", "ns",
                                                   "background"};
// Fields that do not take part in "same options" comparisons.
constexpr std::string_view kIgnoredForComparison[] = {"key", "name", "v", "ns", "background",
                                                      "dropDups"};

template <size_t N>
bool In(const std::string_view (&list)[N], std::string_view name) {
  for (std::string_view s : list) {
    if (s == name) return true;
  }
  return false;
}

Status SpecError(ErrorCode code, const bson::BsonView& spec, std::string_view reason) {
  return Status(code, "Error in specification " + spec.ToShellString() +
                          " :: caused by :: " + std::string(reason));
}

// The comparable options of a spec: every field except key/name/v/ns/background, in a
// canonical (sorted by name) order.
std::vector<BsonElement> ComparableOptions(const bson::BsonView& spec) {
  std::vector<BsonElement> out;
  for (const BsonElement& e : spec) {
    if (!In(kIgnoredForComparison, e.field_name())) out.push_back(e);
  }
  std::sort(out.begin(), out.end(), [](const BsonElement& a, const BsonElement& b) {
    return a.field_name() < b.field_name();
  });
  return out;
}

bool SameOptions(const bson::BsonView& a, const bson::BsonView& b) {
  std::vector<BsonElement> x = ComparableOptions(a), y = ComparableOptions(b);
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i].field_name() != y[i].field_name()) return false;
    // Booleans like unique: true and unique: 1 are the same option.
    if (x[i].type() == BsonType::kBool || y[i].type() == BsonType::kBool) {
      if (x[i].TrueValue() != y[i].TrueValue()) return false;
      continue;
    }
    if (bson::CompareElementValues(x[i], y[i]) != 0) return false;
  }
  return true;
}

bool SameKey(const bson::BsonView& a, const bson::BsonView& b) {
  return bson::CompareDocuments(a, b) == 0;
}

struct ParsedSpec {
  bson::BsonView spec;
  bson::BsonView key;
  std::string name;
};

// Validates one createIndexes spec (compat §2.9).
StatusWith<ParsedSpec> ParseIndexSpec(const bson::BsonView& spec) {
  ParsedSpec out;
  out.spec = spec;
  BsonElement key = spec.Get("key");
  if (key.eoo()) {
    return SpecError(ErrorCode::kFailedToParse, spec,
                     "The 'key' field is a required property of an index specification");
  }
  if (key.type() != BsonType::kObject) {
    return SpecError(ErrorCode::kTypeMismatch, spec,
                     "The field 'key' must be an object, but got " +
                         std::string(bson::TypeAlias(key.type())));
  }
  out.key = key.Object();
  if (out.key.empty()) {
    return SpecError(ErrorCode::kCannotCreateIndex, spec, "Index keys cannot be empty.");
  }
  BsonElement name = spec.Get("name");
  if (name.eoo()) {
    return SpecError(ErrorCode::kFailedToParse, spec,
                     "The 'name' field is a required property of an index specification");
  }
  if (name.type() != BsonType::kString) {
    return SpecError(ErrorCode::kTypeMismatch, spec,
                     "The field 'name' must be a string, but got " +
                         std::string(bson::TypeAlias(name.type())));
  }
  out.name = std::string(name.String());
  if (out.name.empty()) {
    return SpecError(ErrorCode::kCannotCreateIndex, spec, "index name cannot be empty");
  }
  BsonElement v = spec.Get("v");
  if (!v.eoo()) {
    if (!v.IsNumber()) {
      return SpecError(ErrorCode::kTypeMismatch, spec,
                       "The field 'v' must be a number, but got " +
                           std::string(bson::TypeAlias(v.type())));
    }
    std::optional<int64_t> version = v.ExactInt64();
    if (!version || (*version != 1 && *version != 2)) {
      return SpecError(ErrorCode::kCannotCreateIndex, spec,
                       "Invalid index specification " + spec.ToShellString() +
                           "; cannot create an index with v=" + v.ValueToJson());
    }
  }
  for (const BsonElement& e : spec) {
    if (!In(kIndexSpecFields, e.field_name())) {
      return Status(ErrorCode::kInvalidIndexSpecificationOption,
                    "The field '" + std::string(e.field_name()) +
                        "' is not valid for an index specification. Specification: " +
                        spec.ToShellString());
    }
  }
  bool is_id_key = out.key.CountFields() == 1 && out.key.FirstElement().field_name() == "_id" &&
                   out.key.FirstElement().IsNumber() && out.key.FirstElement().NumberDouble() == 1;
  if (is_id_key || out.name == kIdIndexName) {
    for (const BsonElement& e : spec) {
      if (!In(kIdIndexSpecFields, e.field_name())) {
        if (!is_id_key) break;  // not an _id index spec: the name conflict is reported later
        return Status(ErrorCode::kInvalidIndexSpecificationOption,
                      "The field '" + std::string(e.field_name()) +
                          "' is not valid for an _id index specification. Specification: " +
                          spec.ToShellString());
      }
    }
  }
  return out;
}

// Returns the spec as stored and listed: {v, key, name, options...}; v defaults to 2, `ns`,
// `background` and `dropDups` are dropped, unique/sparse/hidden/prepareUnique become booleans (as
// mongod).
bson::BsonDocument NormalizeSpec(const bson::BsonView& spec) {
  BsonBuilder b;
  BsonElement v = spec.Get("v");
  b.AppendInt32("v", v.eoo() ? 2 : static_cast<int32_t>(v.NumberDouble()));
  b.AppendElement(spec.Get("key"));
  b.AppendElement(spec.Get("name"));
  for (const BsonElement& e : spec) {
    std::string_view n = e.field_name();
    if (n == "v" || n == "key" || n == "name" || n == "ns" || n == "background" ||
        n == "dropDups") {
      continue;
    }
    if (n == "unique" || n == "sparse" || n == "hidden" || n == "prepareUnique") {
      b.AppendBool(n, e.TrueValue());
    } else {
      b.AppendElement(e);
    }
  }
  return b.Done();
}

bool SameElement(const BsonElement& a, const BsonElement& b) {
  if (a.eoo() || b.eoo()) return a.eoo() == b.eoo();
  return bson::CompareElementValues(a, b) == 0;
}

// Compares a requested spec with an existing (or earlier requested) index, mongod's
// _doesSpecConflictWithExisting: returns true when the index already exists as requested, an
// error when it conflicts, false when it is a different index.
StatusWith<bool> CheckAgainstExisting(const ParsedSpec& spec, const bson::BsonView& ex) {
  bson::BsonView ex_key = ex.Get("key").Object();
  std::string_view ex_name = ex.Get("name").String();
  bool same_name = ex_name == spec.name;
  bool same_key = SameKey(ex_key, spec.key);
  if (same_name && same_key) {
    if (!SameOptions(ex, spec.spec)) {
      return Status(ErrorCode::kIndexOptionsConflict,
                    "An equivalent index already exists with the same name but different "
                    "options. Requested index: " +
                        spec.spec.ToShellString() + ", existing index: " + ex.ToShellString());
    }
    return true;
  }
  if (same_name) {
    return Status(ErrorCode::kIndexKeySpecsConflict,
                  "An existing index has the same name as the requested index. When index "
                  "names are not specified, they are auto generated and can cause conflicts. "
                  "Please refer to our documentation. Requested index: " +
                      spec.spec.ToShellString() + ", existing index: " + ex.ToShellString());
  }
  // Indexes on the same keys may coexist only with different collations or partial filters.
  if (same_key && SameElement(ex.Get("collation"), spec.spec.Get("collation")) &&
      SameElement(ex.Get("partialFilterExpression"), spec.spec.Get("partialFilterExpression"))) {
    if (SameOptions(ex, spec.spec)) {
      return Status(ErrorCode::kIndexOptionsConflict,
                    "Index already exists with a different name: " + std::string(ex_name));
    }
    return Status(ErrorCode::kIndexOptionsConflict,
                  "An equivalent index already exists with a different name and options. "
                  "Requested index: " +
                      spec.spec.ToShellString() + ", existing index: " + ex.ToShellString());
  }
  return false;
}

}  // namespace

StatusWith<bson::BsonDocument> RunListIndexes(CommandContext& ctx, const bson::BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(std::string coll, CollectionNameFromCommand(ctx.db, cmd));
  FieldParser p("listIndexes", cmd);
  CursorOptions cursor_options;
  DDS_RETURN_IF_ERROR(p.ReadCursorOption(&cursor_options.batch_size));
  bool include_build_uuids = false, include_index_build_info = false;
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("includeBuildUUIDs", &include_build_uuids));
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("includeIndexBuildInfo", &include_index_build_info));
  DDS_RETURN_IF_ERROR(p.Finish());
  std::string ns = MakeNamespace(ctx.db, coll);
  storage::CollectionPtr desc = ctx.engine().catalog().Lookup(ctx.db, coll);
  if (desc == nullptr) return Status(ErrorCode::kNamespaceNotFound, "ns does not exist: " + ns);
  std::vector<bson::BsonDocument> specs;
  for (const storage::IndexDescriptor& idx : desc->indexes) {
    if (idx.building && !include_build_uuids && !include_index_build_info) continue;
    if (index::IsRebuildName(idx.name)) continue;
    if (include_index_build_info) {
      BsonBuilder b;
      b.AppendDocument("spec", idx.spec.view());
      specs.push_back(b.Done());
    } else {
      specs.push_back(idx.spec);
    }
  }
  return ctx.cursors().BuildCursorReply(
      ctx, ns, std::make_unique<VectorDocumentStream>(std::move(specs)), cursor_options);
}

StatusWith<bson::BsonDocument> RunCreateIndexes(CommandContext& ctx, const bson::BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(std::string coll, CollectionNameFromCommand(ctx.db, cmd));
  FieldParser p("createIndexes", cmd);
  bson::BsonView indexes;
  DDS_RETURN_IF_ERROR(p.ReadArray("indexes", &indexes, Presence::kRequired));
  p.Ignore("commitQuorum");
  p.Ignore("ignoreUnknownIndexOptions");
  p.Ignore("isTimeseriesNamespace");
  DDS_RETURN_IF_ERROR(p.Finish());
  DDS_RETURN_IF_ERROR(ValidateUserWritableCollection(ctx.db, coll));

  std::vector<ParsedSpec> specs;
  size_t i = 0;
  for (const BsonElement& e : indexes) {
    if (e.type() != BsonType::kObject) {
      return WrongTypeError("createIndexes.indexes." + std::to_string(i), e, "object");
    }
    DDS_ASSIGN_OR_RETURN(ParsedSpec spec, ParseIndexSpec(e.Object()));
    for (const ParsedSpec& earlier : specs) {
      if (earlier.name == spec.name && SameKey(earlier.key, spec.key) &&
          SameOptions(earlier.spec, spec.spec)) {
        return Status(ErrorCode::kIndexAlreadyExists,
                      "Identical index already exists: " + spec.name);
      }
    }
    specs.push_back(std::move(spec));
    ++i;
  }
  if (specs.empty()) {
    return Status(ErrorCode::kBadValue, "Must specify at least one index to create");
  }

  storage::Catalog& catalog = ctx.engine().catalog();
  storage::CollectionPtr desc = catalog.Lookup(ctx.db, coll);
  if (desc != nullptr) {
    // A request for an index being built waits for that build, then answers as for an existing
    // index (or builds it, when that build failed).
    std::vector<std::string> names;
    for (const ParsedSpec& spec : specs) names.push_back(spec.name);
    DDS_RETURN_IF_ERROR(index::WaitForIndexBuilds(ctx.engine(), desc->id, names));
    desc = catalog.Lookup(ctx.db, coll);
  }
  // The indexes a new collection starts with.
  bson::BsonDocument default_id_spec = [] {
    BsonBuilder b;
    b.AppendInt32("v", 2);
    b.StartDocument("key").AppendInt32("_id", 1).End();
    b.AppendString("name", kIdIndexName);
    return b.Done();
  }();
  std::vector<bson::BsonView> existing;
  if (desc != nullptr) {
    for (const storage::IndexDescriptor& idx : desc->indexes) existing.push_back(idx.spec.view());
  } else {
    existing.push_back(default_id_spec.view());
  }

  std::vector<bson::BsonDocument> to_build;
  for (const ParsedSpec& spec : specs) {
    bool found = false;
    for (const bson::BsonView& ex : existing) {
      DDS_ASSIGN_OR_RETURN(found, CheckAgainstExisting(spec, ex));
      if (found) break;
    }
    if (found) continue;
    DDS_RETURN_IF_ERROR(index::ValidateIndexSpec(spec.spec));
    to_build.push_back(NormalizeSpec(spec.spec));
    existing.push_back(to_build.back().view());
  }
  if (existing.size() > kMaxIndexesPerCollection) {
    return Status(ErrorCode::kCannotCreateIndex,
                  "add index fails, too many indexes for " + MakeNamespace(ctx.db, coll) +
                      " key:" + to_build.back().view().Get("key").Object().ToShellString());
  }

  bool created = false;
  if (desc == nullptr) {
    DDS_ASSIGN_OR_RETURN(desc,
                         catalog.CreateCollection(ctx.db, coll, bson::BsonDocument(), &created));
  }
  int32_t before = static_cast<int32_t>(desc->indexes.size());
  BsonBuilder b;
  if (to_build.empty()) {
    b.AppendInt32("numIndexesBefore", before);
    b.AppendInt32("numIndexesAfter", before);
    if (created) b.AppendBool("createdCollectionAutomatically", true);
    b.AppendString("note", "all indexes already exist");
    return b.Done();
  }
  DDS_RETURN_IF_ERROR(index::BuildIndexes(ctx.engine(), ctx.db, coll, to_build));
  storage::CollectionPtr after = catalog.Lookup(ctx.db, coll);
  if (after != nullptr) {
    // $indexStats counts a new index's uses from its creation (a new collection's _id_ too).
    for (const storage::IndexDescriptor& idx : after->indexes) {
      bool is_new = created && idx.index_id == 0;
      for (const bson::BsonDocument& spec : to_build) {
        is_new = is_new || spec.view().Get("name").String() == idx.name;
      }
      if (is_new) query::ResetIndexUsage(after->id, idx.index_id);
    }
  }
  int32_t after_count = after ? static_cast<int32_t>(after->indexes.size())
                              : before + static_cast<int32_t>(to_build.size());
  b.AppendInt32("numIndexesBefore", before);
  b.AppendInt32("numIndexesAfter", after_count);
  b.AppendBool("createdCollectionAutomatically", created);
  return b.Done();
}

StatusWith<bson::BsonDocument> RunDropIndexes(CommandContext& ctx, const bson::BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(std::string coll, CollectionNameFromCommand(ctx.db, cmd));
  FieldParser p("dropIndexes", cmd);
  BsonElement index;
  DDS_RETURN_IF_ERROR(p.ReadAnyOf("index", {BsonType::kString, BsonType::kObject, BsonType::kArray},
                                  &index, Presence::kRequired));
  p.Ignore("collectionUUID");
  DDS_RETURN_IF_ERROR(p.Finish());
  std::string ns = MakeNamespace(ctx.db, coll);
  storage::Catalog& catalog = ctx.engine().catalog();
  storage::CollectionPtr desc = catalog.Lookup(ctx.db, coll);
  if (desc == nullptr) return Status(ErrorCode::kNamespaceNotFound, "ns not found " + ns);
  int32_t was = static_cast<int32_t>(desc->indexes.size());

  std::vector<std::string> to_drop;
  bool drop_all = false;
  // Indexes still being built are not waited for: their builds are aborted (their createIndexes
  // answers IndexBuildAborted), as mongod does since 4.4.
  bool aborted = false;
  if (index.type() == BsonType::kString && index.String() == "*") {
    drop_all = true;
    index::AbortIndexBuilds(ctx.engine(), desc->id, "dropIndexes command");
    desc = catalog.Lookup(ctx.db, coll);
    if (desc == nullptr) return Status(ErrorCode::kNamespaceNotFound, "ns not found " + ns);
    for (const storage::IndexDescriptor& idx : desc->indexes) {
      if (idx.name != kIdIndexName) to_drop.push_back(idx.name);
    }
  } else if (index.type() == BsonType::kString) {
    std::string name(index.String());
    if (name == kIdIndexName) return Status(ErrorCode::kInvalidOptions, "cannot drop _id index");
    if (desc->FindIndex(name) == nullptr) {
      return Status(ErrorCode::kIndexNotFound, "index not found with name [" + name + "]");
    }
    to_drop.push_back(std::move(name));
  } else if (index.type() == BsonType::kObject) {
    const storage::IndexDescriptor* match = nullptr;
    for (const storage::IndexDescriptor& idx : desc->indexes) {
      if (SameKey(idx.spec.view().Get("key").Object(), index.Object())) {
        match = &idx;
        break;
      }
    }
    if (match == nullptr) {
      return Status(ErrorCode::kIndexNotFound,
                    "can't find index with key: " + index.Object().ToShellString());
    }
    if (match->name == kIdIndexName) {
      return Status(ErrorCode::kInvalidOptions, "cannot drop _id index");
    }
    to_drop.push_back(match->name);
  } else {
    for (const BsonElement& e : index.Array()) {
      if (e.type() != BsonType::kString) {
        return WrongTypeError("dropIndexes.index", e, "string");
      }
      std::string name(e.String());
      if (name == kIdIndexName) return Status(ErrorCode::kInvalidOptions, "cannot drop _id index");
      if (desc->FindIndex(name) == nullptr) {
        return Status(ErrorCode::kIndexNotFound, "index not found with name [" + name + "]");
      }
      to_drop.push_back(std::move(name));
    }
  }
  if (!drop_all) {
    // mongod aborts a build only when every index it builds is named, and never drops part of one.
    auto in_build = std::find_if(to_drop.begin(), to_drop.end(), [&](const std::string& name) {
      return desc->FindIndex(name)->building;
    });
    if (in_build != to_drop.end()) {
      if (!index::AbortIndexBuildOf(ctx.engine(), desc->id, to_drop, "dropIndexes command")) {
        return Status(ErrorCode::kIndexNotFound,
                      "can't drop unfinished index with name: " + *in_build);
      }
      aborted = true;
    }
  }
  for (const std::string& name : to_drop) {
    Status s = index::DropIndex(ctx.engine(), ctx.db, coll, name);
    // An aborted build left nothing (or, when the abort came too late to stop its commit, a
    // ready index, dropped here).
    if (!s.ok() && !((drop_all || aborted) && s.Is(ErrorCode::kIndexNotFound))) return s;
    if (const storage::IndexDescriptor* idx = desc->FindIndex(name); idx != nullptr && s.ok()) {
      query::ForgetIndexUsage(desc->id, idx->index_id);
    }
  }
  BsonBuilder b;
  b.AppendInt32("nIndexesWas", was);
  if (drop_all) b.AppendString("msg", "non-_id indexes dropped for collection");
  return b.Done();
}

// reIndex (deprecated in mongod 6.0, standalone only there; ddsd is a standalone): rebuilds every
// index of the collection from its documents (index::RebuildIndexes: the new indexes replace the
// old ones at once, and unique ones come back tuple-keyed). Writers of the collection wait, as
// under mongod's exclusive collection lock; readers and other collections go on.
StatusWith<bson::BsonDocument> RunReIndex(CommandContext& ctx, const bson::BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(std::string coll, CollectionNameFromCommand(ctx.db, cmd));
  FieldParser p("reIndex", cmd);
  DDS_RETURN_IF_ERROR(p.Finish());
  std::string ns = MakeNamespace(ctx.db, coll);
  storage::CollectionPtr before = ctx.engine().catalog().Lookup(ctx.db, coll);
  if (before == nullptr) {
    return Status(ErrorCode::kNamespaceNotFound, "collection " + ns + " does not exist");
  }
  DDS_LOG_WARNING("COMMAND", 6508600, "The reIndex command is deprecated.", {{"namespace", ns}});
  DDS_ASSIGN_OR_RETURN(std::vector<bson::BsonDocument> specs,
                       index::RebuildIndexes(ctx.engine(), ctx.db, coll));
  for (const storage::IndexDescriptor& idx : before->indexes) {
    if (idx.index_id != 0) query::ForgetIndexUsage(before->id, idx.index_id);
  }
  BsonBuilder b;
  b.AppendInt32("nIndexesWas", static_cast<int32_t>(before->indexes.size()));
  b.AppendInt32("nIndexes", static_cast<int32_t>(specs.size()));
  b.StartArray("indexes");
  for (size_t i = 0; i < specs.size(); ++i) b.AppendDocument(bson::IndexName(i), specs[i]);
  b.End();
  return b.Done();
}

}  // namespace dds::commands
