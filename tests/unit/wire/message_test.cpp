#include "wire/message.h"

#include <string>

#include "test_util.h"
#include "wire/crc32c.h"

namespace dds::wire {
namespace {

std::string Header(int32_t len, int32_t op) {
  std::string h;
  AppendHeader(&h, MessageHeader{len, 1, 0, op});
  return h;
}

TEST(MessageHeader, ParsesFields) {
  std::string h;
  AppendHeader(&h, MessageHeader{100, 5, 9, 2013});
  ASSERT_EQ(h.size(), kHeaderSize);
  auto parsed = ParseHeader(h.data());
  ASSERT_OK(parsed);
  EXPECT_EQ(parsed->message_length, 100);
  EXPECT_EQ(parsed->request_id, 5);
  EXPECT_EQ(parsed->response_to, 9);
  EXPECT_EQ(parsed->op_code, 2013);
}

TEST(MessageHeader, RejectsLengthsOutsideLimits) {
  EXPECT_CODE(ParseHeader(Header(15, 2013).data()), ErrorCode::kProtocolError);
  EXPECT_CODE(ParseHeader(Header(-1, 2013).data()), ErrorCode::kProtocolError);
  EXPECT_CODE(ParseHeader(Header(48'000'001, 2013).data()), ErrorCode::kProtocolError);
  EXPECT_OK(ParseHeader(Header(16, 2013).data()));
  EXPECT_OK(ParseHeader(Header(48'000'000, 2013).data()));
}

TEST(MessageHeader, RequestIdsIncrease) {
  int32_t a = NextRequestId();
  int32_t b = NextRequestId();
  EXPECT_GT(a, 0);
  EXPECT_GT(b, a);
}

TEST(MessageReader, StopsAtTheEnd) {
  const char data[] = {'a', 'b', '\0', 1, 0};
  Reader r(data, sizeof(data));
  std::string_view s;
  ASSERT_TRUE(r.ReadCString(&s));
  EXPECT_EQ(s, "ab");
  int32_t v;
  EXPECT_FALSE(r.Read(&v));
  int16_t w;
  ASSERT_TRUE(r.Read(&w));
  EXPECT_EQ(w, 1);
  EXPECT_TRUE(r.at_end());
  EXPECT_FALSE(r.ReadCString(&s));
}

TEST(Crc32c, MatchesKnownVectors) {
  EXPECT_EQ(Crc32c("123456789", 9), 0xE3069283u);
  EXPECT_EQ(Crc32c("", 0), 0u);
  std::string zeros(32, '\0');
  EXPECT_EQ(Crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);
  // Incremental computation equals one-shot.
  EXPECT_EQ(Crc32c("56789", 5, Crc32c("1234", 4)), 0xE3069283u);
}

}  // namespace
}  // namespace dds::wire
