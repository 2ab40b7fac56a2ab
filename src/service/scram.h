// SCRAM verifiers in mongod's system.users credential format, so a node can be handed the
// credentials of its built-in `rwuser` without the service ever storing the plaintext password.
//
// SCRAM-SHA-1 derives from the MongoDB digest hex(MD5("<user>:mongo:<password>")); SCRAM-SHA-256
// derives from the SASLprep'd password (RFC 5802, RFC 7677, MongoDB driver auth spec). Pure
// functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace dds::service {

// One mechanism's stored credential: everything a server needs to verify a client proof.
struct ScramCredential {
  int iteration_count = 0;
  std::string salt;        // raw bytes
  std::string stored_key;  // raw bytes: H(ClientKey)
  std::string server_key;  // raw bytes: HMAC(SaltedPassword, "Server Key")
};

enum class ScramMechanism { kSha1, kSha256 };

// Default iteration counts: mongod's defaults (scramIterationCount, scramSHA256IterationCount).
constexpr int kScramSha1Iterations = 10000;
constexpr int kScramSha256Iterations = 15000;

// Returns the MongoDB SCRAM-SHA-1 password digest: hex(MD5("<user>:mongo:<password>")).
std::string MongoPasswordDigest(std::string_view user, std::string_view password);

// Returns SASLprep(`password`). Only printable ASCII is accepted (it maps to itself); other input
// is BadValue, which the service's password rule already excludes.
StatusWith<std::string> SaslPrepAscii(std::string_view password);

// Derives the credential for `password_input` (already digested or SASLprep'd) with the given
// salt and iteration count.
ScramCredential DeriveScramCredential(ScramMechanism mech, std::string_view password_input,
                                      std::string_view salt, int iterations);

// Derives the credential of `user`/`password` for `mech` with a fresh random salt (16 bytes for
// SHA-1, 28 for SHA-256, as mongod does) and the default iteration count.
StatusWith<ScramCredential> MakeScramCredential(ScramMechanism mech, std::string_view user,
                                                std::string_view password);

// Returns the client proof a client would send for `auth_message` (test helper for verification
// against the spec's conversations).
std::string ClientProofForTest(ScramMechanism mech, std::string_view password_input,
                               std::string_view salt, int iterations,
                               std::string_view auth_message);

// Returns true when `client_proof` (raw bytes) proves knowledge of the password behind `cred`.
bool VerifyClientProof(ScramMechanism mech, const ScramCredential& cred,
                       std::string_view auth_message, std::string_view client_proof);

// Returns the server signature HMAC(ServerKey, AuthMessage) (raw bytes).
std::string ServerSignature(ScramMechanism mech, const ScramCredential& cred,
                            std::string_view auth_message);

// Returns {"iterationCount", "salt", "storedKey", "serverKey"} with base64 values.
nlohmann::json CredentialToJson(const ScramCredential& cred);

// Returns the initial-users document for ddsd --initialUsersFile: one user in db `admin` with role
// root@admin and both mechanisms' credentials.
StatusWith<nlohmann::json> MakeInitialUsers(std::string_view user, std::string_view password);

}  // namespace dds::service
