// UserStore: the users and user-defined roles of the deployment, kept as documents in
// admin.system.users and admin.system.roles (mongod's layout, compat §2.11), with an in-memory
// cache so that authentication and privilege checks do not read storage on every command.
//
// admin.system.users:  {_id: "db.user", userId: UUID, user, db,
//                       credentials: {"SCRAM-SHA-1": {iterationCount, salt, storedKey, serverKey},
//                                     "SCRAM-SHA-256": {...}},   (base64 strings, as mongod)
//                       customData?: {...}, roles: [{role, db}]}
// admin.system.roles:  {_id: "db.role", role, db, privileges: [{resource, actions}],
//                       roles: [{role, db}]}
//
// Credentials are only ever stored as salted SCRAM verifiers (storedKey/serverKey), never as
// passwords. The cache keeps each user's record (the verifiers a handshake needs, so a reconnect
// storm reads no storage and computes no PBKDF2) and all user-defined roles.
//
// Every change (through this class, or an Invalidate call after a direct write) bumps
// generation(); connections compare it with the generation their privileges were resolved at
// and re-resolve on their next command (mongod's user cache invalidation).
//
// Thread-safe: many connections authenticate and check privileges concurrently; writes are
// serialized by one mutex (user administration is rare).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/role_definition.h"
#include "auth/role_graph.h"
#include "auth/user_name.h"
#include "bson/bson.h"
#include "common/status.h"
#include "scram/scram.h"

namespace dds::storage {
class Engine;
}  // namespace dds::storage

namespace dds::commands {

// The collections (in the admin database) that hold users and roles.
constexpr std::string_view kAdminDb = "admin";
constexpr std::string_view kSystemUsers = "system.users";
constexpr std::string_view kSystemRoles = "system.roles";

// One user as stored in admin.system.users.
struct UserRecord {
  auth::UserName name;
  std::string user_id;  // 16 raw bytes of the userId UUID
  std::optional<scram::Credentials> sha1;
  std::optional<scram::Credentials> sha256;
  std::vector<auth::RoleName> roles;  // directly granted roles
  bson::BsonDocument custom_data;     // empty when absent
};

// Returns the stored document of `user` (see the layout above).
bson::BsonDocument UserRecordToBson(const UserRecord& user);
// Parses a stored user document. InternalError when it is malformed.
StatusWith<UserRecord> UserRecordFromBson(const bson::BsonView& doc);
// Returns / parses the stored document of a user-defined role.
bson::BsonDocument RoleDefinitionToBson(const auth::RoleDefinition& role);
StatusWith<auth::RoleDefinition> RoleDefinitionFromBson(const bson::BsonView& doc);

// Appends `field: [{role, db}, ...]`, the shape of role lists in system.users/system.roles
// documents and in usersInfo/rolesInfo replies.
void AppendRoleNames(bson::BsonBuilder* b, std::string_view field,
                     const std::vector<auth::RoleName>& roles);

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
  // takes effect on the next start). A missing user_id is generated.
  Status UpsertUser(const UserRecord& user);
  // Creates the user; 51003 "User \"u@db\" already exists" when it exists.
  Status InsertUser(const UserRecord& user);
  // Removes the user; 11 UserNotFound "User 'u@db' not found" when absent.
  Status DropUser(const auth::UserName& name);
  // Removes every user defined on `db`; returns how many.
  StatusWith<int64_t> DropAllUsers(std::string_view db);
  // Returns the users defined on `db` (every user when nullopt), sorted by _id.
  StatusWith<std::vector<UserRecord>> ListUsers(std::optional<std::string_view> db);

  // The user-defined role, or nullopt (built-in roles are not stored: see auth/builtin_roles.h).
  StatusWith<std::optional<auth::RoleDefinition>> FindRole(const auth::RoleName& name);
  // Creates the role; 51002 "Role \"r@db\" already exists" when it exists.
  Status InsertRole(const auth::RoleDefinition& role);
  // Replaces an existing role's document.
  Status UpsertRole(const auth::RoleDefinition& role);
  // Removes the role and every grant of it to users and roles; 31 RoleNotFound when absent.
  Status DropRole(const auth::RoleName& name);
  // Removes every role defined on `db` (and their grants); returns how many.
  StatusWith<int64_t> DropAllRoles(std::string_view db);
  // Returns the user-defined roles of `db` (all when nullopt), sorted by _id.
  StatusWith<std::vector<auth::RoleDefinition>> ListRoles(std::optional<std::string_view> db);
  // A RoleLookup over this store (for auth::ResolveRoles and the cycle check).
  auth::RoleLookup RoleLookupFn();

  // Resolves `roles` (a user's direct roles) to every role held and their privileges (cached
  // per role list until the next change).
  StatusWith<auth::ResolvedRoles> Resolve(const std::vector<auth::RoleName>& roles);

  // Drops every cached entry of `name` (after updateUser/dropUser/grant/revoke), or of all users
  // and roles (after a direct write to admin.system.users/system.roles). Both bump generation().
  void Invalidate(const auth::UserName& name);
  void InvalidateAll();
  // Increases on every change; starts at 1.
  uint64_t generation() const;

  // Turns the user cache off (every FindUser reads and decodes the stored document, every
  // Resolve walks the role graph) or back on. Default: on. Only for measuring what the cache
  // saves (ddsd --setParameter authUserCacheEnabled=false, bench/run_auth.sh).
  void SetUserCacheEnabled(bool enabled);

 private:
  // Removes the roles `dropped` selects and every grant of them (users first, then roles);
  // returns how many roles existed.
  StatusWith<int64_t> DropRolesWhere(const std::function<bool(const auth::RoleName&)>& dropped);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dds::commands
