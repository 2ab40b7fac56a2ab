// The wire layer's front door: one whole message in -> a command Request (or an error and what
// to do about it); a reply body out -> the bytes to send, in the request's protocol (OP_MSG or
// OP_REPLY) and, when the request came compressed, with the same compressor.
//
// The wire layer knows nothing about commands: it hands out a validated body with `$db`
// present (OP_QUERY's database is added here) and encodes whatever body it is given.
// Pure functions; thread-safe; never throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bson/document.h"
#include "common/status.h"
#include "wire/compression.h"
#include "wire/message.h"

namespace dds::wire {

// What the connection does with a message that could not be turned into a command.
enum class ErrorAction {
  kNone,           // no error: run the command
  kReply,          // send an error reply (built from `status`), keep the connection
  kReplyAndClose,  // send an error reply, then close the connection
  kClose,          // no reply can be formed: log and close the connection
};

struct Request {
  // The header of the message as received (the outer one for OP_COMPRESSED).
  MessageHeader header;
  // The protocol to answer in: kMsg or kQuery (after decompression).
  OpCode op = OpCode::kMsg;
  // Set when the request arrived as OP_COMPRESSED.
  std::optional<Compressor> compressor;
  // The command: validated, sequences folded in, `$db` present.
  bson::BsonDocument body;
  bool more_to_come = false;
  bool exhaust_allowed = false;

  // Returns the command name (the body's first field name), "" when unknown.
  std::string_view command_name() const;
};

struct ParsedRequest {
  Request request;
  // OK: run request.body. Otherwise `action` says how to react.
  Status status;
  ErrorAction action = ErrorAction::kNone;
  // The error reply is the legacy {$err, code, ok: 0} with the QueryFailure flag.
  bool query_failure = false;
};

// Parses one whole message (`message` starts with its header and `size` is its
// messageLength): OP_MSG, OP_QUERY (compat §1.4 rules applied), or either inside
// OP_COMPRESSED. Legacy and unknown opcodes, bad lengths and broken compression -> kClose.
ParsedRequest ParseRequest(const char* message, size_t size);

// Returns true for commands whose replies are never compressed (hello, isMaster, sasl*, ...).
bool IsCompressionExempt(std::string_view command_name);

// Encodes `reply` as the answer to `request` (OP_MSG, or OP_REPLY for OP_QUERY; compressed
// with the request's compressor unless the command is exempt).
std::string EncodeReply(const Request& request, const bson::BsonView& reply);

// Encodes the error reply of a ParsedRequest: the legacy QueryFailure form when
// `parsed.query_failure`, otherwise `error_body` (the {ok: 0, errmsg, code, codeName} document
// the caller built from parsed.status) in the request's protocol.
std::string EncodeErrorReply(const ParsedRequest& parsed, const bson::BsonView& error_body);

}  // namespace dds::wire
