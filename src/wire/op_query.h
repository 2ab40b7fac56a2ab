// Legacy OP_QUERY (opcode 2004) and OP_REPLY (opcode 1), kept only for the handshake path of
// compat §1.4: `<db>.$cmd` with hello/isMaster/ismaster/saslStart/saslContinue (and
// authenticate/getnonce). Everything else gets the error mongod >= 5.1 gives.
//
// Pure functions over caller-owned bytes; results own their bytes. Never throws; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bson/document.h"
#include "common/status.h"

namespace dds::wire {

// OP_REPLY responseFlags bits.
constexpr int32_t kReplyCursorNotFound = 1;
constexpr int32_t kReplyQueryFailure = 2;
constexpr int32_t kReplyAwaitCapable = 8;

// "OP_QUERY is no longer supported" (a non-$cmd namespace); answered with EncodeQueryFailure.
constexpr int32_t kOpQueryRemovedCode = 5739101;

struct OpQueryRequest {
  int32_t flags = 0;
  std::string full_collection_name;
  int32_t number_to_skip = 0;
  int32_t number_to_return = 0;
  bson::BsonDocument query;
  std::optional<bson::BsonDocument> return_fields_selector;
};

// Parses a whole OP_QUERY message (starting with its header). Errors: ProtocolError 17
// (truncated fields, trailing bytes), InvalidBSON 22, BSONObjectTooLarge 10334.
// REQUIRES: size >= 16.
StatusWith<OpQueryRequest> ParseOpQuery(const char* message, size_t size);

// Returns true for the commands allowed over OP_QUERY (hello, isMaster, ismaster, saslStart,
// saslContinue, authenticate, getnonce).
bool IsOpQueryCommandAllowed(std::string_view command_name);

// Applies the rules of compat §1.4 and returns the command body to run: the query (unwrapped
// from {$query: ...}) with `$db` (the namespace's database) appended. Errors:
// kOpQueryRemovedCode (namespace is not `<db>.$cmd`; reply with EncodeQueryFailure),
// UnsupportedOpQueryCommand 352, 16979 (numberToReturn not 1/-1), 40621 ($db in the body),
// InvalidNamespace 73 (empty database name).
StatusWith<bson::BsonDocument> OpQueryToCommand(const OpQueryRequest& query);

// Encodes an OP_REPLY carrying the single document `doc`: cursorID 0, startingFrom 0,
// numberReturned 1, responseFlags `flags` (mongod sets AwaitCapable on command replies).
std::string EncodeOpReply(const bson::BsonView& doc, int32_t response_to,
                          int32_t flags = kReplyAwaitCapable);

// Encodes the legacy failure reply {$err: reason, code, ok: 0} with the QueryFailure flag.
std::string EncodeQueryFailure(const Status& status, int32_t response_to);

}  // namespace dds::wire
