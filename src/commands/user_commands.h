// User and role management commands (compat §2.11), run on the database the user or role is
// defined on, over the UserStore (commands/user_store.h):
//   user_commands.cpp: createUser, updateUser, dropUser, dropAllUsersFromDatabase, usersInfo,
//                      grantRolesToUser, revokeRolesFromUser
//   role_commands.cpp: createRole, updateRole, dropRole, dropAllRolesFromDatabase, rolesInfo,
//                      grantPrivilegesToRole, revokePrivilegesFromRole, grantRolesToRole,
//                      revokeRolesFromRole
// Their authorization checks (mongod's checkAuthFor*Command) are declared in
// commands/command_authorization.h and defined beside each command. Errors carry mongod's codes:
// 51003 user exists, 51002 role exists, 11 UserNotFound, 31 RoleNotFound, 49
// InvalidRoleModification, 40414 missing field, 14 TypeMismatch, 2 BadValue.
// Handlers are stateless; the store serializes writes.
#pragma once

#include <string_view>
#include <vector>

#include "auth/privilege.h"
#include "auth/user_name.h"
#include "bson/bson.h"
#include "commands/command.h"
#include "common/status.h"

namespace dds::commands {

class FieldParser;

#define DDS_DECLARE_HANDLER(fn) \
  StatusWith<bson::BsonDocument> fn(CommandContext& ctx, const bson::BsonView& cmd)

DDS_DECLARE_HANDLER(RunCreateUser);
DDS_DECLARE_HANDLER(RunUpdateUser);
DDS_DECLARE_HANDLER(RunDropUser);
DDS_DECLARE_HANDLER(RunDropAllUsersFromDatabase);
DDS_DECLARE_HANDLER(RunUsersInfo);
DDS_DECLARE_HANDLER(RunGrantRolesToUser);
DDS_DECLARE_HANDLER(RunRevokeRolesFromUser);

DDS_DECLARE_HANDLER(RunCreateRole);
DDS_DECLARE_HANDLER(RunUpdateRole);
DDS_DECLARE_HANDLER(RunDropRole);
DDS_DECLARE_HANDLER(RunDropAllRolesFromDatabase);
DDS_DECLARE_HANDLER(RunRolesInfo);
DDS_DECLARE_HANDLER(RunGrantPrivilegesToRole);
DDS_DECLARE_HANDLER(RunRevokePrivilegesFromRole);
DDS_DECLARE_HANDLER(RunGrantRolesToRole);
DDS_DECLARE_HANDLER(RunRevokeRolesFromRole);

#undef DDS_DECLARE_HANDLER

// Parses a `roles` array: each element a role name string (a role on `default_db`) or
// {role, db}. `path` names the field in errors ("createUser.roles"): 14 for wrong types, 40414
// for a missing role/db field.
StatusWith<std::vector<auth::RoleName>> ParseRoleNames(const bson::BsonElement& roles,
                                                       std::string_view default_db,
                                                       std::string_view path);

// 31 RoleNotFound "Could not find role: r@db" unless every role is built-in or user-defined.
Status CheckRolesExist(CommandContext& ctx, const std::vector<auth::RoleName>& roles);

// Takes `authenticationRestrictions` from `p`: absent or an empty array is fine, a non-empty one
// is NotImplemented (238), another type 14.
Status RejectAuthenticationRestrictions(FieldParser& p);

// 13 Unauthorized (mongod's message for `cmd`) unless the connection may do `actions` on
// `target`.
Status RequireAuthorized(const CommandContext& ctx, const bson::BsonView& cmd,
                         const auth::ResourceTarget& target, const auth::ActionSet& actions);

// mongod's checkAuthorizedToGrantRoles / RevokeRoles: `action` on the database of every role named
// in `cmd[field]` (a field that does not parse is left to the command to report).
Status RequireOnRoleDbs(const CommandContext& ctx, const bson::BsonView& cmd,
                        std::string_view field, auth::ActionType action);

// The user store; InternalError when the process has none.
StatusWith<class UserStore*> Users(const CommandContext& ctx);

}  // namespace dds::commands
