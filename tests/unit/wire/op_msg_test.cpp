#include "wire/op_msg.h"

#include "bson/bson.h"
#include "test_util.h"
#include "wire_test_util.h"

namespace dds::wire {
namespace {

using bson::FromJson;
using namespace testing;

TEST(OpMsg, ParsesBodyOnly) {
  std::string m = OpMsg(FromJson(R"({"ping": 1, "$db": "admin"})"));
  auto req = ParseOpMsg(m.data(), m.size());
  ASSERT_OK(req);
  EXPECT_EQ(req->flags, 0u);
  EXPECT_EQ(req->body.ToJson(), FromJson(R"({"ping": 1, "$db": "admin"})").ToJson());
}

TEST(OpMsg, FoldsDocumentSequencesIntoTheBody) {
  std::string m = StartMessage(OpCode::kMsg);
  AppendLE<uint32_t>(&m, 0);
  AppendSequence(&m, "documents", {FromJson(R"({"_id": 1})"), FromJson(R"({"_id": 2})")});
  AppendBody(&m, FromJson(R"({"insert": "c", "$db": "test"})"));
  AppendSequence(&m, "other", {});
  m = Finish(std::move(m));
  auto req = ParseOpMsg(m.data(), m.size());
  ASSERT_OK(req);
  EXPECT_EQ(req->body.ToJson(),
            FromJson(R"({"insert": "c", "$db": "test", "documents": [{"_id": 1}, {"_id": 2}],
                         "other": []})")
                .ToJson());
}

TEST(OpMsg, VerifiesChecksum) {
  std::string m = WithChecksum(OpMsg(FromJson(R"({"ping": 1, "$db": "a"})"), kMsgChecksumPresent));
  auto good = ParseOpMsg(m.data(), m.size());
  ASSERT_OK(good);
  EXPECT_TRUE(good->checksum_present());
  m[m.size() - 1] ^= 1;
  EXPECT_CODE(ParseOpMsg(m.data(), m.size()), ErrorCode::kChecksumMismatch);
  // Checksum flag without room for a checksum.
  std::string shorty = Finish(StartMessage(OpCode::kMsg) + std::string("\x01\0\0\0", 4));
  EXPECT_CODE(ParseOpMsg(shorty.data(), shorty.size()), ErrorCode::kProtocolError);
}

TEST(OpMsg, RejectsUnknownRequiredFlagsAndIgnoresOptionalOnes) {
  auto body = FromJson(R"({"ping": 1, "$db": "a"})");
  for (int bit = 2; bit < 16; ++bit) {
    std::string m = OpMsg(body, 1u << bit);
    EXPECT_EQ(ParseOpMsg(m.data(), m.size()).status().code(), 223) << bit;
  }
  std::string m = OpMsg(body, 1u << 17 | 1u << 31);
  EXPECT_OK(ParseOpMsg(m.data(), m.size()));
}

TEST(OpMsg, SurfacesMoreToComeAndExhaustAllowed) {
  std::string m =
      OpMsg(FromJson(R"({"ping": 1, "$db": "a"})"), kMsgMoreToCome | kMsgExhaustAllowed);
  auto req = ParseOpMsg(m.data(), m.size());
  ASSERT_OK(req);
  EXPECT_TRUE(req->more_to_come());
  EXPECT_TRUE(req->exhaust_allowed());
  EXPECT_FALSE(req->checksum_present());
}

TEST(OpMsg, RejectsStructuralErrors) {
  auto body = FromJson(R"({"insert": "c", "$db": "a"})");
  {
    std::string m = StartMessage(OpCode::kMsg);
    AppendLE<uint32_t>(&m, 0);
    AppendBody(&m, body);
    AppendBody(&m, body);
    m = Finish(std::move(m));
    EXPECT_EQ(ParseOpMsg(m.data(), m.size()).status().code(), 40430);
  }
  {
    std::string m = Finish(StartMessage(OpCode::kMsg) + std::string(4, '\0'));
    EXPECT_EQ(ParseOpMsg(m.data(), m.size()).status().code(), 40587);
  }
  {
    std::string m = StartMessage(OpCode::kMsg);
    AppendLE<uint32_t>(&m, 0);
    AppendSequence(&m, "documents", {});
    AppendSequence(&m, "documents", {});
    AppendBody(&m, body);
    m = Finish(std::move(m));
    EXPECT_EQ(ParseOpMsg(m.data(), m.size()).status().code(), 40431);
  }
  {
    std::string m = StartMessage(OpCode::kMsg);
    AppendLE<uint32_t>(&m, 0);
    AppendSequence(&m, "insert", {});
    AppendBody(&m, body);
    m = Finish(std::move(m));
    EXPECT_EQ(ParseOpMsg(m.data(), m.size()).status().code(), 40433);
  }
  {
    std::string m = StartMessage(OpCode::kMsg);
    AppendLE<uint32_t>(&m, 0);
    AppendSequence(&m, "a", {});
    AppendSequence(&m, "b", {});
    AppendSequence(&m, "c", {});
    AppendBody(&m, body);
    m = Finish(std::move(m));
    EXPECT_CODE(ParseOpMsg(m.data(), m.size()), ErrorCode::kTooManyDocumentSequences);
  }
  {
    std::string m = StartMessage(OpCode::kMsg);
    AppendLE<uint32_t>(&m, 0);
    m.push_back('\2');
    m = Finish(std::move(m));
    EXPECT_EQ(ParseOpMsg(m.data(), m.size()).status().code(), 40432);
  }
}

TEST(OpMsg, RejectsInvalidBson) {
  std::string m = OpMsg(FromJson(R"({"ping": 1, "$db": "a"})"));
  m[kHeaderSize + 4 + 1 + 4] = 0x55;  // unknown type byte of the first element
  EXPECT_CODE(ParseOpMsg(m.data(), m.size()), ErrorCode::kInvalidBSON);
  // A body whose length overruns the message.
  std::string t = OpMsg(FromJson(R"({"ping": 1})"));
  StoreLE<int32_t>(t.data() + kHeaderSize + 5, 1000);
  EXPECT_CODE(ParseOpMsg(t.data(), t.size()), ErrorCode::kInvalidBSON);
  // Invalid document inside a sequence.
  std::string s = StartMessage(OpCode::kMsg);
  AppendLE<uint32_t>(&s, 0);
  AppendBody(&s, FromJson(R"({"insert": "c", "$db": "a"})"));
  s.push_back('\1');
  AppendLE<int32_t>(&s, 4 + 2 + 5);
  s.append("d\0", 2);
  s.append("\x05\0\0\0\x01", 5);  // not NUL-terminated
  s = Finish(std::move(s));
  EXPECT_CODE(ParseOpMsg(s.data(), s.size()), ErrorCode::kInvalidBSON);
}

TEST(OpMsg, RejectsDeepNesting) {
  // Built by hand: FromJson may itself limit depth.
  bson::BsonBuilder b;
  for (int i = 0; i < 400; ++i) b.StartDocument("a");
  b.AppendInt32("x", 1);
  for (int i = 0; i < 400; ++i) b.End();
  std::string m = OpMsg(b.Done());
  EXPECT_CODE(ParseOpMsg(m.data(), m.size()), ErrorCode::kInvalidBSON);
}

TEST(OpMsg, RejectsLyingSequenceSize) {
  for (int32_t size : {-5, 0, 4, 1000}) {
    std::string m = StartMessage(OpCode::kMsg);
    AppendLE<uint32_t>(&m, 0);
    AppendBody(&m, FromJson(R"({"insert": "c", "$db": "a"})"));
    m.push_back('\1');
    AppendLE<int32_t>(&m, size);
    m.append("documents", 10);
    m = Finish(std::move(m));
    EXPECT_EQ(ParseOpMsg(m.data(), m.size()).status().code(), 17) << size;
  }
}

TEST(OpMsg, EncodesReplyWithoutChecksum) {
  auto body = FromJson(R"({"ok": 1.0})");
  std::string m = EncodeOpMsg(body, 42);
  ASSERT_EQ(m.size(), kHeaderSize + 5 + body.bytes().size());
  auto h = ParseHeader(m.data());
  ASSERT_OK(h);
  EXPECT_EQ(h->message_length, static_cast<int32_t>(m.size()));
  EXPECT_EQ(h->response_to, 42);
  EXPECT_EQ(h->op_code, 2013);
  EXPECT_EQ(PeekOpMsgFlags(m.data(), m.size()), 0u);
  auto back = ParseOpMsg(m.data(), m.size());
  ASSERT_OK(back);
  EXPECT_TRUE(back->body.view().BinaryEqual(body.view()));
}

}  // namespace
}  // namespace dds::wire
