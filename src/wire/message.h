// Wire message framing: the 16-byte header every MongoDB wire message starts with, the opcodes,
// the size limits of compat §1.1, and little-endian helpers shared by the wire parsers.
//
// Everything here is a pure function over caller-owned bytes; nothing throws and nothing reads
// outside the given ranges. NextRequestId() is thread-safe.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/status.h"

namespace dds::wire {

// Opcodes (compat §1.2).
enum class OpCode : int32_t {
  kReply = 1,
  kUpdate = 2001,
  kInsert = 2002,
  kReserved = 2003,
  kQuery = 2004,
  kGetMore = 2005,
  kDelete = 2006,
  kKillCursors = 2007,
  kCommand = 2010,
  kCommandReply = 2011,
  kCompressed = 2012,
  kMsg = 2013,
};

// Returns "OP_MSG", "OP_INSERT", ... or "opcode <n>".
std::string OpCodeName(int32_t op_code);

constexpr size_t kHeaderSize = 16;
// maxMessageSizeBytes: a whole message, before or after decompression.
constexpr int32_t kMaxMessageSizeBytes = 48'000'000;

struct MessageHeader {
  int32_t message_length = 0;
  int32_t request_id = 0;
  int32_t response_to = 0;
  int32_t op_code = 0;
};

// Decodes the 16 header bytes at `data` and checks the length bounds
// (16 <= messageLength <= 48,000,000); a bad length is ProtocolError (the caller closes).
// REQUIRES: `data` points at kHeaderSize readable bytes.
StatusWith<MessageHeader> ParseHeader(const char* data);

// Appends the 16-byte header to `out`.
void AppendHeader(std::string* out, const MessageHeader& header);

// Returns a fresh id for a server-originated message (process-wide, monotonic, starts at 1).
int32_t NextRequestId();

// Little-endian helpers. REQUIRES: enough readable bytes at `p`.
template <typename T>
inline T LoadLE(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;  // every supported target is little-endian
}
template <typename T>
inline void AppendLE(std::string* out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out->append(buf, sizeof(T));
}
template <typename T>
inline void StoreLE(char* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

// A bounds-checked cursor over untrusted bytes.
class Reader {
 public:
  Reader(const char* data, size_t size) : pos_(data), end_(data + size) {}
  size_t remaining() const { return static_cast<size_t>(end_ - pos_); }
  bool at_end() const { return pos_ == end_; }
  const char* pos() const { return pos_; }
  // Each returns false (consuming nothing) when too few bytes remain.
  template <typename T>
  bool Read(T* out) {
    if (remaining() < sizeof(T)) return false;
    *out = LoadLE<T>(pos_);
    pos_ += sizeof(T);
    return true;
  }
  // Reads a NUL-terminated string (the NUL is consumed, not returned).
  bool ReadCString(std::string_view* out);
  bool Skip(size_t n) {
    if (remaining() < n) return false;
    pos_ += n;
    return true;
  }

 private:
  const char* pos_;
  const char* end_;
};

}  // namespace dds::wire
