// rwuser verifiers: the MongoDB auth spec's SCRAM conversations (user "user", password "pencil")
// must verify against the stored credentials the service writes.
#include "service/scram.h"

#include "service/crypto.h"
#include "test_util.h"

namespace dds::service {
namespace {

std::string B64(const std::string& text) {
  std::string out;
  EXPECT_TRUE(Base64Decode(text, &out)) << text;
  return out;
}

std::string Xor(const std::string& a, const std::string& b) {
  std::string out(a.size(), '\0');
  for (size_t i = 0; i < a.size(); ++i) out[i] = static_cast<char>(a[i] ^ b[i]);
  return out;
}

// Checks the spec conversation against credentials derived with its salt and iterations.
void CheckConversation(scram::Mechanism mech, Digest digest, const std::string& salt_b64,
                       int iterations, const std::string& auth_message,
                       const std::string& proof_b64, const std::string& server_sig_b64) {
  auto cred = scram::DeriveCredentials(mech, "user", "pencil", iterations, B64(salt_b64));
  ASSERT_OK(cred);
  nlohmann::json j = CredentialToJson(*cred);
  EXPECT_EQ(j["salt"], salt_b64);
  EXPECT_EQ(j["iterationCount"], iterations);
  std::string stored_key = B64(j["storedKey"]);
  std::string server_key = B64(j["serverKey"]);
  // ClientKey = proof XOR HMAC(StoredKey, AuthMessage); StoredKey must be H(ClientKey).
  std::string client_key = Xor(B64(proof_b64), Hmac(digest, stored_key, auth_message));
  EXPECT_EQ(Hash(digest, client_key), stored_key);
  EXPECT_EQ(Base64Encode(Hmac(digest, server_key, auth_message)), server_sig_b64);
}

TEST(ServiceScram, Sha1MatchesSpecConversation) {
  const std::string nonce = "fyko+d2lbbFgONRv9qkxdawLHo+Vgk7qvUOKUwuWLIWg4l/9SraGMHEE";
  const std::string auth_message = "n=user,r=fyko+d2lbbFgONRv9qkxdawL,r=" + nonce +
                                   ",s=rQ9ZY3MntBeuP3E1TDVC4w==,i=10000,c=biws,r=" + nonce;
  CheckConversation(scram::Mechanism::kSha1, Digest::kSha1, "rQ9ZY3MntBeuP3E1TDVC4w==", 10000,
                    auth_message, "MC2T8BvbmWRckDw8oWl5IVghwCY=", "UMWeI25JD1yNYZRMpZ4VHvhZ9e0=");
}

TEST(ServiceScram, Sha256MatchesSpecConversation) {
  const std::string nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
  const std::string auth_message = "n=user,r=rOprNGfwEbeRWgbNEkqO,r=" + nonce +
                                   ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=" + nonce;
  CheckConversation(scram::Mechanism::kSha256, Digest::kSha256, "W22ZaJ0SNY7soEsUEjb6gQ==", 4096,
                    auth_message, "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
                    "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
}

TEST(ServiceScram, InitialUsersFileHoldsVerifiersNotThePassword) {
  const std::string password = "Secret-Pass1";
  auto users = MakeInitialUsers("rwuser", password);
  ASSERT_OK(users);
  ASSERT_TRUE(users->is_array());
  ASSERT_EQ(users->size(), 1u);
  const auto& u = (*users)[0];
  EXPECT_EQ(u["user"], "rwuser");
  EXPECT_EQ(u["db"], "admin");
  EXPECT_EQ(u["roles"][0]["role"], "root");
  EXPECT_EQ(users->dump().find(password), std::string::npos);
  const auto& sha1 = u["credentials"]["SCRAM-SHA-1"];
  const auto& sha256 = u["credentials"]["SCRAM-SHA-256"];
  EXPECT_EQ(sha1["iterationCount"], 10000);
  EXPECT_EQ(sha256["iterationCount"], 15000);
  EXPECT_EQ(B64(sha1["salt"]).size(), 16u);
  EXPECT_EQ(B64(sha256["salt"]).size(), 28u);
  // Re-deriving with the stored salt reproduces the stored keys.
  auto again = scram::DeriveCredentials(scram::Mechanism::kSha256, "rwuser", password, 15000,
                                        B64(sha256["salt"]));
  ASSERT_OK(again);
  EXPECT_EQ(Base64Encode(again->stored_key), sha256["storedKey"]);
  EXPECT_EQ(Base64Encode(again->server_key), sha256["serverKey"]);
  // Two files for the same password differ (fresh salts).
  auto other = MakeInitialUsers("rwuser", password);
  ASSERT_OK(other);
  EXPECT_NE((*other)[0]["credentials"]["SCRAM-SHA-1"]["salt"], sha1["salt"]);
}

}  // namespace
}  // namespace dds::service
