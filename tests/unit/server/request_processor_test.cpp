#include "server/request_processor.h"

#include "bson/bson.h"
#include "fake_runner.h"
#include "test_util.h"
#include "wire/compression.h"
#include "wire/message.h"
#include "wire/op_msg.h"
#include "wire/op_query.h"

namespace dds::server {
namespace {

using bson::FromJson;
using testing::FakeRunner;

std::string OpMsg(std::string_view json, uint32_t flags = 0) {
  auto doc = FromJson(json);
  std::string m = wire::EncodeOpMsg(doc, 0, flags);
  wire::StoreLE<int32_t>(m.data() + 4, 123);  // requestID
  return m;
}

std::string OpQuery(std::string_view ns, std::string_view json, int32_t n = -1) {
  std::string m;
  wire::AppendHeader(&m, wire::MessageHeader{0, 321, 0, 2004});
  wire::AppendLE<int32_t>(&m, 0);
  m.append(ns);
  m.push_back('\0');
  wire::AppendLE<int32_t>(&m, 0);
  wire::AppendLE<int32_t>(&m, n);
  m.append(FromJson(json).bytes());
  wire::StoreLE<int32_t>(m.data(), static_cast<int32_t>(m.size()));
  return m;
}

bson::BsonView MsgBody(const std::string& reply) {
  EXPECT_EQ(wire::LoadLE<int32_t>(reply.data() + 12), 2013);
  return bson::BsonView(reply.data() + 21);
}

struct Fixture {
  FakeRunner runner;
  commands::ClientState client;
  ProcessResult Process(const std::string& m) {
    return ProcessMessage(runner, client, m.data(), m.size());
  }
};

TEST(RequestProcessor, RunsOpMsgAndEchoesRequestId) {
  Fixture f;
  auto r = f.Process(OpMsg(R"({"ping": 1, "$db": "admin"})"));
  EXPECT_FALSE(r.close);
  ASSERT_FALSE(r.reply.empty());
  EXPECT_EQ(wire::LoadLE<int32_t>(r.reply.data() + 8), 123);
  EXPECT_EQ(MsgBody(r.reply)["echo"].String(), "ping");
  EXPECT_FALSE(f.runner.infos.at(0).legacy_op_query);
}

TEST(RequestProcessor, MoreToComeSendsNothing) {
  Fixture f;
  auto r = f.Process(OpMsg(R"({"endSessions": [], "$db": "admin"})", wire::kMsgMoreToCome));
  EXPECT_TRUE(r.reply.empty());
  EXPECT_FALSE(r.close);
  EXPECT_EQ(f.runner.runs, 1);
  EXPECT_TRUE(f.runner.infos.at(0).more_to_come);
}

TEST(RequestProcessor, OpQueryHandshake) {
  Fixture f;
  auto r = f.Process(OpQuery("admin.$cmd", R"({"ismaster": 1})"));
  ASSERT_FALSE(r.reply.empty());
  EXPECT_EQ(wire::LoadLE<int32_t>(r.reply.data() + 12), 1);
  EXPECT_EQ(wire::LoadLE<int32_t>(r.reply.data() + 8), 321);
  bson::BsonView body(r.reply.data() + 36);
  EXPECT_EQ(body["echo"].String(), "ismaster");
  EXPECT_EQ(body["db"].String(), "admin");
  EXPECT_TRUE(f.runner.infos.at(0).legacy_op_query);
}

TEST(RequestProcessor, OpQueryRuleViolationsAreReplies) {
  Fixture f;
  auto r = f.Process(OpQuery("admin.$cmd", R"({"find": "c"})"));
  ASSERT_FALSE(r.reply.empty());
  bson::BsonView body(r.reply.data() + 36);
  EXPECT_EQ(body["code"].Int32(), 352);
  EXPECT_EQ(f.runner.runs, 0);
  auto legacy = f.Process(OpQuery("test.coll", "{}"));
  EXPECT_EQ(wire::LoadLE<int32_t>(legacy.reply.data() + 16), wire::kReplyQueryFailure);
  EXPECT_FALSE(legacy.close);
}

TEST(RequestProcessor, InvalidBsonGetsErrorReply) {
  Fixture f;
  std::string m = OpMsg(R"({"ping": 1, "$db": "admin"})");
  m[wire::kHeaderSize + 5 + 4] = 0x66;
  auto r = f.Process(m);
  EXPECT_FALSE(r.close);
  EXPECT_EQ(MsgBody(r.reply)["code"].Int32(), 22);
  EXPECT_EQ(MsgBody(r.reply)["codeName"].String(), "InvalidBSON");
  EXPECT_EQ(f.runner.runs, 0);
}

TEST(RequestProcessor, IllegalFlagRepliesThenCloses) {
  Fixture f;
  auto r = f.Process(OpMsg(R"({"ping": 1, "$db": "admin"})", 1u << 3));
  EXPECT_TRUE(r.close);
  EXPECT_EQ(MsgBody(r.reply)["code"].Int32(), 223);
}

TEST(RequestProcessor, LegacyOpcodeCloses) {
  Fixture f;
  std::string m;
  wire::AppendHeader(&m, wire::MessageHeader{16 + 20, 1, 0, 2002});
  m.append(20, '\0');
  auto r = f.Process(m);
  EXPECT_TRUE(r.close);
  EXPECT_TRUE(r.reply.empty());
}

TEST(RequestProcessor, CompressedRoundTrip) {
  Fixture f;
  std::string m =
      wire::CompressMessage(OpMsg(R"({"find": "c", "$db": "test"})"), wire::Compressor::kSnappy);
  auto r = f.Process(m);
  ASSERT_EQ(wire::LoadLE<int32_t>(r.reply.data() + 12), 2012);
  auto inner = wire::DecompressMessage(r.reply.data(), r.reply.size());
  ASSERT_OK(inner);
  EXPECT_EQ(MsgBody(inner->message)["echo"].String(), "find");
}

}  // namespace
}  // namespace dds::server
