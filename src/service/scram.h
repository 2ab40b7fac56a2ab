// The rwuser initial-users document that dds-service hands a node (`ddsd --auth
// --initialUsersFile FILE`), in mongod's system.users credential format: SCRAM-SHA-1 and
// SCRAM-SHA-256 verifiers derived with src/scram (MongoDB's MD5 digest for SHA-1, SASLprep for
// SHA-256). The plaintext password is used only to derive them and is never stored.
//
// Pure functions; thread-safe.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "scram/scram.h"

namespace dds::service {

// Returns {"iterationCount", "salt", "storedKey", "serverKey"} with base64 values.
nlohmann::json CredentialToJson(const scram::Credentials& cred);

// Returns [{"user", "db": "admin", "roles": [{"role": "root", "db": "admin"}], "credentials":
// {"SCRAM-SHA-1": {...}, "SCRAM-SHA-256": {...}}}] with fresh salts and mongod's default
// iteration counts.
StatusWith<nlohmann::json> MakeInitialUsers(std::string_view user, std::string_view password);

}  // namespace dds::service
