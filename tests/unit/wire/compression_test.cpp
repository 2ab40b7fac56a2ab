#include "wire/compression.h"

#include <string>

#include "bson/bson.h"
#include "test_util.h"
#include "wire/op_msg.h"
#include "wire_test_util.h"

namespace dds::wire {
namespace {

using bson::FromJson;

std::string SampleData(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>("abcabcxyz"[i % 9] + (i % 97 == 0)));
  return s;
}

class CompressorTest : public ::testing::TestWithParam<Compressor> {};

TEST_P(CompressorTest, RoundTrips) {
  for (size_t n : {0, 1, 100, 70'000, 1'000'000}) {
    SCOPED_TRACE(n);
    std::string data = SampleData(n);
    std::string c = Compress(GetParam(), data.data(), data.size());
    auto back = Decompress(static_cast<uint8_t>(GetParam()), c.data(), c.size(), n, 3);
    ASSERT_OK(back);
    EXPECT_EQ(back->substr(0, 3), std::string(3, '\0'));
    EXPECT_EQ(back->substr(3), data);
  }
}

TEST_P(CompressorTest, RejectsWrongDeclaredSize) {
  std::string data = SampleData(5000);
  std::string c = Compress(GetParam(), data.data(), data.size());
  EXPECT_CODE(Decompress(static_cast<uint8_t>(GetParam()), c.data(), c.size(), 4999),
              ErrorCode::kProtocolError);
  EXPECT_CODE(Decompress(static_cast<uint8_t>(GetParam()), c.data(), c.size(), 5001),
              ErrorCode::kProtocolError);
}

TEST_P(CompressorTest, RejectsTruncatedData) {
  if (GetParam() == Compressor::kNoop) return;
  std::string data = SampleData(5000);
  std::string c = Compress(GetParam(), data.data(), data.size());
  for (size_t cut : {size_t{0}, size_t{1}, c.size() / 2, c.size() - 1}) {
    EXPECT_FALSE(Decompress(static_cast<uint8_t>(GetParam()), c.data(), cut, 5000).ok()) << cut;
  }
}

TEST_P(CompressorTest, MessageRoundTrip) {
  auto body = FromJson(R"({"insert": "c", "documents": [{"a": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}],
                           "$db": "test"})");
  std::string plain = EncodeOpMsg(body, 3);
  std::string wrapped = CompressMessage(plain, GetParam());
  EXPECT_EQ(LoadLE<int32_t>(wrapped.data()), static_cast<int32_t>(wrapped.size()));
  EXPECT_EQ(LoadLE<int32_t>(wrapped.data() + 12), 2012);
  EXPECT_EQ(LoadLE<int32_t>(wrapped.data() + 16), 2013);
  EXPECT_EQ(LoadLE<int32_t>(wrapped.data() + 20), static_cast<int32_t>(plain.size() - 16));
  EXPECT_EQ(static_cast<uint8_t>(wrapped[24]), static_cast<uint8_t>(GetParam()));
  auto back = DecompressMessage(wrapped.data(), wrapped.size());
  ASSERT_OK(back);
  EXPECT_EQ(back->compressor, GetParam());
  EXPECT_EQ(back->message, plain);
}

INSTANTIATE_TEST_SUITE_P(All, CompressorTest,
                         ::testing::Values(Compressor::kNoop, Compressor::kSnappy,
                                           Compressor::kZlib, Compressor::kZstd),
                         [](const auto& info) { return std::string(CompressorName(info.param)); });

std::string CompressedHeader(int32_t original, int32_t uncompressed, uint8_t id,
                             std::string payload) {
  std::string m = testing::StartMessage(OpCode::kCompressed);
  AppendLE<int32_t>(&m, original);
  AppendLE<int32_t>(&m, uncompressed);
  m.push_back(static_cast<char>(id));
  m += payload;
  return testing::Finish(std::move(m));
}

TEST(Compression, RejectsBadEnvelopes) {
  std::string m = CompressedHeader(2013, 48'000'000, 0, "x");
  EXPECT_CODE(DecompressMessage(m.data(), m.size()), ErrorCode::kProtocolError);
  m = CompressedHeader(2013, -1, 0, "x");
  EXPECT_CODE(DecompressMessage(m.data(), m.size()), ErrorCode::kProtocolError);
  m = CompressedHeader(2012, 1, 0, "x");
  EXPECT_CODE(DecompressMessage(m.data(), m.size()), ErrorCode::kProtocolError);
  m = CompressedHeader(2013, 1, 9, "x");
  EXPECT_CODE(DecompressMessage(m.data(), m.size()), ErrorCode::kProtocolError);
  m = CompressedHeader(2013, 1, 1, "\xff\xff\xff\xff\x0f");
  EXPECT_CODE(DecompressMessage(m.data(), m.size()), ErrorCode::kProtocolError);
  std::string t = testing::Finish(testing::StartMessage(OpCode::kCompressed) + "abc");
  EXPECT_CODE(DecompressMessage(t.data(), t.size()), ErrorCode::kProtocolError);
}

TEST(Compression, LyingSizeDoesNotAllocateDeclaredAmount) {
  // 10 bytes of zlib data claiming 47 MB: rejected as a size mismatch.
  std::string data = "hello";
  std::string c = Compress(Compressor::kZlib, data.data(), data.size());
  std::string m = CompressedHeader(2013, 47'000'000, 2, c);
  EXPECT_CODE(DecompressMessage(m.data(), m.size()), ErrorCode::kProtocolError);
  c = Compress(Compressor::kZstd, data.data(), data.size());
  m = CompressedHeader(2013, 47'000'000, 3, c);
  EXPECT_CODE(DecompressMessage(m.data(), m.size()), ErrorCode::kProtocolError);
}

TEST(Compression, Names) {
  EXPECT_EQ(CompressorFromName("zstd"), Compressor::kZstd);
  EXPECT_EQ(CompressorFromName("snappy"), Compressor::kSnappy);
  EXPECT_FALSE(CompressorFromName("lz4").has_value());
  EXPECT_EQ(CompressorName(Compressor::kZlib), "zlib");
}

}  // namespace
}  // namespace dds::wire
