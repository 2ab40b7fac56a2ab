// libFuzzer target: whole wire messages through the wire layer, as a session would see them.
//
// The input is one message; its messageLength field is overwritten with the input size (so the
// fuzzer explores the bodies rather than the length check, which the unit tests cover). Each
// parser also runs on the bytes directly, and every successful parse is re-encoded and parsed
// again to check the round trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bson/bson.h"
#include "common/logging.h"
#include "wire/compression.h"
#include "wire/message.h"
#include "wire/op_msg.h"
#include "wire/op_query.h"
#include "wire/request.h"

namespace {

using namespace dds;

void Check(bool ok) {
  if (!ok) std::abort();
}

// A reply built from a parsed request must parse back to the same body.
void CheckReplyRoundTrip(const wire::Request& request) {
  const std::string reply = wire::EncodeReply(request, request.body.view());
  std::string plain = reply;
  if (wire::LoadLE<int32_t>(reply.data() + 12) == static_cast<int32_t>(wire::OpCode::kCompressed)) {
    auto inner = wire::DecompressMessage(reply.data(), reply.size());
    Check(inner.ok());
    plain = inner->message;
  }
  const int32_t op = wire::LoadLE<int32_t>(plain.data() + 12);
  if (op == static_cast<int32_t>(wire::OpCode::kMsg)) {
    auto msg = wire::ParseOpMsg(plain.data(), plain.size());
    Check(msg.ok());
    Check(msg->body.view().BinaryEqual(request.body.view()));
  } else {
    Check(op == static_cast<int32_t>(wire::OpCode::kReply));
    Check(plain.size() == 36 + static_cast<size_t>(request.body.size()));
    Check(std::memcmp(plain.data() + 36, request.body.bytes().data(),
                      request.body.bytes().size()) == 0);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = (dds::SetLogQuiet(true), true);
  (void)quiet;
  if (size < wire::kHeaderSize || size > static_cast<size_t>(wire::kMaxMessageSizeBytes)) {
    auto p = wire::ParseRequest(reinterpret_cast<const char*>(data), size);
    Check(!p.status.ok());
    return 0;
  }
  // An exact-size heap copy, so ASan sees any read past the message.
  std::string message(reinterpret_cast<const char*>(data), size);
  (void)wire::ParseHeader(message.data());
  wire::StoreLE<int32_t>(message.data(), static_cast<int32_t>(size));

  wire::ParsedRequest parsed = wire::ParseRequest(message.data(), message.size());
  if (parsed.status.ok()) {
    Check(parsed.action == wire::ErrorAction::kNone);
    bson::BsonView body = parsed.request.body.view();
    Check(bson::ValidateBson(body.data(), static_cast<size_t>(body.size())).ok());
    (void)body.ToJson();
    CheckReplyRoundTrip(parsed.request);
  } else {
    Check(parsed.action != wire::ErrorAction::kNone);
    if (parsed.action != wire::ErrorAction::kClose) {
      bson::BsonBuilder b;
      b.AppendDouble("ok", 0.0);
      b.AppendString("errmsg", parsed.status.reason());
      (void)wire::EncodeErrorReply(parsed, b.Done().view());
    }
  }

  // Each parser on its own, whatever the opcode says.
  (void)wire::ParseOpMsg(message.data(), message.size());
  if (auto q = wire::ParseOpQuery(message.data(), message.size()); q.ok()) {
    (void)wire::OpQueryToCommand(*q);
  }
  if (auto d = wire::DecompressMessage(message.data(), message.size()); d.ok()) {
    Check(wire::LoadLE<int32_t>(d->message.data()) == static_cast<int32_t>(d->message.size()));
  }
  return 0;
}
