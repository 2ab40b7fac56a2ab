// The initial users file (--initialUsersFile / security.initialUsersFile): how a deployment gets
// its first administrator without a plaintext password ever reaching ddsd.
//
// The file is a JSON array written by dds-service (service/scram.cpp MakeInitialUsers) or by hand
// (docs/security.md):
//   [{"user": "rwuser", "db": "admin", "roles": [{"role": "root", "db": "admin"}],
//     "credentials": {"SCRAM-SHA-1":   {"iterationCount": 10000, "salt": b64, "storedKey": b64,
//                                       "serverKey": b64},
//                     "SCRAM-SHA-256": {...}}}]
// ddsd applies it at every start through UserStore::UpsertUser, so a password reset by the
// service (a rewritten file) takes effect at the next start. Plaintext passwords ("pwd") are
// refused, as is anything else the parser does not know; a bad file stops the server.
//
// Pure parsing (no storage); thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "commands/user_store.h"
#include "common/status.h"

namespace dds::commands {

// Parses the file's JSON text. Errors are BadValue (2) naming the offending user and field.
StatusWith<std::vector<UserRecord>> ParseInitialUsers(std::string_view json);

// Reads and parses `path`. Errors name the file.
StatusWith<std::vector<UserRecord>> ReadInitialUsersFile(const std::string& path);

}  // namespace dds::commands
