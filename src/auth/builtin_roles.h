// MongoDB's built-in roles (read, readWrite, dbAdmin, dbOwner, userAdmin, the *AnyDatabase roles,
// clusterMonitor, hostManager, clusterManager, clusterAdmin, backup, restore, root, __system)
// with mongod's privilege sets (src/mongo/db/auth/builtin_roles.yml, 7.0/8.0).
//
// Database roles (read, readWrite, dbAdmin, dbOwner, userAdmin, enableSharding) exist on every
// database; the others only on `admin`. As in mongod, a built-in role is reported with its
// privileges flattened and no inherited roles. Stateless; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/role_definition.h"

namespace dds::auth {

// True when `role` names a built-in role on its database (root@shop is not one).
bool IsBuiltinRole(const RoleName& role);

// Returns the role with its flattened privileges (roles empty), or nullopt when `role` is not a
// built-in role.
std::optional<RoleDefinition> BuiltinRoleDefinition(const RoleName& role);

// The names of the built-in roles that exist on `db`, sorted (rolesInfo showBuiltinRoles), the
// internal ones (__queryableBackup, __system) included as mongod lists them.
std::vector<std::string> BuiltinRoleNames(std::string_view db);

}  // namespace dds::auth
