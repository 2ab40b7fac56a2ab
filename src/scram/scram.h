// SCRAM-SHA-1 and SCRAM-SHA-256 (RFC 5802, RFC 7677) as MongoDB uses them: credential derivation,
// SASLprep (RFC 4013), and the client and server sides of the conversation.
//
// This layer sits under both ddsd's command layer (the server side of saslStart/saslContinue)
// and dds-service (which derives rwuser's verifiers without ever storing the password, and talks
// to its nodes as a client). It depends only on common, OpenSSL and ICU.
//
// MongoDB specifics: SCRAM-SHA-1 hashes "user:mongo:password" with MD5 (hex) and uses that as the
// password; SCRAM-SHA-256 uses SASLprep(password). Salts are digest size minus 4 bytes (16 and
// 28). Default iteration counts are mongod's: 10000 and 15000.
//
// All functions are thread-safe; a conversation object is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace dds::scram {

enum class Mechanism { kSha1, kSha256 };

constexpr std::string_view kSha1Name = "SCRAM-SHA-1";
constexpr std::string_view kSha256Name = "SCRAM-SHA-256";
constexpr int kDefaultSha1Iterations = 10000;
constexpr int kDefaultSha256Iterations = 15000;
// RFC 7677 and mongod refuse fewer iterations than these.
constexpr int kMinSha1Iterations = 5000;
constexpr int kMinSha256Iterations = 4096;

std::string_view MechanismName(Mechanism m);
std::optional<Mechanism> ParseMechanism(std::string_view name);

// The stored form of one mechanism's credentials (all byte strings raw, not base64).
struct Credentials {
  int iteration_count = 0;
  std::string salt;
  std::string stored_key;
  std::string server_key;
};

// Returns SASLprep(s): ASCII input without control characters passes unchanged; other input is
// prepared with ICU's RFC 4013 profile. BadValue for prohibited characters.
StatusWith<std::string> SaslPrep(std::string_view s);

// Derives credentials for `user` with `password`. A random salt is generated when `salt` is empty.
StatusWith<Credentials> DeriveCredentials(Mechanism mechanism, std::string_view user,
                                          std::string_view password, int iterations,
                                          std::string salt = {});

// Returns `n` cryptographically random bytes.
std::string RandomBytes(size_t n);

// Returns true if a and b are equal, in time independent of where they differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// The server side of one SCRAM conversation.
class ServerConversation {
 public:
  // Looks up the credentials of a user for this mechanism (nullopt: no such user).
  using CredentialLookup = std::function<std::optional<Credentials>(std::string_view user)>;

  ServerConversation(Mechanism mechanism, CredentialLookup lookup);

  // Handles client-first-message; returns server-first-message. AuthenticationFailed for an
  // unknown user (without saying so), BadValue for malformed input.
  StatusWith<std::string> Start(std::string_view client_first);
  // Handles client-final-message; returns server-final-message ("v=..."). AuthenticationFailed
  // when the proof is wrong.
  StatusWith<std::string> Finish(std::string_view client_final);

  // Uses `suffix` instead of random bytes for the server's half of the nonce.
  void SetNonceSuffixForTest(std::string suffix) { nonce_suffix_for_test_ = std::move(suffix); }

  bool done() const { return done_; }
  // The authenticated user name (valid once done()).
  const std::string& user() const { return user_; }
  Mechanism mechanism() const { return mechanism_; }

 private:
  Mechanism mechanism_;
  CredentialLookup lookup_;
  std::string user_;
  std::string client_first_bare_;
  std::string server_first_;
  std::string nonce_;
  Credentials credentials_;
  std::string nonce_suffix_for_test_;
  bool started_ = false;
  bool done_ = false;
};

// The client side of one SCRAM conversation.
class ClientConversation {
 public:
  ClientConversation(Mechanism mechanism, std::string user, std::string password);

  // Uses `nonce` instead of random bytes.
  void SetNonceForTest(std::string nonce) { nonce_ = std::move(nonce); }

  // Returns client-first-message.
  std::string First();
  // Handles server-first-message; returns client-final-message.
  StatusWith<std::string> Final(std::string_view server_first);
  // Checks server-final-message (the server signature). AuthenticationFailed if it is wrong.
  Status Verify(std::string_view server_final);

 private:
  Mechanism mechanism_;
  std::string user_;
  std::string password_;
  std::string nonce_;
  std::string client_first_bare_;
  std::string expected_server_signature_;
};

}  // namespace dds::scram
