// UserStore: the users and user-defined roles of the deployment, kept as documents in
// admin.system.users and admin.system.roles (mongod's layout, compat §2.11), with an in-memory
// cache so that authentication and privilege checks do not read storage on every command.
//
// Credentials are only ever stored as salted SCRAM verifiers (storedKey/serverKey), never as
// passwords. The cache also keeps, per user and mechanism, the client-key-independent values a
// handshake needs, so a reconnect storm does not recompute PBKDF2 (mongod caches the same).
//
// Thread-safe: many connections authenticate and check privileges concurrently.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/user_name.h"
#include "bson/bson.h"
#include "common/status.h"
#include "scram/scram.h"

namespace dds::storage {
class Engine;
}  // namespace dds::storage

namespace dds::commands {

// One user as stored in admin.system.users.
struct UserRecord {
  auth::UserName name;
  std::string user_id;  // 16 raw bytes of the userId UUID
  std::optional<scram::Credentials> sha1;
  std::optional<scram::Credentials> sha256;
  std::vector<auth::RoleName> roles;  // directly granted roles
  bson::BsonDocument custom_data;     // empty when absent
};

class UserStore {
 public:
  explicit UserStore(storage::Engine* engine);
  ~UserStore();

  // The user, or nullopt when there is none (not an error: authentication answers 18 either way).
  StatusWith<std::optional<UserRecord>> FindUser(const auth::UserName& name);

  // True when admin.system.users holds at least one user (ends the localhost exception).
  bool HasAnyUser();

  // Creates or replaces the user with exactly these credentials and roles (used by
  // --initialUsersFile at every start, so that a password reset by the management service
  // takes effect on the next start).
  Status UpsertUser(const UserRecord& user);

  // Drops every cached entry of `name` (after updateUser/dropUser/grant/revoke), or of all users.
  void Invalidate(const auth::UserName& name);
  void InvalidateAll();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dds::commands
