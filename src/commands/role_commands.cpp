// createRole, updateRole, dropRole, dropAllRolesFromDatabase, rolesInfo, grantPrivilegesToRole,
// revokePrivilegesFromRole, grantRolesToRole, revokeRolesFromRole, and their authorization
// checks (commands/user_commands.h).
#include <algorithm>
#include <optional>
#include <string>

#include "auth/authorization_session.h"
#include "auth/builtin_roles.h"
#include "auth/role_graph.h"
#include "commands/command_authorization.h"
#include "commands/request_parser.h"
#include "commands/user_commands.h"
#include "commands/user_store.h"

namespace dds::commands {

namespace {

using auth::ActionSet;
using auth::ResourceTarget;
using bson::BsonBuilder;
using bson::BsonElement;
using bson::BsonType;
using bson::BsonView;
using A = auth::ActionType;

StatusWith<auth::RoleName> CommandRoleName(const CommandContext& ctx, const BsonView& cmd) {
  BsonElement first = cmd.FirstElement();
  if (first.type() != BsonType::kString) {
    return WrongTypeError(first.field_name(), first, "string");
  }
  if (first.String().empty()) {
    return Status(ErrorCode::kBadValue, "Role name must be non-empty");
  }
  return auth::RoleName{std::string(first.String()), ctx.db};
}

// mongod: roles outside admin may only hold privileges on their own database.
Status CheckPrivilegesAllowedOnRole(const auth::RoleName& role,
                                    const auth::PrivilegeVector& privileges) {
  if (role.db == "admin") return Status::OK();
  for (const auth::Privilege& p : privileges) {
    auth::MatchType t = p.resource.match_type();
    bool own_db = (t == auth::MatchType::kDatabase || t == auth::MatchType::kExactNamespace) &&
                  p.resource.db() == role.db;
    if (!own_db) {
      return Status(ErrorCode::kInvalidRoleModification,
                    "Roles on the '" + role.db +
                        "' database cannot be granted privileges that target other databases or "
                        "the cluster");
    }
  }
  return Status::OK();
}

// mongod: roles outside admin may only inherit roles of their own database; no cycles.
Status CheckSubrolesAllowed(CommandContext& ctx, const auth::RoleName& role,
                            const std::vector<auth::RoleName>& subroles) {
  for (const auth::RoleName& r : subroles) {
    if (role.db != "admin" && r.db != role.db) {
      return Status(
          ErrorCode::kInvalidRoleModification,
          "Roles on the '" + role.db + "' database cannot be granted roles from other databases");
    }
  }
  DDS_RETURN_IF_ERROR(CheckRolesExist(ctx, subroles));
  DDS_ASSIGN_OR_RETURN(UserStore * users, Users(ctx));
  return auth::CheckRoleGraphEdges(role, subroles, users->RoleLookupFn());
}

StatusWith<auth::RoleDefinition> RequireUserDefinedRole(CommandContext& ctx,
                                                        const auth::RoleName& name,
                                                        std::string_view builtin_message) {
  if (auth::IsBuiltinRole(name)) {
    return Status(ErrorCode::kInvalidRoleModification,
                  std::string(builtin_message) + name.ToString());
  }
  DDS_ASSIGN_OR_RETURN(UserStore * users, Users(ctx));
  DDS_ASSIGN_OR_RETURN(std::optional<auth::RoleDefinition> role, users->FindRole(name));
  if (!role) return Status(ErrorCode::kRoleNotFound, "Role " + name.ToString() + " not found");
  return std::move(*role);
}

const auth::AuthorizationSession& Session(const CommandContext& ctx) { return ctx.client.auth; }

// mongod's isAuthorizedToGrantPrivilege: `action` on the privilege's database, or on admin for
// cluster-wide and cross-database resources.
Status RequireOnPrivilegeDbs(const CommandContext& ctx, const BsonView& cmd, A action) {
  BsonElement privileges = cmd.Get("privileges");
  if (privileges.eoo()) return Status::OK();
  StatusWith<auth::PrivilegeVector> parsed = auth::ParsePrivileges(privileges, "privileges");
  if (!parsed.ok()) return Status::OK();
  for (const auth::Privilege& p : parsed.value()) {
    auth::MatchType t = p.resource.match_type();
    bool in_db = t == auth::MatchType::kDatabase || t == auth::MatchType::kExactNamespace;
    std::string_view db = in_db ? std::string_view(p.resource.db()) : std::string_view("admin");
    DDS_RETURN_IF_ERROR(RequireAuthorized(ctx, cmd, ResourceTarget::Database(db), {action}));
  }
  return Status::OK();
}

}  // namespace

StatusWith<bson::BsonDocument> RunCreateRole(CommandContext& ctx, const BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(auth::RoleName name, CommandRoleName(ctx, cmd));
  FieldParser p("createRole", cmd);
  DDS_ASSIGN_OR_RETURN(BsonElement privileges_element, p.TakeRequired("privileges"));
  DDS_ASSIGN_OR_RETURN(BsonElement roles_element, p.TakeRequired("roles"));
  DDS_RETURN_IF_ERROR(RejectAuthenticationRestrictions(p));
  DDS_RETURN_IF_ERROR(p.Finish());
  DDS_ASSIGN_OR_RETURN(auth::PrivilegeVector privileges,
                       auth::ParsePrivileges(privileges_element, "createRole.privileges"));
  DDS_ASSIGN_OR_RETURN(std::vector<auth::RoleName> roles,
                       ParseRoleNames(roles_element, ctx.db, "createRole.roles"));
  if (ctx.db == "$external") {
    return Status(ErrorCode::kBadValue, "Cannot create roles in the $external database");
  }
  if (auth::IsBuiltinRole(name)) {
    return Status(ErrorCode::kBadValue,
                  "Cannot create roles with the same name as a built-in role");
  }
  DDS_RETURN_IF_ERROR(CheckPrivilegesAllowedOnRole(name, privileges));
  DDS_RETURN_IF_ERROR(CheckSubrolesAllowed(ctx, name, roles));
  DDS_ASSIGN_OR_RETURN(UserStore * users, Users(ctx));
  DDS_RETURN_IF_ERROR(users->InsertRole({name, std::move(privileges), std::move(roles)}));
  return bson::BsonDocument();
}

StatusWith<bson::BsonDocument> RunUpdateRole(CommandContext& ctx, const BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(auth::RoleName name, CommandRoleName(ctx, cmd));
  FieldParser p("updateRole", cmd);
  BsonElement privileges_element = p.Take("privileges");
  BsonElement roles_element = p.Take("roles");
  DDS_RETURN_IF_ERROR(RejectAuthenticationRestrictions(p));
  DDS_RETURN_IF_ERROR(p.Finish());
  if (privileges_element.eoo() && roles_element.eoo()) {
    return Status(ErrorCode::kBadValue, "Must specify at least one field to update in updateRole");
  }
  DDS_ASSIGN_OR_RETURN(auth::RoleDefinition role,
                       RequireUserDefinedRole(ctx, name, "Cannot update built-in role: "));
  if (!privileges_element.eoo()) {
    DDS_ASSIGN_OR_RETURN(role.privileges,
                         auth::ParsePrivileges(privileges_element, "updateRole.privileges"));
    DDS_RETURN_IF_ERROR(CheckPrivilegesAllowedOnRole(name, role.privileges));
  }
  if (!roles_element.eoo()) {
    DDS_ASSIGN_OR_RETURN(role.roles, ParseRoleNames(roles_element, ctx.db, "updateRole.roles"));
    DDS_RETURN_IF_ERROR(CheckSubrolesAllowed(ctx, name, role.roles));
  }
  DDS_ASSIGN_OR_RETURN(UserStore * users, Users(ctx));
  DDS_RETURN_IF_ERROR(users->UpsertRole(role));
  return bson::BsonDocument();
}

StatusWith<bson::BsonDocument> RunDropRole(CommandContext& ctx, const BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(auth::RoleName name, CommandRoleName(ctx, cmd));
  FieldParser p("dropRole", cmd);
  DDS_RETURN_IF_ERROR(p.Finish());
  if (auth::IsBuiltinRole(name)) {
    return Status(ErrorCode::kInvalidRoleModification,
                  "Cannot delete built-in role: " + name.ToString());
  }
  DDS_ASSIGN_OR_RETURN(UserStore * users, Users(ctx));
  DDS_RETURN_IF_ERROR(users->DropRole(name));
  return bson::BsonDocument();
}

StatusWith<bson::BsonDocument> RunDropAllRolesFromDatabase(CommandContext& ctx,
                                                           const BsonView& cmd) {
  FieldParser p("dropAllRolesFromDatabase", cmd);
  DDS_RETURN_IF_ERROR(p.Finish());
  DDS_ASSIGN_OR_RETURN(UserStore * users, Users(ctx));
  DDS_ASSIGN_OR_RETURN(int64_t n, users->DropAllRoles(ctx.db));
  BsonBuilder b;
  b.AppendInt32("n", static_cast<int32_t>(n));
  return b.Done();
}

namespace {

struct RolesInfoTarget {
  bool all_in_db = false;
  std::vector<auth::RoleName> names;
};

StatusWith<auth::RoleName> ParseRoleNameValue(const BsonElement& e, std::string_view db) {
  if (e.type() == BsonType::kString)
    return auth::RoleName{std::string(e.String()), std::string(db)};
  if (e.type() == BsonType::kObject) {
    BsonElement role = e.Object().Get("role");
    BsonElement role_db = e.Object().Get("db");
    if (role.type() == BsonType::kString && role_db.type() == BsonType::kString) {
      return auth::RoleName{std::string(role.String()), std::string(role_db.String())};
    }
  }
  return Status(ErrorCode::kBadValue,
                "Role name must be either a string or an object with 'role' and 'db' fields");
}

StatusWith<RolesInfoTarget> ParseRolesInfoTarget(const BsonElement& e, std::string_view db) {
  RolesInfoTarget t;
  if (e.IsNumber()) {
    if (e.NumberDouble() != 1) {
      return Status(ErrorCode::kBadValue, "rolesInfo must be 1, a role name, or an array");
    }
    t.all_in_db = true;
  } else if (e.type() == BsonType::kArray) {
    for (const BsonElement& item : e.Array()) {
      DDS_ASSIGN_OR_RETURN(auth::RoleName name, ParseRoleNameValue(item, db));
      t.names.push_back(std::move(name));
    }
  } else {
    DDS_ASSIGN_OR_RETURN(auth::RoleName name, ParseRoleNameValue(e, db));
    t.names.push_back(std::move(name));
  }
  return t;
}

// One rolesInfo entry, in mongod's field order.
Status AppendRoleInfo(CommandContext& ctx, BsonBuilder* b, const auth::RoleDefinition& role,
                      bool builtin, bool show_privileges) {
  DDS_ASSIGN_OR_RETURN(UserStore * users, Users(ctx));
  DDS_ASSIGN_OR_RETURN(auth::ResolvedRoles inherited, users->Resolve(role.roles));
  if (!builtin) b->AppendString("_id", role.name.Id());
  b->AppendString("role", role.name.role);
  b->AppendString("db", role.name.db);
  if (show_privileges) auth::AppendPrivilegeArray(b, "privileges", role.privileges);
  AppendRoleNames(b, "roles", role.roles);
  b->AppendBool("isBuiltin", builtin);
  AppendRoleNames(b, "inheritedRoles", inherited.roles);
  if (show_privileges) {
    auth::PrivilegeVector all = role.privileges;
    auth::AddPrivileges(&all, inherited.privileges);
    auth::AppendPrivilegeArray(b, "inheritedPrivileges", all);
  }
  return Status::OK();
}

}  // namespace

StatusWith<bson::BsonDocument> RunRolesInfo(CommandContext& ctx, const BsonView& cmd) {
  FieldParser p("rolesInfo", cmd);
  bool show_builtin = false;
  bool show_restrictions = false;
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("showBuiltinRoles", &show_builtin));
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("showAuthenticationRestrictions", &show_restrictions));
  // showPrivileges: true or "asUserFragment" (the latter is not supported).
  bool show_privileges = false;
  BsonElement privileges_option = p.Take("showPrivileges");
  if (privileges_option.type() == BsonType::kString) {
    return Status(ErrorCode::kNotImplemented,
                  "showPrivileges: \"asUserFragment\" is not supported");
  }
  if (!privileges_option.eoo()) show_privileges = privileges_option.TrueValue();
  DDS_RETURN_IF_ERROR(p.Finish());
  DDS_ASSIGN_OR_RETURN(RolesInfoTarget target, ParseRolesInfoTarget(cmd.FirstElement(), ctx.db));
  DDS_ASSIGN_OR_RETURN(UserStore * users, Users(ctx));

  std::vector<std::pair<auth::RoleDefinition, bool>> found;  // (role, builtin)
  if (target.all_in_db) {
    if (show_builtin) {
      for (const std::string& n : auth::BuiltinRoleNames(ctx.db)) {
        found.emplace_back(*auth::BuiltinRoleDefinition({n, ctx.db}), true);
      }
    }
    DDS_ASSIGN_OR_RETURN(std::vector<auth::RoleDefinition> defined, users->ListRoles(ctx.db));
    for (auto& r : defined) found.emplace_back(std::move(r), false);
  } else {
    for (const auth::RoleName& n : target.names) {
      if (std::optional<auth::RoleDefinition> b = auth::BuiltinRoleDefinition(n)) {
        found.emplace_back(std::move(*b), true);
        continue;
      }
      DDS_ASSIGN_OR_RETURN(std::optional<auth::RoleDefinition> r, users->FindRole(n));
      if (r) found.emplace_back(std::move(*r), false);
    }
  }
  BsonBuilder b;
  b.StartArray("roles");
  for (size_t i = 0; i < found.size(); ++i) {
    b.StartDocument(bson::IndexName(i));
    DDS_RETURN_IF_ERROR(AppendRoleInfo(ctx, &b, found[i].first, found[i].second, show_privileges));
    b.End();
  }
  b.End();
  return b.Done();
}

