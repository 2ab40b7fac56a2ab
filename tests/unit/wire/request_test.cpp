#include "wire/request.h"

#include "bson/bson.h"
#include "test_util.h"
#include "wire/op_msg.h"
#include "wire/op_query.h"
#include "wire_test_util.h"

namespace dds::wire {
namespace {

using bson::FromJson;
using namespace testing;

ParsedRequest Parse(const std::string& m) { return ParseRequest(m.data(), m.size()); }

TEST(Request, ParsesOpMsg) {
  auto p = Parse(OpMsg(FromJson(R"({"ping": 1, "$db": "admin"})"), kMsgMoreToCome));
  ASSERT_OK(p.status);
  EXPECT_EQ(p.action, ErrorAction::kNone);
  EXPECT_EQ(p.request.op, OpCode::kMsg);
  EXPECT_EQ(p.request.command_name(), "ping");
  EXPECT_TRUE(p.request.more_to_come);
  EXPECT_EQ(p.request.header.request_id, 7);
}

TEST(Request, ParsesOpQueryHandshake) {
  auto p = Parse(OpQuery("admin.$cmd", FromJson(R"({"isMaster": 1})")));
  ASSERT_OK(p.status);
  EXPECT_EQ(p.request.op, OpCode::kQuery);
  EXPECT_EQ(p.request.body.view()["$db"].String(), "admin");
  std::string reply = EncodeReply(p.request, FromJson(R"({"ok": 1.0})"));
  EXPECT_EQ(LoadLE<int32_t>(reply.data() + 12), 1);
  EXPECT_EQ(LoadLE<int32_t>(reply.data() + 8), 7);
}

TEST(Request, OpQueryErrorsAreReplies) {
  auto p = Parse(OpQuery("test.coll", FromJson(R"({"a": 1})")));
  EXPECT_EQ(p.action, ErrorAction::kReply);
  EXPECT_TRUE(p.query_failure);
  std::string reply = EncodeErrorReply(p, FromJson("{}"));
  EXPECT_EQ(LoadLE<int32_t>(reply.data() + 16), kReplyQueryFailure);

  auto q = Parse(OpQuery("admin.$cmd", FromJson(R"({"find": "c"})")));
  EXPECT_EQ(q.action, ErrorAction::kReply);
  EXPECT_FALSE(q.query_failure);
  EXPECT_CODE(q.status, ErrorCode::kUnsupportedOpQueryCommand);
}

TEST(Request, LegacyAndUnknownOpcodesClose) {
  for (OpCode op : {OpCode::kInsert, OpCode::kUpdate, OpCode::kDelete, OpCode::kGetMore,
                    OpCode::kKillCursors, OpCode::kReply, OpCode::kCommand}) {
    std::string m = Finish(StartMessage(op) + std::string(20, '\0'));
    auto p = Parse(m);
    EXPECT_EQ(p.action, ErrorAction::kClose) << static_cast<int>(op);
  }
  std::string m = Finish(StartMessage(static_cast<OpCode>(12345)));
  EXPECT_EQ(Parse(m).action, ErrorAction::kClose);
}

TEST(Request, LengthMustMatch) {
  std::string m = OpMsg(FromJson(R"({"ping": 1, "$db": "admin"})"));
  EXPECT_EQ(ParseRequest(m.data(), m.size() - 1).action, ErrorAction::kClose);
  EXPECT_EQ(ParseRequest(m.data(), 10).action, ErrorAction::kClose);
}

TEST(Request, BadOpMsgRepliesOrCloses) {
  auto body = FromJson(R"({"ping": 1, "$db": "admin"})");
  EXPECT_EQ(Parse(OpMsg(body, 1u << 5)).action, ErrorAction::kReplyAndClose);
  std::string bad = OpMsg(body);
  bad[kHeaderSize + 5 + 4] = 0x55;
  auto p = Parse(bad);
  EXPECT_EQ(p.action, ErrorAction::kReply);
  EXPECT_CODE(p.status, ErrorCode::kInvalidBSON);
  // The same with moreToCome: nothing can carry the error.
  std::string bad_w0 = OpMsg(body, kMsgMoreToCome);
  bad_w0[kHeaderSize + 5 + 4] = 0x55;
  EXPECT_EQ(Parse(bad_w0).action, ErrorAction::kClose);
}

TEST(Request, CompressedRequestGetsCompressedReply) {
  std::string inner = OpMsg(FromJson(R"({"find": "c", "$db": "test"})"));
  auto p = Parse(CompressMessage(inner, Compressor::kZstd));
  ASSERT_OK(p.status);
  ASSERT_TRUE(p.request.compressor.has_value());
  EXPECT_EQ(*p.request.compressor, Compressor::kZstd);
  EXPECT_EQ(p.request.command_name(), "find");
  auto reply_body = FromJson(R"({"ok": 1.0})");
  std::string reply = EncodeReply(p.request, reply_body);
  EXPECT_EQ(LoadLE<int32_t>(reply.data() + 12), 2012);
  auto back = DecompressMessage(reply.data(), reply.size());
  ASSERT_OK(back);
  auto msg = ParseOpMsg(back->message.data(), back->message.size());
  ASSERT_OK(msg);
  EXPECT_TRUE(msg->body.view().BinaryEqual(reply_body.view()));
}

TEST(Request, HelloRepliesAreNeverCompressed) {
  std::string inner = OpMsg(FromJson(R"({"hello": 1, "$db": "admin"})"));
  auto p = Parse(CompressMessage(inner, Compressor::kSnappy));
  ASSERT_OK(p.status);
  std::string reply = EncodeReply(p.request, FromJson(R"({"ok": 1.0})"));
  EXPECT_EQ(LoadLE<int32_t>(reply.data() + 12), 2013);
}

TEST(Request, BrokenCompressionCloses) {
  std::string inner = OpMsg(FromJson(R"({"find": "c", "$db": "test"})"));
  std::string m = CompressMessage(inner, Compressor::kZlib);
  m[m.size() - 3] ^= 0x5A;
  EXPECT_EQ(Parse(m).action, ErrorAction::kClose);
}

}  // namespace
}  // namespace dds::wire

