#include "scram/scram.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <unicode/usprep.h>
#include <unicode/ustring.h>

#include <cstdio>
#include <vector>

#include "common/base64.h"

namespace dds::scram {
namespace {

constexpr size_t kNonceBytes = 24;

const EVP_MD* Digest(Mechanism m) { return m == Mechanism::kSha1 ? EVP_sha1() : EVP_sha256(); }
size_t DigestSize(Mechanism m) { return m == Mechanism::kSha1 ? 20 : 32; }

std::string Hash(Mechanism m, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, Digest(m), nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Hmac(Mechanism m, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(Digest(m), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Xor(std::string_view a, std::string_view b) {
  std::string out(a.size(), '\0');
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) out[i] = static_cast<char>(a[i] ^ b[i]);
  return out;
}

std::string Md5Hex(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_md5(), nullptr);
  std::string hex;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", out[i]);
    hex += buf;
  }
  return hex;
}

// The password as the mechanism hashes it.
StatusWith<std::string> PasswordInput(Mechanism m, std::string_view user, std::string_view password) {
  if (m == Mechanism::kSha1) return Md5Hex(std::string(user) + ":mongo:" + std::string(password));
  return SaslPrep(password);
}

std::string SaltedPassword(Mechanism m, std::string_view input, std::string_view salt, int iterations) {
  std::string out(DigestSize(m), '\0');
  PKCS5_PBKDF2_HMAC(input.data(), static_cast<int>(input.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                    iterations, Digest(m), static_cast<int>(out.size()),
                    reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

Status BadMessage(const std::string& what) {
  return Status(ErrorCode::kBadValue, "Invalid SCRAM message: " + what);
}

Status AuthFailed() { return Status(ErrorCode::kAuthenticationFailed, "Authentication failed."); }

// Splits "a=1,b=2" into attributes; values may contain '=' but not ','.
std::vector<std::pair<char, std::string_view>> ParseAttributes(std::string_view msg) {
  std::vector<std::pair<char, std::string_view>> attrs;
  size_t pos = 0;
  while (pos <= msg.size()) {
    size_t comma = msg.find(',', pos);
    std::string_view part = msg.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    if (part.size() >= 2 && part[1] == '=') {
      attrs.emplace_back(part[0], part.substr(2));
    } else {
      attrs.emplace_back('\0', part);
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return attrs;
}

std::optional<std::string> DecodeSaslName(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '=') {
      if (name.substr(i, 3) == "=2C") out += ',';
      else if (name.substr(i, 3) == "=3D") out += '=';
      else return std::nullopt;
      i += 2;
    } else {
      out += name[i];
    }
  }
  return out;
}

std::string EncodeSaslName(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == ',') out += "=2C";
    else if (c == '=') out += "=3D";
    else out += c;
  }
  return out;
}

}  // namespace

std::string_view MechanismName(Mechanism m) { return m == Mechanism::kSha1 ? kSha1Name : kSha256Name; }

std::optional<Mechanism> ParseMechanism(std::string_view name) {
  if (name == kSha1Name) return Mechanism::kSha1;
  if (name == kSha256Name) return Mechanism::kSha256;
  return std::nullopt;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n));
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

StatusWith<std::string> SaslPrep(std::string_view s) {
  bool simple = true;
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7F) {
      simple = false;
      break;
    }
  }
  if (simple) return std::string(s);
  UErrorCode err = U_ZERO_ERROR;
  UStringPrepProfile* profile = usprep_openByType(USPREP_RFC4013_SASLPREP, &err);
  if (U_FAILURE(err)) return Status(ErrorCode::kInternalError, "SASLprep profile unavailable");
  std::vector<UChar> in(s.size() * 2 + 1), prepared(s.size() * 4 + 16);
  int32_t in_len = 0;
  u_strFromUTF8(in.data(), static_cast<int32_t>(in.size()), &in_len, s.data(),
                static_cast<int32_t>(s.size()), &err);
  int32_t out_len = 0;
  if (U_SUCCESS(err)) {
    out_len = usprep_prepare(profile, in.data(), in_len, prepared.data(),
                             static_cast<int32_t>(prepared.size()), USPREP_DEFAULT, nullptr, &err);
  }
  usprep_close(profile);
  if (U_FAILURE(err)) return Status(ErrorCode::kBadValue, "Error normalizing password with SASLprep");
  std::string out(static_cast<size_t>(out_len) * 4 + 4, '\0');
  int32_t utf8_len = 0;
  u_strToUTF8(out.data(), static_cast<int32_t>(out.size()), &utf8_len, prepared.data(), out_len, &err);
  if (U_FAILURE(err)) return Status(ErrorCode::kBadValue, "Error normalizing password with SASLprep");
  out.resize(static_cast<size_t>(utf8_len));
  return out;
}

