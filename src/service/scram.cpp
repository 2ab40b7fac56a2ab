#include "service/scram.h"

#include "service/crypto.h"

namespace dds::service {
namespace {

Digest DigestFor(ScramMechanism mech) {
  return mech == ScramMechanism::kSha1 ? Digest::kSha1 : Digest::kSha256;
}

size_t HashLen(ScramMechanism mech) { return mech == ScramMechanism::kSha1 ? 20 : 32; }

std::string Xor(std::string_view a, std::string_view b) {
  std::string out(a.size(), '\0');
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) out[i] = static_cast<char>(a[i] ^ b[i]);
  return out;
}

std::string ClientKey(ScramMechanism mech, std::string_view password_input, std::string_view salt,
                      int iterations) {
  std::string salted = Pbkdf2(DigestFor(mech), password_input, salt, iterations, HashLen(mech));
  return Hmac(DigestFor(mech), salted, "Client Key");
}

}  // namespace

std::string MongoPasswordDigest(std::string_view user, std::string_view password) {
  std::string input;
  input.append(user).append(":mongo:").append(password);
  return HexEncode(Hash(Digest::kMd5, input));
}

StatusWith<std::string> SaslPrepAscii(std::string_view password) {
  for (unsigned char c : password) {
    // Printable ASCII is unchanged by SASLprep (RFC 4013): no mapping, nothing prohibited.
    if (c < 0x20 || c > 0x7e) {
      return Status(ErrorCode::kBadValue, "password must be printable ASCII");
    }
  }
  return std::string(password);
}

ScramCredential DeriveScramCredential(ScramMechanism mech, std::string_view password_input,
                                      std::string_view salt, int iterations) {
  Digest d = DigestFor(mech);
  std::string salted = Pbkdf2(d, password_input, salt, iterations, HashLen(mech));
  ScramCredential cred;
  cred.iteration_count = iterations;
  cred.salt = std::string(salt);
  cred.stored_key = Hash(d, Hmac(d, salted, "Client Key"));
  cred.server_key = Hmac(d, salted, "Server Key");
  return cred;
}

StatusWith<ScramCredential> MakeScramCredential(ScramMechanism mech, std::string_view user,
                                                std::string_view password) {
  if (mech == ScramMechanism::kSha1) {
    return DeriveScramCredential(mech, MongoPasswordDigest(user, password), RandomBytes(16),
                                 kScramSha1Iterations);
  }
  DDS_ASSIGN_OR_RETURN(std::string prepped, SaslPrepAscii(password));
  return DeriveScramCredential(mech, prepped, RandomBytes(28), kScramSha256Iterations);
}

std::string ClientProofForTest(ScramMechanism mech, std::string_view password_input,
                               std::string_view salt, int iterations,
                               std::string_view auth_message) {
  Digest d = DigestFor(mech);
  std::string client_key = ClientKey(mech, password_input, salt, iterations);
  std::string signature = Hmac(d, Hash(d, client_key), auth_message);
  return Xor(client_key, signature);
}

bool VerifyClientProof(ScramMechanism mech, const ScramCredential& cred,
                       std::string_view auth_message, std::string_view client_proof) {
  Digest d = DigestFor(mech);
  if (client_proof.size() != HashLen(mech)) return false;
  std::string signature = Hmac(d, cred.stored_key, auth_message);
  std::string client_key = Xor(client_proof, signature);
  return ConstantTimeEquals(Hash(d, client_key), cred.stored_key);
}

std::string ServerSignature(ScramMechanism mech, const ScramCredential& cred,
                            std::string_view auth_message) {
  return Hmac(DigestFor(mech), cred.server_key, auth_message);
}

nlohmann::json CredentialToJson(const ScramCredential& cred) {
  return {{"iterationCount", cred.iteration_count},
          {"salt", Base64Encode(cred.salt)},
          {"storedKey", Base64Encode(cred.stored_key)},
          {"serverKey", Base64Encode(cred.server_key)}};
}

StatusWith<nlohmann::json> MakeInitialUsers(std::string_view user, std::string_view password) {
  DDS_ASSIGN_OR_RETURN(ScramCredential sha1,
                       MakeScramCredential(ScramMechanism::kSha1, user, password));
  DDS_ASSIGN_OR_RETURN(ScramCredential sha256,
                       MakeScramCredential(ScramMechanism::kSha256, user, password));
  nlohmann::json u = {{"user", std::string(user)},
                      {"db", "admin"},
                      {"roles", nlohmann::json::array({{{"role", "root"}, {"db", "admin"}}})},
                      {"credentials",
                       {{"SCRAM-SHA-1", CredentialToJson(sha1)},
                        {"SCRAM-SHA-256", CredentialToJson(sha256)}}}};
  return nlohmann::json::array({u});
}

}  // namespace dds::service