namespace {

StatusWith<bson::BsonDocument> ChangeRolePrivileges(CommandContext& ctx, const BsonView& cmd,
                                                    std::string_view command, bool grant) {
  DDS_ASSIGN_OR_RETURN(auth::RoleName name, CommandRoleName(ctx, cmd));
  FieldParser p(std::string(command), cmd);
  DDS_ASSIGN_OR_RETURN(BsonElement element, p.TakeRequired("privileges"));
  DDS_RETURN_IF_ERROR(p.Finish());
  DDS_ASSIGN_OR_RETURN(auth::PrivilegeVector privileges,
                       auth::ParsePrivileges(element, std::string(command) + ".privileges"));
  if (privileges.empty()) {
    return Status(ErrorCode::kBadValue,
                  std::string(command) + " command requires a non-empty \"privileges\" array");
  }
  DDS_ASSIGN_OR_RETURN(
      auth::RoleDefinition role,
      RequireUserDefinedRole(ctx, name,
                             grant ? "Cannot grant privileges to built-in role: "
                                   : "Cannot remove privileges from built-in role: "));
  if (grant) {
    DDS_RETURN_IF_ERROR(CheckPrivilegesAllowedOnRole(name, privileges));
    auth::AddPrivileges(&role.privileges, privileges);
  } else {
    for (const auth::Privilege& priv : privileges) auth::RemovePrivilege(&role.privileges, priv);
  }
  DDS_ASSIGN_OR_RETURN(UserStore * users, Users(ctx));
  DDS_RETURN_IF_ERROR(users->UpsertRole(role));
  return bson::BsonDocument();
}

StatusWith<bson::BsonDocument> ChangeRoleRoles(CommandContext& ctx, const BsonView& cmd,
                                               std::string_view command, bool grant) {
  DDS_ASSIGN_OR_RETURN(auth::RoleName name, CommandRoleName(ctx, cmd));
  FieldParser p(std::string(command), cmd);
  DDS_ASSIGN_OR_RETURN(BsonElement element, p.TakeRequired("roles"));
  DDS_RETURN_IF_ERROR(p.Finish());
  DDS_ASSIGN_OR_RETURN(std::vector<auth::RoleName> roles,
                       ParseRoleNames(element, ctx.db, std::string(command) + ".roles"));
  if (roles.empty()) {
    return Status(ErrorCode::kBadValue,
                  std::string(command) + " command requires a non-empty \"roles\" array");
  }
  DDS_ASSIGN_OR_RETURN(auth::RoleDefinition role,
                       RequireUserDefinedRole(ctx, name,
                                              grant ? "Cannot grant roles to built-in role: "
                                                    : "Cannot remove roles from built-in role: "));
  if (grant) {
    DDS_RETURN_IF_ERROR(CheckSubrolesAllowed(ctx, name, roles));
    for (const auth::RoleName& r : roles) {
      if (std::find(role.roles.begin(), role.roles.end(), r) == role.roles.end()) {
        role.roles.push_back(r);
      }
    }
  } else {
    DDS_RETURN_IF_ERROR(CheckRolesExist(ctx, roles));
    for (const auth::RoleName& r : roles) {
      role.roles.erase(std::remove(role.roles.begin(), role.roles.end(), r), role.roles.end());
    }
  }
  DDS_ASSIGN_OR_RETURN(UserStore * users, Users(ctx));
  DDS_RETURN_IF_ERROR(users->UpsertRole(role));
  return bson::BsonDocument();
}

}  // namespace

