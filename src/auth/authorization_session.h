// AuthorizationSession: the authentication state of one client connection, and the question
// dispatch asks before every command: "may this connection do these actions on this resource?"
//
// A connection authenticates at most one user (mongod's rule since 5.0, error 5626701 for a
// second, different user). Login stores the user with the roles and privileges it resolves to at
// that moment; user and role commands that change them call Refresh-style hooks so a connection
// sees changes to its own user on its next command, as mongod's user cache invalidation does.
//
// Used by one request at a time (it lives in ClientState).
#pragma once

#include <optional>
#include <vector>

#include "auth/user_name.h"

namespace dds::auth {

class AuthorizationSession {
 public:
  // The authenticated user, if any.
  const std::optional<UserName>& user() const { return user_; }
  bool authenticated() const { return user_.has_value(); }

  // Records `user` as authenticated on this connection (roles/privileges are resolved by the
  // caller through the role graph and stored with SetRolesAndPrivileges).
  void Login(UserName user) { user_ = std::move(user); }
  // Forgets the user (the logout command, or a dropped user).
  void Logout() { user_.reset(); roles_.clear(); }

  // Every role the user holds, directly or by inheritance.
  const std::vector<RoleName>& roles() const { return roles_; }
  void SetRoles(std::vector<RoleName> roles) { roles_ = std::move(roles); }

 private:
  std::optional<UserName> user_;
  std::vector<RoleName> roles_;
};

}  // namespace dds::auth
