#include "wire/request.h"

#include <array>
#include <utility>

#include "wire/op_msg.h"
#include "wire/op_query.h"

namespace dds::wire {
namespace {

// Compat §1.5: clients never compress these, and the server does not compress their replies.
constexpr std::array<std::string_view, 13> kCompressionExempt = {"hello",
                                                                 "isMaster",
                                                                 "ismaster",
                                                                 "saslStart",
                                                                 "saslContinue",
                                                                 "getnonce",
                                                                 "authenticate",
                                                                 "createUser",
                                                                 "updateUser",
                                                                 "copydbSaslStart",
                                                                 "copydbgetnonce",
                                                                 "copydb",
                                                                 "speculativeAuthenticate"};

ParsedRequest Fail(ParsedRequest p, Status status, ErrorAction action) {
  p.status = std::move(status);
  p.action = action;
  return p;
}

// Parses an uncompressed OP_MSG / OP_QUERY into `p`.
ParsedRequest ParseInner(ParsedRequest p, const char* message, size_t size, int32_t op_code) {
  switch (static_cast<OpCode>(op_code)) {
    case OpCode::kMsg: {
      p.request.op = OpCode::kMsg;
      const uint32_t flags = PeekOpMsgFlags(message, size);
      p.request.more_to_come = flags & kMsgMoreToCome;
      p.request.exhaust_allowed = flags & kMsgExhaustAllowed;
      auto msg = ParseOpMsg(message, size);
      if (!msg.ok()) {
        // A fire-and-forget request has no reply to carry the error: close instead.
        ErrorAction action = ErrorAction::kReply;
        if (msg.status().Is(ErrorCode::kIllegalOpMsgFlag)) action = ErrorAction::kReplyAndClose;
        if (p.request.more_to_come) action = ErrorAction::kClose;
        return Fail(std::move(p), msg.status(), action);
      }
      p.request.body = std::move(msg->body);
      return p;
    }
    case OpCode::kQuery: {
      p.request.op = OpCode::kQuery;
      auto query = ParseOpQuery(message, size);
      if (!query.ok()) return Fail(std::move(p), query.status(), ErrorAction::kReply);
      auto body = OpQueryToCommand(*query);
      if (!body.ok()) {
        p.query_failure = body.status().code() == kOpQueryRemovedCode;
        return Fail(std::move(p), body.status(), ErrorAction::kReply);
      }
      p.request.body = std::move(body).value();
      return p;
    }
    default:
      return Fail(
          std::move(p),
          Status(ErrorCode::kProtocolError, "Unsupported opcode " + OpCodeName(op_code) +
                                                "; legacy opcodes were removed in MongoDB 6.0"),
          ErrorAction::kClose);
  }
}

}  // namespace

std::string_view Request::command_name() const {
  return body.empty() ? std::string_view() : body.view().FirstElement().field_name();
}

ParsedRequest ParseRequest(const char* message, size_t size) {
  ParsedRequest p;
  if (size < kHeaderSize) {
    return Fail(std::move(p), Status(ErrorCode::kProtocolError, "message shorter than its header"),
                ErrorAction::kClose);
  }
  auto header = ParseHeader(message);
  if (!header.ok()) return Fail(std::move(p), header.status(), ErrorAction::kClose);
  p.request.header = *header;
  if (static_cast<size_t>(header->message_length) != size) {
    return Fail(std::move(p),
                Status(ErrorCode::kProtocolError,
                       "messageLength " + std::to_string(header->message_length) +
                           " does not match the " + std::to_string(size) + " bytes received"),
                ErrorAction::kClose);
  }
  if (header->op_code != static_cast<int32_t>(OpCode::kCompressed)) {
    return ParseInner(std::move(p), message, size, header->op_code);
  }
  auto inner = DecompressMessage(message, size);
  if (!inner.ok()) return Fail(std::move(p), inner.status(), ErrorAction::kClose);
  p.request.compressor = inner->compressor;
  const std::string& m = inner->message;
  return ParseInner(std::move(p), m.data(), m.size(), LoadLE<int32_t>(m.data() + 12));
}

bool IsCompressionExempt(std::string_view command_name) {
  for (std::string_view c : kCompressionExempt) {
    if (c == command_name) return true;
  }
  return false;
}

std::string EncodeReply(const Request& request, const bson::BsonView& reply) {
  std::string out = request.op == OpCode::kQuery ? EncodeOpReply(reply, request.header.request_id)
                                                 : EncodeOpMsg(reply, request.header.request_id);
  if (request.compressor && !IsCompressionExempt(request.command_name())) {
    out = CompressMessage(out, *request.compressor);
  }
  return out;
}

std::string EncodeErrorReply(const ParsedRequest& parsed, const bson::BsonView& error_body) {
  if (parsed.query_failure) {
    return EncodeQueryFailure(parsed.status, parsed.request.header.request_id);
  }
  return EncodeReply(parsed.request, error_body);
}

}  // namespace dds::wire