StatusWith<Credentials> DeriveCredentials(Mechanism m, std::string_view user, std::string_view password,
                                          int iterations, std::string salt) {
  int minimum = m == Mechanism::kSha1 ? kMinSha1Iterations : kMinSha256Iterations;
  if (iterations < minimum) {
    return Status(ErrorCode::kBadValue, "Invalid iteration count " + std::to_string(iterations) +
                                            " for " + std::string(MechanismName(m)));
  }
  DDS_ASSIGN_OR_RETURN(std::string input, PasswordInput(m, user, password));
  if (salt.empty()) salt = RandomBytes(DigestSize(m) - 4);
  std::string salted = SaltedPassword(m, input, salt, iterations);
  Credentials c;
  c.iteration_count = iterations;
  c.salt = std::move(salt);
  c.stored_key = Hash(m, Hmac(m, salted, "Client Key"));
  c.server_key = Hmac(m, salted, "Server Key");
  return c;
}

ServerConversation::ServerConversation(Mechanism mechanism, CredentialLookup lookup)
    : mechanism_(mechanism), lookup_(std::move(lookup)) {}

StatusWith<std::string> ServerConversation::Start(std::string_view client_first) {
  if (started_) return BadMessage("conversation already started");
  started_ = true;
  // gs2-header: channel binding flag, optional authzid, then the bare message.
  if (client_first.size() < 3) return BadMessage("client-first-message too short");
  if (client_first[0] == 'p') {
    return Status(ErrorCode::kBadValue, "Server does not support channel binding");
  }
  if ((client_first[0] != 'n' && client_first[0] != 'y') || client_first[1] != ',') {
    return BadMessage("bad gs2 header");
  }
  size_t second_comma = client_first.find(',', 2);
  if (second_comma == std::string_view::npos) return BadMessage("bad gs2 header");
  std::string_view authzid = client_first.substr(2, second_comma - 2);
  client_first_bare_ = std::string(client_first.substr(second_comma + 1));
  auto attrs = ParseAttributes(client_first_bare_);
  if (attrs.size() < 2 || attrs[0].first != 'n' || attrs[1].first != 'r') {
    return BadMessage("expected n= and r= attributes");
  }
  std::optional<std::string> user = DecodeSaslName(attrs[0].second);
  if (!user || user->empty()) return BadMessage("bad user name");
  if (!authzid.empty() && authzid != "a=" + EncodeSaslName(*user)) {
    return Status(ErrorCode::kBadValue, "SCRAM user name and authzid must match");
  }
  std::string_view client_nonce = attrs[1].second;
  if (client_nonce.empty()) return BadMessage("empty client nonce");
  user_ = *user;
  std::optional<Credentials> creds = lookup_(user_);
  if (!creds) return AuthFailed();
  credentials_ = std::move(*creds);
  nonce_ = std::string(client_nonce) + (nonce_suffix_for_test_.empty()
                                            ? Base64Encode(RandomBytes(kNonceBytes))
                                            : nonce_suffix_for_test_);
  server_first_ = "r=" + nonce_ + ",s=" + Base64Encode(credentials_.salt) +
                  ",i=" + std::to_string(credentials_.iteration_count);
  return server_first_;
}

