// RoleDefinition: one role as the role graph sees it: its name, the privileges it grants
// directly and the roles it inherits from. Built-in roles (auth/builtin_roles.h) and
// user-defined roles from admin.system.roles (commands/user_store.h) both produce it.
// Value type.
#pragma once

#include <vector>

#include "auth/privilege.h"
#include "auth/user_name.h"

namespace dds::auth {

struct RoleDefinition {
  RoleName name;
  PrivilegeVector privileges;
  std::vector<RoleName> roles;
};

}  // namespace dds::auth
