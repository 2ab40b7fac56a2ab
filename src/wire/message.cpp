#include "wire/message.h"

#include <atomic>

namespace dds::wire {

std::string OpCodeName(int32_t op_code) {
  switch (static_cast<OpCode>(op_code)) {
    case OpCode::kReply:
      return "OP_REPLY";
    case OpCode::kUpdate:
      return "OP_UPDATE";
    case OpCode::kInsert:
      return "OP_INSERT";
    case OpCode::kReserved:
      return "OP_RESERVED";
    case OpCode::kQuery:
      return "OP_QUERY";
    case OpCode::kGetMore:
      return "OP_GET_MORE";
    case OpCode::kDelete:
      return "OP_DELETE";
    case OpCode::kKillCursors:
      return "OP_KILL_CURSORS";
    case OpCode::kCommand:
      return "OP_COMMAND";
    case OpCode::kCommandReply:
      return "OP_COMMANDREPLY";
    case OpCode::kCompressed:
      return "OP_COMPRESSED";
    case OpCode::kMsg:
      return "OP_MSG";
  }
  return "opcode " + std::to_string(op_code);
}

StatusWith<MessageHeader> ParseHeader(const char* data) {
  MessageHeader h;
  h.message_length = LoadLE<int32_t>(data);
  h.request_id = LoadLE<int32_t>(data + 4);
  h.response_to = LoadLE<int32_t>(data + 8);
  h.op_code = LoadLE<int32_t>(data + 12);
  if (h.message_length < static_cast<int32_t>(kHeaderSize) ||
      h.message_length > kMaxMessageSizeBytes) {
    // mongod: "recv(): message msgLen N is invalid. Min 16 Max: 48000000"
    return Status(ErrorCode::kProtocolError, "recv(): message msgLen " +
                                                 std::to_string(h.message_length) +
                                                 " is invalid. Min " + std::to_string(kHeaderSize) +
                                                 " Max: " + std::to_string(kMaxMessageSizeBytes));
  }
  return h;
}

void AppendHeader(std::string* out, const MessageHeader& header) {
  AppendLE<int32_t>(out, header.message_length);
  AppendLE<int32_t>(out, header.request_id);
  AppendLE<int32_t>(out, header.response_to);
  AppendLE<int32_t>(out, header.op_code);
}

int32_t NextRequestId() {
  static std::atomic<int32_t> next{1};
  int32_t id = next.fetch_add(1, std::memory_order_relaxed);
  if (id <= 0) {  // wrapped: restart at 1 (ids only need to differ from recent ones)
    next.store(2, std::memory_order_relaxed);
    id = 1;
  }
  return id;
}

bool Reader::ReadCString(std::string_view* out) {
  const void* nul = std::memchr(pos_, '\0', remaining());
  if (nul == nullptr) return false;
  const char* z = static_cast<const char*>(nul);
  *out = std::string_view(pos_, static_cast<size_t>(z - pos_));
  pos_ = z + 1;
  return true;
}

}  // namespace dds::wire