StatusWith<bson::BsonDocument> RunGrantPrivilegesToRole(CommandContext& ctx, const BsonView& cmd) {
  return ChangeRolePrivileges(ctx, cmd, "grantPrivilegesToRole", true);
}

StatusWith<bson::BsonDocument> RunRevokePrivilegesFromRole(CommandContext& ctx,
                                                           const BsonView& cmd) {
  return ChangeRolePrivileges(ctx, cmd, "revokePrivilegesFromRole", false);
}

StatusWith<bson::BsonDocument> RunGrantRolesToRole(CommandContext& ctx, const BsonView& cmd) {
  return ChangeRoleRoles(ctx, cmd, "grantRolesToRole", true);
}

StatusWith<bson::BsonDocument> RunRevokeRolesFromRole(CommandContext& ctx, const BsonView& cmd) {
  return ChangeRoleRoles(ctx, cmd, "revokeRolesFromRole", false);
}

// --- authorization checks ------------------------------------------------------------------

Status CheckCreateRole(const CommandContext& ctx, const BsonView& cmd) {
  DDS_RETURN_IF_ERROR(RequireAuthorized(ctx, cmd, ResourceTarget::Database(ctx.db), {A::kCreateRole}));
  DDS_RETURN_IF_ERROR(RequireOnRoleDbs(ctx, cmd, "roles", A::kGrantRole));
  return RequireOnPrivilegeDbs(ctx, cmd, A::kGrantRole);
}

