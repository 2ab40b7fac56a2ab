#include "service/scram.h"

#include "service/crypto.h"

namespace dds::service {

nlohmann::json CredentialToJson(const scram::Credentials& cred) {
  return {{"iterationCount", cred.iteration_count},
          {"salt", Base64Encode(cred.salt)},
          {"storedKey", Base64Encode(cred.stored_key)},
          {"serverKey", Base64Encode(cred.server_key)}};
}

StatusWith<nlohmann::json> MakeInitialUsers(std::string_view user, std::string_view password) {
  DDS_ASSIGN_OR_RETURN(scram::Credentials sha1,
                       scram::DeriveCredentials(scram::Mechanism::kSha1, user, password,
                                                scram::kDefaultSha1Iterations));
  DDS_ASSIGN_OR_RETURN(scram::Credentials sha256,
                       scram::DeriveCredentials(scram::Mechanism::kSha256, user, password,
                                                scram::kDefaultSha256Iterations));
  nlohmann::json u = {{"user", std::string(user)},
                      {"db", "admin"},
                      {"roles", nlohmann::json::array({{{"role", "root"}, {"db", "admin"}}})},
                      {"credentials",
                       {{std::string(scram::kSha1Name), CredentialToJson(sha1)},
                        {std::string(scram::kSha256Name), CredentialToJson(sha256)}}}};
  return nlohmann::json::array({u});
}

}  // namespace dds::service