namespace dds::wire {
namespace {

using bson::FromJson;
using namespace testing;

TEST(Request, EveryTruncationFailsCleanly) {
  std::vector<std::string> messages = {
      OpMsg(FromJson(R"({"ping": 1, "$db": "admin", "x": {"y": [1, 2, "three"]}})")),
      OpQuery("admin.$cmd", FromJson(R"({"isMaster": 1, "client": {"a": "b"}})")),
      CompressMessage(OpMsg(FromJson(R"({"find": "c", "$db": "t"})")), Compressor::kZlib),
      CompressMessage(OpMsg(FromJson(R"({"find": "c", "$db": "t"})")), Compressor::kSnappy),
      CompressMessage(OpMsg(FromJson(R"({"find": "c", "$db": "t"})")), Compressor::kZstd),
  };
  for (const std::string& full : messages) {
    ASSERT_OK(ParseRequest(full.data(), full.size()).status);
    for (size_t cut = kHeaderSize; cut < full.size(); ++cut) {
      // A shorter message whose header tells the truth about its (truncated) length.
      std::string m = full.substr(0, cut);
      StoreLE<int32_t>(m.data(), static_cast<int32_t>(cut));
      ParsedRequest p = ParseRequest(m.data(), m.size());
      EXPECT_FALSE(p.status.ok()) << cut;
      EXPECT_NE(p.action, ErrorAction::kNone) << cut;
    }
  }
}

TEST(Request, OversizedDocumentsAreRejected) {
  // A body over 16 MiB + 16 KiB.
  std::string m = OpMsg([] {
    bson::BsonBuilder b;
    b.AppendInt32("insert", 1);
    b.AppendString("pad", std::string(bson::kMaxBsonInternalSize, 'x'));
    return b.Done();
  }());
  EXPECT_CODE(ParseRequest(m.data(), m.size()).status, ErrorCode::kBSONObjectTooLarge);

  // A sequence document over 16 MiB (the body itself is small).
  bson::BsonBuilder doc;
  doc.AppendString("s", std::string(bson::kMaxBsonObjectSize, 'y'));
  std::string s = StartMessage(OpCode::kMsg);
  AppendLE<uint32_t>(&s, 0);
  AppendBody(&s, FromJson(R"({"insert": "c", "$db": "t"})"));
  AppendSequence(&s, "documents", {doc.Done()});
  s = Finish(std::move(s));
  auto seq = ParseRequest(s.data(), s.size());
  EXPECT_CODE(seq.status, ErrorCode::kBSONObjectTooLarge);
  EXPECT_EQ(seq.action, ErrorAction::kReply);

  // A 16 MiB document in a sequence is fine.
  bson::BsonBuilder ok_doc;
  ok_doc.AppendString("s", std::string(bson::kMaxBsonObjectSize - 100, 'z'));
  std::string ok = StartMessage(OpCode::kMsg);
  AppendLE<uint32_t>(&ok, 0);
  AppendBody(&ok, FromJson(R"({"insert": "c", "$db": "t"})"));
  AppendSequence(&ok, "documents", {ok_doc.Done()});
  ok = Finish(std::move(ok));
  EXPECT_OK(ParseRequest(ok.data(), ok.size()).status);
}

TEST(Request, OpMsgFlagsSurfaceThroughCompression) {
  std::string inner =
      OpMsg(FromJson(R"({"insert": "c", "$db": "t"})"), kMsgMoreToCome | kMsgExhaustAllowed);
  auto p = ParseRequest(CompressMessage(inner, Compressor::kNoop).data(),
                        CompressMessage(inner, Compressor::kNoop).size());
  ASSERT_OK(p.status);
  EXPECT_TRUE(p.request.more_to_come);
  EXPECT_TRUE(p.request.exhaust_allowed);
}

}  // namespace
}  // namespace dds::wire
