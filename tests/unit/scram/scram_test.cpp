#include "scram/scram.h"

#include "common/base64.h"
#include "test_util.h"

namespace dds::scram {
namespace {

struct Vector {
  Mechanism mechanism;
  const char* client_nonce;
  const char* server_nonce_suffix;
  const char* salt_b64;
  int iterations;
  const char* client_final;
  const char* server_final;
};

// The conversations of the MongoDB authentication specification (SCRAM-SHA-1, which hashes
// "user:mongo:pencil" first) and of RFC 7677 (SCRAM-SHA-256), both for user "user", password
// "pencil".
const Vector kVectors[] = {
    {Mechanism::kSha1, "fyko+d2lbbFgONRv9qkxdawL", "Ho+Vgk7qvUOKUwuWLIWg4l/9SraGMHEE",
     "rQ9ZY3MntBeuP3E1TDVC4w==", 10000,
     "c=biws,r=fyko+d2lbbFgONRv9qkxdawLHo+Vgk7qvUOKUwuWLIWg4l/9SraGMHEE,p=MC2T8BvbmWRckDw8oWl5IVghwCY=",
     "v=UMWeI25JD1yNYZRMpZ4VHvhZ9e0="},
    {Mechanism::kSha256, "rOprNGfwEbeRWgbNEkqO", "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
     "W22ZaJ0SNY7soEsUEjb6gQ==", 4096,
     "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
     "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="},
};

TEST(Scram, ClientMatchesPublishedConversations) {
  for (const Vector& v : kVectors) {
    ClientConversation client(v.mechanism, "user", "pencil");
    client.SetNonceForTest(v.client_nonce);
    EXPECT_EQ(client.First(), std::string("n,,n=user,r=") + v.client_nonce);
    std::string server_first = std::string("r=") + v.client_nonce + v.server_nonce_suffix +
                               ",s=" + v.salt_b64 + ",i=" + std::to_string(v.iterations);
    StatusWith<std::string> final_msg = client.Final(server_first);
    ASSERT_OK(final_msg);
    EXPECT_EQ(*final_msg, v.client_final);
    EXPECT_OK(client.Verify(v.server_final));
    EXPECT_CODE(client.Verify("v=AAAA"), ErrorCode::kAuthenticationFailed);
  }
}

TEST(Scram, ServerMatchesPublishedConversations) {
  for (const Vector& v : kVectors) {
    std::string salt = *Base64Decode(v.salt_b64);
    StatusWith<Credentials> creds = DeriveCredentials(v.mechanism, "user", "pencil", v.iterations, salt);
    ASSERT_OK(creds);
    ServerConversation server(v.mechanism, [&](std::string_view user) -> std::optional<Credentials> {
      if (user != "user") return std::nullopt;
      return *creds;
    });
    server.SetNonceSuffixForTest(v.server_nonce_suffix);
    StatusWith<std::string> first = server.Start(std::string("n,,n=user,r=") + v.client_nonce);
    ASSERT_OK(first);
    EXPECT_EQ(*first, std::string("r=") + v.client_nonce + v.server_nonce_suffix + ",s=" +
                          v.salt_b64 + ",i=" + std::to_string(v.iterations));
    StatusWith<std::string> last = server.Finish(v.client_final);
    ASSERT_OK(last);
    EXPECT_EQ(*last, v.server_final);
    EXPECT_TRUE(server.done());
    EXPECT_EQ(server.user(), "user");
  }
}

TEST(Scram, WrongPasswordFailsWithoutDetail) {
  StatusWith<Credentials> creds = DeriveCredentials(Mechanism::kSha256, "u", "right", 15000);
  ASSERT_OK(creds);
  EXPECT_EQ(creds->salt.size(), 28u);
  ServerConversation server(Mechanism::kSha256, [&](std::string_view) { return std::optional(*creds); });
  ClientConversation client(Mechanism::kSha256, "u", "wrong");
  StatusWith<std::string> first = server.Start(client.First());
  ASSERT_OK(first);
  StatusWith<std::string> final_msg = client.Final(*first);
  ASSERT_OK(final_msg);
  StatusWith<std::string> last = server.Finish(*final_msg);
  EXPECT_CODE(last, ErrorCode::kAuthenticationFailed);
  EXPECT_EQ(last.status().reason(), "Authentication failed.");
  EXPECT_FALSE(server.done());
}

TEST(Scram, RoundTripBothMechanismsWithSpecialNames) {
  for (Mechanism m : {Mechanism::kSha1, Mechanism::kSha256}) {
    std::string user = "we,ird=user";
    StatusWith<Credentials> creds = DeriveCredentials(m, user, "p@ss w0rd", m == Mechanism::kSha1 ? 10000 : 15000);
    ASSERT_OK(creds);
    ServerConversation server(m, [&](std::string_view u) -> std::optional<Credentials> {
      if (u != user) return std::nullopt;
      return *creds;
    });
    ClientConversation client(m, user, "p@ss w0rd");
    std::string client_first = client.First();
    EXPECT_NE(client_first.find("we=2Cird=3Duser"), std::string::npos);
    StatusWith<std::string> first = server.Start(client_first);
    ASSERT_OK(first);
    StatusWith<std::string> final_msg = client.Final(*first);
    ASSERT_OK(final_msg);
    StatusWith<std::string> last = server.Finish(*final_msg);
    ASSERT_OK(last);
    EXPECT_OK(client.Verify(*last));
  }
}

TEST(Scram, RejectsMalformedAndUnknown) {
  ServerConversation unknown(Mechanism::kSha256, [](std::string_view) { return std::optional<Credentials>(); });
  EXPECT_CODE(unknown.Start("n,,n=nobody,r=abc"), ErrorCode::kAuthenticationFailed);
  ServerConversation s(Mechanism::kSha256, [](std::string_view) { return std::optional<Credentials>(); });
  EXPECT_CODE(s.Start("x"), ErrorCode::kBadValue);
  ServerConversation binding(Mechanism::kSha256, [](std::string_view) { return std::optional<Credentials>(); });
  EXPECT_CODE(binding.Start("p=tls-unique,,n=u,r=a"), ErrorCode::kBadValue);
  ServerConversation early(Mechanism::kSha256, [](std::string_view) { return std::optional<Credentials>(); });
  EXPECT_CODE(early.Finish("c=biws,r=x,p=AAAA"), ErrorCode::kBadValue);
  EXPECT_CODE(DeriveCredentials(Mechanism::kSha256, "u", "p", 100), ErrorCode::kBadValue);
}

TEST(Scram, SaslPrep) {
  EXPECT_EQ(*SaslPrep("pencil"), "pencil");
  // RFC 4013 examples: soft hyphen maps to nothing; non-ASCII space maps to space;
  // ligatures are NFKC-normalised; a control character is prohibited.
  EXPECT_EQ(*SaslPrep("I\xC2\xADX"), "IX");
  EXPECT_EQ(*SaslPrep("a\xC2\xA0" "b"), "a b");
  EXPECT_EQ(*SaslPrep("\xE2\x85\xA8"), "IX");
  EXPECT_CODE(SaslPrep(std::string("a\x07", 2)), ErrorCode::kBadValue);
}

TEST(Scram, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

}  // namespace
}  // namespace dds::scram
