// The role graph: resolving a user's roles to every role it holds (transitively) and the union of
// their privileges, and the cycle check that createRole/updateRole/grantRolesToRole run, as
// mongod's RoleGraph (src/mongo/db/auth/role_graph.h).
//
// Built-in roles come from auth/builtin_roles.h; user-defined ones through a RoleLookup the
// caller supplies (commands/user_store.h reads admin.system.roles), which keeps this layer free
// of storage. Stateless functions; thread-safe when the lookup is.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "auth/role_definition.h"
#include "common/status.h"

namespace dds::auth {

// Returns the user-defined role `name`, or nullopt when there is none.
using RoleLookup = std::function<StatusWith<std::optional<RoleDefinition>>(const RoleName& name)>;

// Returns the built-in role `name`, else the user-defined one, else nullopt.
StatusWith<std::optional<RoleDefinition>> LookupRole(const RoleName& name, const RoleLookup& lookup);

struct ResolvedRoles {
  // Every role held, directly or by inheritance, sorted, without duplicates.
  std::vector<RoleName> roles;
  // The union of their privileges.
  PrivilegeVector privileges;
  // Roles named somewhere in the graph that do not exist (a dropped role still granted): they
  // grant nothing, as in mongod.
  std::vector<RoleName> missing;
};

// Resolves `direct` through the graph. Cycles (which the cycle check prevents, but stored data
// may contain) are harmless: every role is visited once.
StatusWith<ResolvedRoles> ResolveRoles(const std::vector<RoleName>& direct, const RoleLookup& lookup);

// Checks that making `role` inherit each of `subroles` keeps the graph acyclic:
// 49 InvalidRoleModification "Cannot grant role r@db to itself." or "Granting s@db to r@db would
// introduce a cycle in the role graph."; 31 RoleNotFound "Could not find role: s@db" for a
// missing subrole.
Status CheckRoleGraphEdges(const RoleName& role, const std::vector<RoleName>& subroles,
                           const RoleLookup& lookup);

}  // namespace dds::auth
