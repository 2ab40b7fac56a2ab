// OP_MSG (opcode 2013, compat §1.3): parsing a request into one command body, and encoding a
// reply.
//
// ParseOpMsg validates every BSON document it hands out and folds kind-1 document sequences
// into the body as arrays named by their identifiers, so callers see one self-contained
// document. The result owns its bytes. Never throws; thread-safe (no shared state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "bson/document.h"
#include "common/status.h"

namespace dds::wire {

// flagBits (compat §1.3).
constexpr uint32_t kMsgChecksumPresent = 1u << 0;
constexpr uint32_t kMsgMoreToCome = 1u << 1;
constexpr uint32_t kMsgExhaustAllowed = 1u << 16;
// At most this many kind-1 sections per message (mongod's limit).
constexpr size_t kMaxDocumentSequences = 2;

struct OpMsgRequest {
  uint32_t flags = 0;
  // The kind-0 body with every document sequence appended as an array field.
  bson::BsonDocument body;

  bool checksum_present() const { return flags & kMsgChecksumPresent; }
  bool more_to_come() const { return flags & kMsgMoreToCome; }
  bool exhaust_allowed() const { return flags & kMsgExhaustAllowed; }
};

// Parses a whole OP_MSG message (`message` starts with the 16-byte header; `size` is its
// messageLength). Errors: IllegalOpMsgFlag 223 (unknown required flag bits 2-15),
// ChecksumMismatch 288, InvalidBSON 22, BSONObjectTooLarge 10334, TooManyDocumentSequences 233,
// 40430 (two bodies), 40431 (duplicate sequence), 40432 (unknown section kind), 40433
// (sequence also in body), 40587 (no body), ProtocolError 17 (malformed sections).
// REQUIRES: size >= 16.
StatusWith<OpMsgRequest> ParseOpMsg(const char* message, size_t size);

// Returns the flag bits of an OP_MSG message without validating anything else (0 when the
// message is too short to have them).
uint32_t PeekOpMsgFlags(const char* message, size_t size);

// Encodes an OP_MSG with one kind-0 section holding `body`; flagBits 0 (never checksumPresent),
// requestID from NextRequestId().
std::string EncodeOpMsg(const bson::BsonView& body, int32_t response_to, uint32_t flags = 0);

}  // namespace dds::wire
