// Write helpers shared by insert, update, delete and findAndModify: preparing client documents
// for storage (compat §2.7: `_id` generation and placement, invalid `_id` types, size and depth
// limits), DuplicateKey statuses with mongod's message and extra fields, the per-statement
// writeErrors entries, and the record writes themselves (the one place where index maintenance
// hooks in).
//
// Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bson/bson.h"
#include "common/status.h"
#include "query/plan_executor.h"
#include "query/planner.h"
#include "storage/catalog.h"
#include "storage/record_store.h"

namespace dds::storage {
class Engine;
}  // namespace dds::storage

namespace dds::commands {

// The maximum number of statements in one insert/update/delete (mongod's maxWriteBatchSize).
constexpr int64_t kMaxWriteBatchSize = 100000;

// How often a statement that hit a WriteConflict (112: lock timeout or deadlock between
// concurrent writers) is retried with a fresh WriteUnit, as mongod's writeConflictRetry does.
constexpr int kMaxWriteConflictRetries = 10;

// A multi-document update or delete statement commits every this many locked records, so one
// statement never grows a transaction without bound (mongod's multi-writes are not atomic
// either). Default: 10000.
constexpr int64_t kMaxRecordsPerWriteUnit = 10000;

// A document ready to store: `view` is either the client's bytes (when nothing had to change) or
// points into `scratch`; `id` is the `_id` element inside `view`.
struct PreparedDocument {
  bson::BsonView view;
  bson::BsonElement id;
};

// Checks `doc` for insertion and fixes it up: generates an ObjectId `_id` when absent and moves
// `_id` to the first position. Errors: 2 "object to insert too large. size in bytes: N, max size:
// 16777216"; 2 when nested deeper than 100 levels; 53 for an array/regex/undefined `_id`; 2 for
// two `_id` fields. When the document must be rewritten, the new bytes go to *scratch and
// out->view points into it (so *scratch must outlive *out).
Status PrepareInsertDocument(const bson::BsonView& doc, std::string* scratch,
                             PreparedDocument* out);

// Checks a document produced by an update or replacement before it is stored: `_id` type (53),
// size (17419 for updates, "Resulting document after update is larger than 16777216"), depth.
Status ValidateUpdatedDocument(const bson::BsonView& doc);

// Returns 53 InvalidIdField when `id` is an array, regex or undefined; 52 when `_id` is an object
// with `$`-prefixed fields.
Status ValidateIdElement(const bson::BsonElement& id);

// Returns the DuplicateKey (11000) status for the `_id_` index of namespace `ns`:
// "E11000 duplicate key error collection: db.coll index: _id_ dup key: { _id: 1 }" with extra
// fields {keyPattern: {_id: 1}, keyValue: {_id: 1}}.
Status DuplicateIdError(std::string_view ns, const bson::BsonElement& id);

// Appends one writeErrors entry {index, code, <extra fields>, errmsg} as the next element of the
// open array in *builder (named `name`).
void AppendWriteError(bson::BsonBuilder* builder, std::string_view name, int32_t index,
                      const Status& status);

// Record writes for collection `coll` inside `unit`, with their secondary-index maintenance
// (index/index_maintenance.h) in the same unit. InsertRecordFor maps storage's plain DuplicateKey
// to DuplicateIdError. A failure may leave part of the writes in the unit: the caller rolls the
// statement back (save point or whole unit).
Status InsertRecordFor(storage::WriteUnit* unit, const storage::CollectionDescriptor& coll,
                       const bson::BsonElement& id, const bson::BsonView& doc);
Status UpdateRecordFor(storage::WriteUnit* unit, const storage::CollectionDescriptor& coll,
                       const bson::BsonElement& id, const bson::BsonView& old_doc,
                       const bson::BsonView& new_doc);
Status DeleteRecordFor(storage::WriteUnit* unit, const storage::CollectionDescriptor& coll,
                       const bson::BsonElement& id, const bson::BsonView& old_doc);

// Puts the planner (query/planner.h) in front of a PlanExecutor: plans `request` over the
// indexes of `coll` with spec->filter and, when an index plan wins, stores it in spec->plan
// (dropping spec->sort when the index order provides it). Validates the hint: 2 BadValue when it
// names no index. Nothing to plan for a missing collection or the `_id` point lookup.
Status ApplyIndexPlan(storage::Engine& engine, const storage::CollectionPtr& coll,
                      query::PlannerRequest request, query::PlanSpec* spec);

// Returns the collection `db.coll`, creating it (with default options) when it is missing: the
// implicit creation of insert and upserts.
StatusWith<storage::CollectionPtr> GetOrCreateCollection(storage::Engine& engine,
                                                         std::string_view db,
                                                         std::string_view coll);

// Evaluates a command's `let` document as mongod does: every value is an aggregation expression
// evaluated once, without a current document ({x: {$literal: "$a"}} binds x to the string "$a";
// {y: {$add: [1, 2]}} binds y to 3). Returns the constants, which every later consumer (match
// $expr, pipelines, pipeline updates) binds as they are. Names follow the user-variable rules
// (FailedToParse); a value that reads the document ("$a", "$$ROOT") is 4890500.
StatusWith<bson::BsonDocument> EvaluateLetVars(const bson::BsonView& let_vars);

// Formats a number the way mongod streams a double into a message ("2", "2.5", "1e+20").
std::string FormatNumberForMessage(double v);

// Checks a `collation` option: absent or {locale: "simple"} is fine; anything else answers
// 2 BadValue (collations other than simple are not supported yet, compat §3.6).
Status CheckSimpleCollation(const bson::BsonElement& collation);

// Checks a `hint`: absent, "_id_", {_id: 1}, {_id: -1} or {$natural: ±1} are accepted (the
// collection scan serves them); any other index name/pattern that exists in `coll` is accepted
// too (served by the scan); anything else answers 2 BadValue with mongod's planner message.
Status CheckHint(const bson::BsonElement& hint, const storage::CollectionDescriptor* coll);

}  // namespace dds::commands
