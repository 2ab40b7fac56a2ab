// AuthorizationSession: the authentication state of one client connection, and the question
// dispatch asks before every command: "may this connection do these actions on this resource?"
//
// A connection authenticates at most one user (mongod's rule since 5.0, error 5626701 for a
// second, different user). Login stores the user; the roles and privileges it resolves to are
// stored with SetRolesAndPrivileges together with the user store's generation at that moment.
// Dispatch compares that generation with the store's current one before every command and
// re-resolves when a user or role changed, so a connection sees changes to its own user on its
// next command, as mongod's user cache invalidation does.
//
// Used by one request at a time (it lives in ClientState). The checks allocate nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "auth/privilege.h"
#include "auth/user_name.h"

namespace dds::auth {

class AuthorizationSession {
 public:
  // The authenticated user, if any.
  const std::optional<UserName>& user() const { return user_; }
  bool authenticated() const { return user_.has_value(); }

  // Records `user` as authenticated on this connection. Its roles and privileges are empty until
  // SetRolesAndPrivileges (dispatch resolves them before the next command: generation() is 0).
  void Login(UserName user) {
    user_ = std::move(user);
    roles_.clear();
    privileges_.clear();
    generation_ = 0;
  }
  // Forgets the user (the logout command, or a dropped user).
  void Logout() {
    user_.reset();
    roles_.clear();
    privileges_.clear();
    generation_ = 0;
  }

  // Every role the user holds, directly or by inheritance.
  const std::vector<RoleName>& roles() const { return roles_; }
  void SetRoles(std::vector<RoleName> roles) { roles_ = std::move(roles); }
  // The union of the privileges of roles().
  const PrivilegeVector& privileges() const { return privileges_; }
  // Stores the resolved roles and privileges, valid for user store generation `generation`.
  void SetRolesAndPrivileges(std::vector<RoleName> roles, PrivilegeVector privileges,
                             uint64_t generation) {
    roles_ = std::move(roles);
    privileges_ = std::move(privileges);
    generation_ = generation;
  }
  // The user store generation the privileges were resolved at (0: not resolved yet).
  uint64_t generation() const { return generation_; }

  // True when the user's privileges allow every action of `actions` on `target`.
  bool IsAuthorized(const ResourceTarget& target, const ActionSet& actions) const {
    return PrivilegesAllow(privileges_, target, actions);
  }
  bool IsAuthorizedOnCluster(const ActionSet& actions) const {
    return IsAuthorized(ResourceTarget::Cluster(), actions);
  }
  bool IsAuthorizedOnDatabase(std::string_view db, const ActionSet& actions) const {
    return IsAuthorized(ResourceTarget::Database(db), actions);
  }
  bool IsAuthorizedOnNamespace(std::string_view db, std::string_view coll,
                               const ActionSet& actions) const {
    return IsAuthorized(ResourceTarget::Namespace(db, coll), actions);
  }
  // True when some privilege grants any action on `db` or on something inside it (an exact
  // namespace of it, a database pattern for it, any normal resource, any resource): the
  // authorizedDatabases filter of listDatabases.
  bool HasAnyPrivilegeOnDatabase(std::string_view db) const;
  // True when some privilege grants any action on db.coll (the authorizedCollections filter of
  // listCollections).
  bool HasAnyPrivilegeOnNamespace(std::string_view db, std::string_view coll) const;

 private:
  std::optional<UserName> user_;
  std::vector<RoleName> roles_;
  PrivilegeVector privileges_;
  uint64_t generation_ = 0;
};

}  // namespace dds::auth
