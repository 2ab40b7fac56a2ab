#include "auth/role_graph.h"

#include <algorithm>
#include <set>
#include <string>

#include "auth/builtin_roles.h"

namespace dds::auth {

StatusWith<std::optional<RoleDefinition>> LookupRole(const RoleName& name,
                                                     const RoleLookup& lookup) {
  if (std::optional<RoleDefinition> builtin = BuiltinRoleDefinition(name)) return builtin;
  if (!lookup) return std::optional<RoleDefinition>();
  return lookup(name);
}

StatusWith<ResolvedRoles> ResolveRoles(const std::vector<RoleName>& direct,
                                       const RoleLookup& lookup) {
  ResolvedRoles out;
  std::set<RoleName> seen;
  std::vector<RoleName> pending(direct.rbegin(), direct.rend());
  while (!pending.empty()) {
    RoleName name = std::move(pending.back());
    pending.pop_back();
    if (!seen.insert(name).second) continue;
    DDS_ASSIGN_OR_RETURN(std::optional<RoleDefinition> def, LookupRole(name, lookup));
    if (!def) {
      out.missing.push_back(name);
      continue;
    }
    out.roles.push_back(name);
    AddPrivileges(&out.privileges, def->privileges);
    for (auto it = def->roles.rbegin(); it != def->roles.rend(); ++it) pending.push_back(*it);
  }
  std::sort(out.roles.begin(), out.roles.end());
  return out;
}

Status CheckRoleGraphEdges(const RoleName& role, const std::vector<RoleName>& subroles,
                           const RoleLookup& lookup) {
  for (const RoleName& sub : subroles) {
    if (sub == role) {
      return Status(ErrorCode::kInvalidRoleModification,
                    "Cannot grant role " + role.ToString() + " to itself.");
    }
    DDS_ASSIGN_OR_RETURN(std::optional<RoleDefinition> sub_def, LookupRole(sub, lookup));
    if (!sub_def) {
      return Status(ErrorCode::kRoleNotFound, "Could not find role: " + sub.ToString());
    }
    // A cycle appears when `role` is reachable from `sub`.
    std::set<RoleName> seen;
    std::vector<RoleName> pending(sub_def->roles.begin(), sub_def->roles.end());
    while (!pending.empty()) {
      RoleName name = std::move(pending.back());
      pending.pop_back();
      if (name == role) {
        return Status(ErrorCode::kInvalidRoleModification,
                      "Granting " + sub.ToString() + " to " + role.ToString() +
                          " would introduce a cycle in the role graph.");
      }
      if (!seen.insert(name).second) continue;
      DDS_ASSIGN_OR_RETURN(std::optional<RoleDefinition> def, LookupRole(name, lookup));
      if (def) pending.insert(pending.end(), def->roles.begin(), def->roles.end());
    }
  }
  return Status::OK();
}

}  // namespace dds::auth
