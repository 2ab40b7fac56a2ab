#include "commands/document_validation.h"

#include <map>
#include <mutex>
#include <utility>

#include "commands/namespace_util.h"
#include "common/logging.h"
#include "query/doc_validation_error.h"
#include "query/match_parser.h"

namespace dds::commands {

namespace {

using bson::BsonElement;
using bson::BsonView;

constexpr std::string_view kParseContext = "Parsing of collection validator failed :: caused by :: ";

// mongod's validator parser leaves out $text, $where and geo near (MatchExpressionParser
// allowed features); their messages are the parser's "not allowed in this context" ones.
Status CheckAllowedOperators(const BsonView& filter, int depth);

Status CheckFieldOperators(const BsonView& ops, int depth) {
  for (const BsonElement& op : ops) {
    std::string_view name = op.field_name();
    if (name == "$near" || name == "$nearSphere" || name == "$geoNear") {
      return Status(5626500,
                    "$geoNear, $near, and $nearSphere are not allowed in this context, as these "
                    "operators require sorting geospatial data. If you do not need sort, consider "
                    "using $geoWithin instead.");
    }
    if (name == "$elemMatch" && op.IsObject()) {
      DDS_RETURN_IF_ERROR(CheckAllowedOperators(op.Object(), depth + 1));
      DDS_RETURN_IF_ERROR(CheckFieldOperators(op.Object(), depth + 1));
    } else if (name == "$not" && op.IsObject()) {
      DDS_RETURN_IF_ERROR(CheckFieldOperators(op.Object(), depth + 1));
    }
  }
  return Status::OK();
}

Status CheckAllowedOperators(const BsonView& filter, int depth) {
  if (depth > 100) return Status::OK();  // the parser reports the depth
  for (const BsonElement& e : filter) {
    std::string_view name = e.field_name();
    if (name == "$text" || name == "$where") {
      return Status(ErrorCode::kBadValue, std::string(name) + " is not allowed in this context");
    }
    if ((name == "$and" || name == "$or" || name == "$nor") && e.IsArray()) {
      for (const BsonElement& clause : e.Array()) {
        if (clause.IsObject()) DDS_RETURN_IF_ERROR(CheckAllowedOperators(clause.Object(), depth + 1));
      }
    } else if (!name.empty() && name[0] != '$' && e.IsObject()) {
      DDS_RETURN_IF_ERROR(CheckFieldOperators(e.Object(), depth + 1));
    }
  }
  return Status::OK();
}

// Parses a validator; errors carry `context` in front of the parser's message.
StatusWith<std::unique_ptr<query::MatchExpression>> ParseValidator(const BsonView& validator,
                                                                    std::string_view context) {
  DDS_RETURN_IF_ERROR(CheckAllowedOperators(validator, 0).WithPrefix(context));
  try {
    StatusWith<std::unique_ptr<query::MatchExpression>> parsed =
        query::ParseMatchExpression(validator);
    if (!parsed.ok()) return parsed.status().WithPrefix(context);
    return parsed;
  } catch (const DbException& ex) {
    return ex.status().WithPrefix(context);
  }
}

// Parsed validators by collection id, valid while the descriptor they were made from is the
// current one (a collMod or drop replaces it).
struct CacheEntry {
  std::weak_ptr<const storage::CollectionDescriptor> descriptor;
  std::shared_ptr<const CollectionValidator> validator;
};

std::mutex cache_mutex;
std::map<uint64_t, CacheEntry>& Cache() {
  static auto* cache = new std::map<uint64_t, CacheEntry>();
  return *cache;
}

}  // namespace

Status CheckValidatorOptions(std::string_view db, std::string_view coll,
                             const bson::BsonView& validator, bool coll_mod) {
  if (validator.empty()) return Status::OK();
  std::string ns = MakeNamespace(db, coll);
  if (db == "admin" || db == "local" || db == "config") {
    return Status(ErrorCode::kInvalidOptions,
                  "Document validators are not allowed on collection " + ns + " in the " +
                      std::string(db) + " internal database");
  }
  if (IsSystemCollection(coll)) {
    return Status(ErrorCode::kInvalidOptions,
                  "Document validators not allowed on system collection " + ns);
  }
  // create parses the filter directly (DatabaseImpl::userCreateNS); collMod goes through the
  // collection's parseValidator, which adds its context.
  return ParseValidator(validator, coll_mod ? kParseContext : "").status();
}

CollectionValidator::CollectionValidator(std::string ns, bson::BsonDocument validator,
                                         std::unique_ptr<query::MatchExpression> matcher,
                                         ValidationLevel level, ValidationAction action)
    : ns_(std::move(ns)),
      validator_(std::move(validator)),
      matcher_(std::move(matcher)),
      level_(level),
      action_(action) {}

CollectionValidator::~CollectionValidator() = default;

StatusWith<std::shared_ptr<const CollectionValidator>> CollectionValidator::For(
    const storage::CollectionPtr& coll) {
  if (coll == nullptr) return std::shared_ptr<const CollectionValidator>();
  const BsonView options = coll->options.view();
  // The fast path: no validator option at all.
  const BsonElement validator = options[kValidator];
  if (!validator.IsObject() || validator.Object().empty()) {
    return std::shared_ptr<const CollectionValidator>();
  }
  const BsonElement level_e = options[kValidationLevel];
  if (level_e.IsString() && level_e.String() == "off") {
    return std::shared_ptr<const CollectionValidator>();
  }
  {
    std::lock_guard<std::mutex> lock(cache_mutex);
    auto it = Cache().find(coll->id);
    if (it != Cache().end() && it->second.descriptor.lock() == coll) return it->second.validator;
  }
  DDS_ASSIGN_OR_RETURN(std::unique_ptr<query::MatchExpression> matcher,
                       ParseValidator(validator.Object(), kParseContext));
  ValidationLevel level = ValidationLevel::kStrict;
  if (level_e.IsString() && level_e.String() == "moderate") level = ValidationLevel::kModerate;
  const BsonElement action_e = options[kValidationAction];
  ValidationAction action = action_e.IsString() && action_e.String() == "warn"
                                ? ValidationAction::kWarn
                                : ValidationAction::kError;
  auto parsed = std::make_shared<const CollectionValidator>(
      coll->ns(), bson::BsonDocument(validator.Object()), std::move(matcher), level, action);
  std::lock_guard<std::mutex> lock(cache_mutex);
  std::map<uint64_t, CacheEntry>& cache = Cache();
  // Drop entries of dropped or changed collections while here.
  for (auto it = cache.begin(); it != cache.end();) {
    it = it->second.descriptor.expired() ? cache.erase(it) : std::next(it);
  }
  cache[coll->id] = CacheEntry{coll, parsed};
  return std::shared_ptr<const CollectionValidator>(parsed);
}

bool CollectionValidator::Matches(const BsonView& doc) const {
  // A validator that throws (e.g. $expr dividing by zero) fails the document, as in mongod.
  try {
    return matcher_->Matches(doc);
  } catch (const DbException&) {
    return false;
  }
}

Status CollectionValidator::Fail(const BsonView& doc) const {
  bson::BsonDocument err_info = query::GenerateValidationError(validator_, doc);
  if (action_ == ValidationAction::kWarn) {
    DDS_LOG_WARNING("STORAGE", 20294, "Document would fail validation",
                    {LogAttr("namespace", ns_), LogAttr::Json("document", doc.ToJson()),
                     LogAttr::Json("errInfo", err_info.ToJson())});
    return Status::OK();
  }
  bson::BsonBuilder extra;
  extra.AppendDocument("errInfo", err_info);
  return Status(ErrorCode::kDocumentValidationFailure, "Document failed validation",
                extra.DoneBytes());
}

Status CollectionValidator::CheckInsert(const BsonView& doc) const {
  if (Matches(doc)) return Status::OK();
  return Fail(doc);
}

Status CollectionValidator::CheckUpdate(const BsonView& old_doc, const BsonView& new_doc) const {
  if (Matches(new_doc)) return Status::OK();
  // "moderate": documents that were already invalid may stay invalid.
  if (level_ == ValidationLevel::kModerate && !Matches(old_doc)) return Status::OK();
  return Fail(new_doc);
}

StatusWith<WriteValidation> WriteValidation::Make(const storage::CollectionPtr& coll,
                                                  bool bypass) {
  WriteValidation v;
  if (bypass) return v;
  DDS_ASSIGN_OR_RETURN(v.validator_, CollectionValidator::For(coll));
  return v;
}

}  // namespace dds::commands
