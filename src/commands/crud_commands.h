// The CRUD command family (compat §2.2, §2.6-§2.8): insert, update, delete, find,
// findAndModify, count, distinct and aggregate. Each handler parses its request with mongod's IDL
// errors, runs it against the storage engine, and returns the reply body without `ok`.
//
// Handlers are stateless and may run concurrently on different threads.
#pragma once

#include "bson/document.h"
#include "common/status.h"  // before command.h: dispatch.h names dds::Status
#include "commands/command.h"

namespace dds::commands {

// insert: {insert, documents, ordered, ...} -> {n, writeErrors?, writeConcernError?}.
StatusWith<bson::BsonDocument> RunInsert(CommandContext& ctx, const bson::BsonView& cmd);
// update: {update, updates: [{q, u, upsert, multi, arrayFilters, ...}], ordered, let}
//   -> {n, writeErrors?, upserted?, nModified}.
StatusWith<bson::BsonDocument> RunUpdate(CommandContext& ctx, const bson::BsonView& cmd);
// delete: {delete, deletes: [{q, limit, ...}], ordered, let} -> {n, writeErrors?}.
StatusWith<bson::BsonDocument> RunDelete(CommandContext& ctx, const bson::BsonView& cmd);
// find: cursor reply {cursor: {firstBatch, id, ns}}.
StatusWith<bson::BsonDocument> RunFind(CommandContext& ctx, const bson::BsonView& cmd);
// findAndModify / findandmodify: {lastErrorObject, value}.
StatusWith<bson::BsonDocument> RunFindAndModify(CommandContext& ctx, const bson::BsonView& cmd);
// count: {n}.
StatusWith<bson::BsonDocument> RunCount(CommandContext& ctx, const bson::BsonView& cmd);
// distinct: {values}.
StatusWith<bson::BsonDocument> RunDistinct(CommandContext& ctx, const bson::BsonView& cmd);
// aggregate: cursor reply; `aggregate: 1` answers a clear error for collection-less stages.
StatusWith<bson::BsonDocument> RunAggregate(CommandContext& ctx, const bson::BsonView& cmd);

}  // namespace dds::commands