Status CheckUpdateRole(const CommandContext& ctx, const BsonView& cmd) {
  DDS_RETURN_IF_ERROR(RequireOnRoleDbs(ctx, cmd, "roles", A::kGrantRole));
  DDS_RETURN_IF_ERROR(RequireOnPrivilegeDbs(ctx, cmd, A::kGrantRole));
  return RequireAuthorized(ctx, cmd, ResourceTarget::Database(ctx.db), {A::kRevokeRole});
}

Status CheckDropRole(const CommandContext& ctx, const BsonView& cmd) {
  return RequireAuthorized(ctx, cmd, ResourceTarget::Database(ctx.db), {A::kDropRole});
}

Status CheckDropAllRoles(const CommandContext& ctx, const BsonView& cmd) {
  return RequireAuthorized(ctx, cmd, ResourceTarget::Database(ctx.db), {A::kDropRole});
}

Status CheckRolesInfo(const CommandContext& ctx, const BsonView& cmd) {
  StatusWith<RolesInfoTarget> target = ParseRolesInfoTarget(cmd.FirstElement(), ctx.db);
  if (!target.ok()) return Status::OK();  // the command reports it
  if (target.value().all_in_db) {
    return RequireAuthorized(ctx, cmd, ResourceTarget::Database(ctx.db), {A::kViewRole});
  }
  const std::vector<auth::RoleName>& held = Session(ctx).roles();
  for (const auth::RoleName& r : target.value().names) {
    if (std::find(held.begin(), held.end(), r) != held.end()) continue;  // one's own roles
    DDS_RETURN_IF_ERROR(RequireAuthorized(ctx, cmd, ResourceTarget::Database(r.db), {A::kViewRole}));
  }
  return Status::OK();
}

Status CheckGrantPrivilegesToRole(const CommandContext& ctx, const BsonView& cmd) {
  return RequireOnPrivilegeDbs(ctx, cmd, A::kGrantRole);
}

Status CheckRevokePrivilegesFromRole(const CommandContext& ctx, const BsonView& cmd) {
  return RequireOnPrivilegeDbs(ctx, cmd, A::kRevokeRole);
}

Status CheckGrantRolesToRole(const CommandContext& ctx, const BsonView& cmd) {
  return RequireOnRoleDbs(ctx, cmd, "roles", A::kGrantRole);
}

Status CheckRevokeRolesFromRole(const CommandContext& ctx, const BsonView& cmd) {
  return RequireOnRoleDbs(ctx, cmd, "roles", A::kRevokeRole);
}

}  // namespace dds::commands