StatusWith<std::string> ServerConversation::Finish(std::string_view client_final) {
  if (!started_ || done_ || server_first_.empty()) return BadMessage("unexpected client-final-message");
  size_t proof_pos = client_final.rfind(",p=");
  if (proof_pos == std::string_view::npos) return BadMessage("missing proof");
  std::string_view without_proof = client_final.substr(0, proof_pos);
  auto attrs = ParseAttributes(without_proof);
  if (attrs.size() < 2 || attrs[0].first != 'c' || attrs[1].first != 'r') {
    return BadMessage("expected c= and r= attributes");
  }
  std::optional<std::string> binding = Base64Decode(attrs[0].second);
  if (!binding || (binding->rfind("n,", 0) != 0 && binding->rfind("y,", 0) != 0)) {
    return BadMessage("bad channel binding");
  }
  if (attrs[1].second != nonce_) return BadMessage("nonce mismatch");
  std::optional<std::string> proof = Base64Decode(client_final.substr(proof_pos + 3));
  if (!proof || proof->size() != DigestSize(mechanism_)) return AuthFailed();
  std::string auth_message =
      client_first_bare_ + "," + server_first_ + "," + std::string(without_proof);
  std::string client_signature = Hmac(mechanism_, credentials_.stored_key, auth_message);
  std::string client_key = Xor(*proof, client_signature);
  if (!ConstantTimeEquals(Hash(mechanism_, client_key), credentials_.stored_key)) {
    return AuthFailed();
  }
  done_ = true;
  return "v=" + Base64Encode(Hmac(mechanism_, credentials_.server_key, auth_message));
}

ClientConversation::ClientConversation(Mechanism mechanism, std::string user, std::string password)
    : mechanism_(mechanism), user_(std::move(user)), password_(std::move(password)) {}

std::string ClientConversation::First() {
  if (nonce_.empty()) nonce_ = Base64Encode(RandomBytes(kNonceBytes));
  client_first_bare_ = "n=" + EncodeSaslName(user_) + ",r=" + nonce_;
  return "n,," + client_first_bare_;
}

StatusWith<std::string> ClientConversation::Final(std::string_view server_first) {
  auto attrs = ParseAttributes(server_first);
  if (attrs.size() < 3 || attrs[0].first != 'r' || attrs[1].first != 's' || attrs[2].first != 'i') {
    return BadMessage("bad server-first-message");
  }
  std::string_view nonce = attrs[0].second;
  if (nonce.substr(0, nonce_.size()) != nonce_ || nonce.size() <= nonce_.size()) {
    return BadMessage("server nonce does not extend the client nonce");
  }
  std::optional<std::string> salt = Base64Decode(attrs[1].second);
  int iterations = std::atoi(std::string(attrs[2].second).c_str());
  int minimum = mechanism_ == Mechanism::kSha1 ? kMinSha1Iterations : kMinSha256Iterations;
  if (!salt || iterations < minimum) return BadMessage("bad salt or iteration count");
  DDS_ASSIGN_OR_RETURN(std::string input, PasswordInput(mechanism_, user_, password_));
  std::string salted = SaltedPassword(mechanism_, input, *salt, iterations);
  std::string client_key = Hmac(mechanism_, salted, "Client Key");
  std::string stored_key = Hash(mechanism_, client_key);
  std::string without_proof = "c=biws,r=" + std::string(nonce);
  std::string auth_message =
      client_first_bare_ + "," + std::string(server_first) + "," + without_proof;
  std::string proof = Xor(client_key, Hmac(mechanism_, stored_key, auth_message));
  expected_server_signature_ =
      Base64Encode(Hmac(mechanism_, Hmac(mechanism_, salted, "Server Key"), auth_message));
  return without_proof + ",p=" + Base64Encode(proof);
}

Status ClientConversation::Verify(std::string_view server_final) {
  if (server_final.substr(0, 2) != "v=" ||
      !ConstantTimeEquals(server_final.substr(2), expected_server_signature_)) {
    return AuthFailed();
  }
  return Status::OK();
}

}  // namespace dds::scram
