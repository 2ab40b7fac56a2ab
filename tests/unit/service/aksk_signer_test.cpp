// SDK-HMAC-SHA256 against the test vectors of dds-api.md §2.2.3.
#include "service/aksk_signer.h"

#include "service/crypto.h"
#include "test_util.h"

namespace dds::service {
namespace {

constexpr const char* kAk = "QTWAOYTTINDUT2QVKYUC";
constexpr const char* kSk = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc";

HttpRequest VectorA() {
  HttpRequest req;
  req.method = "GET";
  req.path = "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs";
  req.raw_query = "limit=2&marker=13551d6b-755d-4757-b956-536f674975c0";
  req.headers = {{"content-type", "application/json"},
                 {"host", "service.region.example.com"},
                 {"x-sdk-date", "20191115T033655Z"}};
  return req;
}

HttpRequest VectorB() {
  HttpRequest req;
  req.method = "POST";
  req.path =
      "/v3/0549b4a43100d4f32f51c01c2fe4acdb/instances/9136fd2a9fcd405ea4674276ce36dae8in02/restart";
  req.headers = {{"content-type", "application/json"},
                 {"host", "127.0.0.1:8080"},
                 {"x-project-id", "0549b4a43100d4f32f51c01c2fe4acdb"},
                 {"x-sdk-date", "20240101T000000Z"}};
  req.body = R"({"target_id":"9136fd2a9fcd405ea4674276ce36dae8in02"})";
  return req;
}

TEST(AkskSigner, PublicVectorCanonicalRequestAndSignature) {
  HttpRequest req = VectorA();
  auto canonical = CanonicalRequest(req, "content-type;host;x-sdk-date", false);
  ASSERT_OK(canonical);
  EXPECT_EQ(*canonical,
            "GET\n/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/\n"
            "limit=2&marker=13551d6b-755d-4757-b956-536f674975c0\n"
            "content-type:application/json\nhost:service.region.example.com\n"
            "x-sdk-date:20191115T033655Z\n\ncontent-type;host;x-sdk-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexEncode(Hash(Digest::kSha256, *canonical)),
            "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a");
  EXPECT_EQ(AkskSignature(kSk, StringToSign("20191115T033655Z", *canonical)),
            "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe");
}

TEST(AkskSigner, DdsRestartVector) {
  HttpRequest req = VectorB();
  auto canonical = CanonicalRequest(req, "content-type;host;x-project-id;x-sdk-date", false);
  ASSERT_OK(canonical);
  EXPECT_NE(canonical->find("/restart/\n\n"), std::string::npos);
  EXPECT_NE(canonical->find("7640aa94dab7c30543c4b1c07fbd6c7627a465c4865a5638ed0d9c503a5d1014"),
            std::string::npos);
  EXPECT_EQ(AkskSignature(kSk, StringToSign("20240101T000000Z", *canonical)),
            "90864814f3f487071436d71a3afdf877dbf683351a577880c37c937b58ba5106");
}

TEST(AkskSigner, QueryIsReencodedAndSorted) {
  HttpRequest req;
  req.method = "GET";
  req.path = "/v3/0549b4a43100d4f32f51c01c2fe4acdb/instances";
  req.raw_query = "limit=10&offset=0&name=*my%20db";
  req.headers = {{"content-type", "application/json"},
                 {"host", "127.0.0.1:8080"},
                 {"x-project-id", "0549b4a43100d4f32f51c01c2fe4acdb"},
                 {"x-sdk-date", "20240101T000000Z"}};
  EXPECT_EQ(CanonicalQuery(req.raw_query), "limit=10&name=%2Amy%20db&offset=0");
  auto canonical = CanonicalRequest(req, "content-type;host;x-project-id;x-sdk-date", false);
  ASSERT_OK(canonical);
  EXPECT_EQ(AkskSignature(kSk, StringToSign("20240101T000000Z", *canonical)),
            "51864e923f4b27cc4aa48c8fbe6d47185b8fc505aef15e4816c033ff4b703438");
}

TEST(AkskSigner, VerifyAcceptsSdkHeaderAndRejectsTampering) {
  HttpRequest req = VectorB();
  auto header = SignRequestForTest(req, kAk, kSk, "content-type;host;x-project-id;x-sdk-date");
  ASSERT_OK(header);
  auto auth = ParseAkskAuthorization(*header);
  ASSERT_OK(auth);
  EXPECT_EQ(auth->access, kAk);
  EXPECT_OK(VerifyAkskSignature(req, *auth, kSk));
  req.body = R"({"target_id":"other"})";
  EXPECT_CODE(VerifyAkskSignature(req, *auth, kSk), ErrorCode::kServiceUnauthenticated);
  EXPECT_CODE(VerifyAkskSignature(VectorB(), *auth, "wrong-secret"),
              ErrorCode::kServiceUnauthenticated);
}

TEST(AkskSigner, ParsesSpacesAndRejectsOtherAlgorithms) {
  auto ok = ParseAkskAuthorization(
      "SDK-HMAC-SHA256 Access=AK,SignedHeaders=host;x-sdk-date,  Signature=ABCDEF");
  ASSERT_OK(ok);
  EXPECT_EQ(ok->signed_headers, "host;x-sdk-date");
  EXPECT_EQ(ok->signature, "ABCDEF");
  EXPECT_CODE(ParseAkskAuthorization("AWS4-HMAC-SHA256 Credential=x"),
              ErrorCode::kServiceUnauthenticated);
  EXPECT_CODE(ParseAkskAuthorization("SDK-HMAC-SHA256 Access=AK"),
              ErrorCode::kServiceUnauthenticated);
}

TEST(AkskSigner, MissingSignedHeaderIsUnauthenticated) {
  HttpRequest req = VectorA();
  EXPECT_CODE(CanonicalRequest(req, "host;x-missing;x-sdk-date", false),
              ErrorCode::kServiceUnauthenticated);
}

TEST(AkskSigner, CanonicalUriEncodesWithoutDecodingFirst) {
  EXPECT_EQ(CanonicalUri("/v3/a%20b", false), "/v3/a%2520b/");
  EXPECT_EQ(CanonicalUri("/v3/a%20b", true), "/v3/a%20b/");
  EXPECT_EQ(CanonicalUri("/", false), "/");
}

}  // namespace
}  // namespace dds::service
