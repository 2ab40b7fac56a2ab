// Collection document validation (compat §2.2 create / §2.3 collMod: validator, validationLevel,
// validationAction), as mongod 7.0 does it:
//
//   - create/collMod check a validator with CheckValidatorOptions: any query filter, $jsonSchema
//     and $expr included; $text and $where are BadValue, $near/$nearSphere/$geoNear 5626500;
//     parse errors keep their code (collMod adds "Parsing of collection validator failed").
//   - every write path asks a WriteValidation (resolved once per command and collection) to check
//     each document before any record or index write. A failure is DocumentValidationFailure
//     (121) "Document failed validation" with errInfo {failingDocumentId, details}
//     (query/doc_validation_error.h). validationLevel "off" checks nothing, "moderate" skips
//     updates of documents that did not satisfy the validator before; validationAction "warn"
//     lets the write through and logs id 20294 "Document would fail validation".
//   - bypassDocumentValidation: true skips all of it (the command layer's authorization already
//     requires the bypassDocumentValidation action for it).
//
// A collection without a validator costs one options lookup per command and nothing per document.
// Parsed validators are cached per collection descriptor (descriptors are immutable: a collMod
// installs a new one). Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "bson/bson.h"
#include "common/status.h"
#include "storage/catalog.h"

namespace dds::query {
class MatchExpression;
}  // namespace dds::query

namespace dds::commands {

enum class ValidationLevel { kOff, kStrict, kModerate };
enum class ValidationAction { kError, kWarn };

constexpr std::string_view kValidator = "validator";
constexpr std::string_view kValidationLevel = "validationLevel";
constexpr std::string_view kValidationAction = "validationAction";
constexpr std::string_view kBypassDocumentValidation = "bypassDocumentValidation";
// The context mongod's update stage gives the errors of the documents it writes (update and
// upsert statements, $merge).
constexpr std::string_view kUpdateExecutorPrefix =
    "Plan executor error during update :: caused by :: ";

// Checks `validator` for a collection `db.coll` (create, or collMod when `coll_mod`). Errors: 72
// InvalidOptions on the admin/local/config databases and system collections; 2 BadValue for $text
// and $where, 5626500 for the near operators; any parse error of the filter. collMod's errors
// are prefixed "Parsing of collection validator failed :: caused by :: " (create's are not).
Status CheckValidatorOptions(std::string_view db, std::string_view coll,
                             const bson::BsonView& validator, bool coll_mod);

// The parsed validator of one collection with its level and action.
class CollectionValidator {
 public:
  // Returns the validator that applies to writes into `coll`, or nullptr when none does (no or
  // an empty validator, or validationLevel "off"). Cached per descriptor. A stored validator
  // that no longer parses answers its parse error on every write, as in mongod.
  static StatusWith<std::shared_ptr<const CollectionValidator>> For(
      const storage::CollectionPtr& coll);

  // Checks a new document (insert, upsert, replacement into an empty slot).
  Status CheckInsert(const bson::BsonView& doc) const;
  // Checks the result of an update of `old_doc`; under "moderate" an `old_doc` that fails the
  // validator is not checked.
  Status CheckUpdate(const bson::BsonView& old_doc, const bson::BsonView& new_doc) const;

  CollectionValidator(std::string ns, bson::BsonDocument validator,
                      std::unique_ptr<query::MatchExpression> matcher, ValidationLevel level,
                      ValidationAction action);
  ~CollectionValidator();

 private:
  bool Matches(const bson::BsonView& doc) const;
  Status Fail(const bson::BsonView& doc) const;

  std::string ns_;
  bson::BsonDocument validator_;
  std::unique_ptr<query::MatchExpression> matcher_;
  ValidationLevel level_;
  ValidationAction action_;
};

// What one write command checks against one target collection. Default: nothing.
class WriteValidation {
 public:
  WriteValidation() = default;
  // Resolves the validator of `coll` (nullptr: none) unless `bypass`.
  static StatusWith<WriteValidation> Make(const storage::CollectionPtr& coll, bool bypass);

  // Whether any document will be checked.
  bool active() const { return validator_ != nullptr; }
  Status CheckInsert(const bson::BsonView& doc) const {
    return validator_ == nullptr ? Status::OK() : validator_->CheckInsert(doc);
  }
  Status CheckUpdate(const bson::BsonView& old_doc, const bson::BsonView& new_doc) const {
    return validator_ == nullptr ? Status::OK() : validator_->CheckUpdate(old_doc, new_doc);
  }

 private:
  std::shared_ptr<const CollectionValidator> validator_;
};

}  // namespace dds::commands
