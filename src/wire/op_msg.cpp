#include "wire/op_msg.h"

#include <string_view>
#include <utility>
#include <vector>

#include "bson/bson_types.h"
#include "bson/builder.h"
#include "bson/validate.h"
#include "wire/crc32c.h"
#include "wire/message.h"

namespace dds::wire {
namespace {

// Known flags; other bits in the low 16 are "required" and make the message illegal.
constexpr uint32_t kSupportedFlags = kMsgChecksumPresent | kMsgMoreToCome;
constexpr uint32_t kRequiredFlagMask = 0xFFFF;

struct Sequence {
  std::string_view identifier;
  std::vector<const char*> documents;  // validated, inside the message buffer
  size_t bytes = 0;                    // the section's size, a bound for the folded array
};

std::string ToBinaryString(uint32_t flags) {
  std::string s(32, '0');
  for (int i = 0; i < 32; ++i) {
    if (flags & (1u << (31 - i))) s[static_cast<size_t>(i)] = '1';
  }
  return s;
}

// Validates one document at the reader position of at most `limit` bytes and advances.
Status ReadDocument(Reader* r, int32_t limit, const char** out) {
  size_t size = 0;
  DDS_RETURN_IF_ERROR(
      bson::ValidateBson(r->pos(), r->remaining(), bson::kMaxBsonDepth + 50, &size));
  if (size > static_cast<size_t>(limit)) {
    return Status(ErrorCode::kBSONObjectTooLarge, "BSONObj size: " + std::to_string(size) +
                                                      " is invalid. Size must be between 0 and " +
                                                      std::to_string(limit));
  }
  *out = r->pos();
  r->Skip(size);
  return Status::OK();
}

}  // namespace

uint32_t PeekOpMsgFlags(const char* message, size_t size) {
  if (size < kHeaderSize + 4) return 0;
  return LoadLE<uint32_t>(message + kHeaderSize);
}

StatusWith<OpMsgRequest> ParseOpMsg(const char* message, size_t size) {
  Reader r(message + kHeaderSize, size - kHeaderSize);
  OpMsgRequest req;
  if (!r.Read(&req.flags)) {
    return Status(ErrorCode::kProtocolError, "OP_MSG is too short to hold its flagBits");
  }
  if ((req.flags & ~kSupportedFlags & kRequiredFlagMask) != 0) {
    return Status(ErrorCode::kIllegalOpMsgFlag,
                  "Message contains illegal flags value: Ob" + ToBinaryString(req.flags));
  }
  size_t sections_size = r.remaining();
  if (req.checksum_present()) {
    if (sections_size < 4) {
      return Status(ErrorCode::kProtocolError, "OP_MSG is too short to hold its checksum");
    }
    sections_size -= 4;
    uint32_t expected = LoadLE<uint32_t>(message + size - 4);
    if (Crc32c(message, size - 4) != expected) {
      return Status(ErrorCode::kChecksumMismatch, "OP_MSG checksum does not match contents");
    }
  }

  Reader sections(r.pos(), sections_size);
  const char* body = nullptr;
  std::vector<Sequence> sequences;
  while (!sections.at_end()) {
    uint8_t kind = 0;
    sections.Read(&kind);
    if (kind == 0) {
      if (body != nullptr) return Status(40430, "Multiple body sections in message");
      DDS_RETURN_IF_ERROR(ReadDocument(&sections, bson::kMaxBsonInternalSize, &body));
    } else if (kind == 1) {
      if (sequences.size() >= kMaxDocumentSequences) {
        return Status(ErrorCode::kTooManyDocumentSequences,
                      "Too many document sequences in OP_MSG");
      }
      int32_t seq_size = 0;
      if (!sections.Read(&seq_size) || seq_size < 5 ||
          static_cast<size_t>(seq_size) - 4 > sections.remaining()) {
        return Status(ErrorCode::kProtocolError,
                      "invalid OP_MSG document sequence size " + std::to_string(seq_size));
      }
      Reader seq(sections.pos(), static_cast<size_t>(seq_size) - 4);
      sections.Skip(static_cast<size_t>(seq_size) - 4);
      Sequence s;
      s.bytes = static_cast<size_t>(seq_size);
      if (!seq.ReadCString(&s.identifier)) {
        return Status(ErrorCode::kProtocolError,
                      "OP_MSG document sequence identifier is not terminated");
      }
      for (const Sequence& other : sequences) {
        if (other.identifier == s.identifier) {
          return Status(40431, "Duplicate document sequence: " + std::string(s.identifier));
        }
      }
      while (!seq.at_end()) {
        const char* doc = nullptr;
        DDS_RETURN_IF_ERROR(ReadDocument(&seq, bson::kMaxBsonObjectSize, &doc));
        s.documents.push_back(doc);
      }
      sequences.push_back(std::move(s));
    } else {
      return Status(40432, "Unknown section kind " + std::to_string(kind));
    }
  }
  if (body == nullptr) return Status(40587, "OP_MSG messages must have a body");

  bson::BsonView body_view(body);
  if (sequences.empty()) {
    req.body = bson::BsonDocument(body_view);
    return req;
  }
  for (const Sequence& s : sequences) {
    if (body_view.HasField(s.identifier)) {
      return Status(
          40433, "Duplicate field between body and document sequence " + std::string(s.identifier));
    }
  }
  size_t total = static_cast<size_t>(body_view.size());
  for (const Sequence& s : sequences) total += s.bytes + 16 * (s.documents.size() + 1);
  bson::BsonBuilder b(total);
  b.AppendElements(body_view);
  for (const Sequence& s : sequences) {
    b.StartArray(s.identifier);
    for (size_t i = 0; i < s.documents.size(); ++i) {
      b.AppendDocument(bson::IndexName(i), bson::BsonView(s.documents[i]));
    }
    b.End();
  }
  req.body = b.Done();
  return req;
}

std::string EncodeOpMsg(const bson::BsonView& body, int32_t response_to, uint32_t flags) {
  std::string out;
  const size_t len = kHeaderSize + 4 + 1 + static_cast<size_t>(body.size());
  out.reserve(len);
  AppendHeader(&out, MessageHeader{static_cast<int32_t>(len), NextRequestId(), response_to,
                                   static_cast<int32_t>(OpCode::kMsg)});
  AppendLE<uint32_t>(&out, flags);
  out.push_back('\0');  // section kind 0
  out.append(body.data(), static_cast<size_t>(body.size()));
  return out;
}

}  // namespace dds::wire
