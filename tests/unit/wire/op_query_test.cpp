#include "wire/op_query.h"

#include "bson/bson.h"
#include "test_util.h"
#include "wire_test_util.h"

namespace dds::wire {
namespace {

using bson::FromJson;
using namespace testing;

StatusWith<bson::BsonDocument> Command(std::string_view ns, std::string_view json,
                                       int32_t number_to_return = -1) {
  std::string m = OpQuery(ns, FromJson(json), number_to_return);
  auto q = ParseOpQuery(m.data(), m.size());
  if (!q.ok()) return q.status();
  return OpQueryToCommand(*q);
}

TEST(OpQuery, ParsesFields) {
  std::string m = OpQuery("admin.$cmd", FromJson(R"({"ismaster": 1})"), 1, 4);
  auto q = ParseOpQuery(m.data(), m.size());
  ASSERT_OK(q);
  EXPECT_EQ(q->flags, 4);
  EXPECT_EQ(q->full_collection_name, "admin.$cmd");
  EXPECT_EQ(q->number_to_return, 1);
  EXPECT_FALSE(q->return_fields_selector.has_value());
  // With a selector.
  std::string s = m.substr(0);
  s.append(FromJson(R"({"a": 1})").bytes());
  StoreLE<int32_t>(s.data(), static_cast<int32_t>(s.size()));
  auto qs = ParseOpQuery(s.data(), s.size());
  ASSERT_OK(qs);
  ASSERT_TRUE(qs->return_fields_selector.has_value());
}

TEST(OpQuery, RejectsTruncatedAndTrailingBytes) {
  std::string m = OpQuery("admin.$cmd", FromJson(R"({"ismaster": 1})"));
  for (size_t cut = kHeaderSize; cut < m.size(); ++cut) {
    EXPECT_FALSE(ParseOpQuery(m.data(), cut).ok()) << cut;
  }
  std::string t = m + std::string("\x05\0\0\0\0junk", 9);
  EXPECT_FALSE(ParseOpQuery(t.data(), t.size()).ok());
}

TEST(OpQuery, HandshakeCommandsGetDollarDb) {
  for (std::string_view name : {"hello", "isMaster", "ismaster", "saslStart", "saslContinue"}) {
    auto body = Command("admin.$cmd", "{\"" + std::string(name) + "\": 1}");
    ASSERT_OK(body);
    EXPECT_EQ(body->view().FirstElement().field_name(), name);
    EXPECT_EQ(body->view()["$db"].String(), "admin");
  }
  auto on_test = Command("test.$cmd", R"({"isMaster": 1, "helloOk": true})", 1);
  ASSERT_OK(on_test);
  EXPECT_EQ(on_test->view()["$db"].String(), "test");
  EXPECT_TRUE(on_test->view()["helloOk"].Bool());
}

TEST(OpQuery, OtherCommandsAreUnsupported) {
  auto r = Command("admin.$cmd", R"({"find": "c"})");
  EXPECT_CODE(r, ErrorCode::kUnsupportedOpQueryCommand);
  EXPECT_NE(r.status().reason().find("Unsupported OP_QUERY command: find"), std::string::npos);
  EXPECT_CODE(Command("admin.$cmd", "{}"), ErrorCode::kUnsupportedOpQueryCommand);
}

TEST(OpQuery, NumberToReturnMustBeOneOrMinusOne) {
  EXPECT_EQ(Command("admin.$cmd", R"({"hello": 1})", 0).status().code(), 16979);
  EXPECT_EQ(Command("admin.$cmd", R"({"hello": 1})", 2).status().code(), 16979);
  EXPECT_OK(Command("admin.$cmd", R"({"hello": 1})", 1));
}

TEST(OpQuery, DollarDbIsNotAllowed) {
  EXPECT_EQ(Command("admin.$cmd", R"({"hello": 1, "$db": "x"})").status().code(), 40621);
}

TEST(OpQuery, NonCommandNamespaceIsRemoved) {
  EXPECT_EQ(Command("test.coll", R"({"a": 1})").status().code(), kOpQueryRemovedCode);
  EXPECT_EQ(Command("nodot", R"({"a": 1})").status().code(), kOpQueryRemovedCode);
  EXPECT_EQ(Command("admin.$cmd.sys.inprog", "{}").status().code(), kOpQueryRemovedCode);
  EXPECT_CODE(Command(".$cmd", R"({"hello": 1})"), ErrorCode::kInvalidNamespace);
}

TEST(OpQuery, UnwrapsDollarQuery) {
  auto body = Command("admin.$cmd",
                      R"({"$query": {"ismaster": 1}, "$readPreference": {"mode": "secondary"}})");
  ASSERT_OK(body);
  EXPECT_EQ(body->view().FirstElement().field_name(), "ismaster");
  EXPECT_EQ(body->view()["$readPreference"].Object()["mode"].String(), "secondary");
  EXPECT_EQ(body->view()["$db"].String(), "admin");
}

TEST(OpReply, Layout) {
  auto doc = FromJson(R"({"ismaster": true, "ok": 1.0})");
  std::string m = EncodeOpReply(doc, 99);
  ASSERT_EQ(m.size(), kHeaderSize + 20 + doc.bytes().size());
  auto h = ParseHeader(m.data());
  ASSERT_OK(h);
  EXPECT_EQ(h->op_code, 1);
  EXPECT_EQ(h->response_to, 99);
  EXPECT_EQ(h->message_length, static_cast<int32_t>(m.size()));
  EXPECT_EQ(LoadLE<int32_t>(m.data() + 16), kReplyAwaitCapable);
  EXPECT_EQ(LoadLE<int64_t>(m.data() + 20), 0);
  EXPECT_EQ(LoadLE<int32_t>(m.data() + 28), 0);
  EXPECT_EQ(LoadLE<int32_t>(m.data() + 32), 1);
  EXPECT_EQ(m.substr(36), doc.bytes());
}

TEST(OpReply, QueryFailure) {
  std::string m = EncodeQueryFailure(Status(kOpQueryRemovedCode, "gone"), 5);
  EXPECT_EQ(LoadLE<int32_t>(m.data() + 16), kReplyQueryFailure);
  bson::BsonView doc(m.data() + 36);
  EXPECT_EQ(doc["$err"].String(), "gone");
  EXPECT_EQ(doc["code"].Int32(), kOpQueryRemovedCode);
  EXPECT_EQ(doc["ok"].Double(), 0.0);
}

}  // namespace
}  // namespace dds::wire
