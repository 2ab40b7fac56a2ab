// Built-in roles (mongod's privilege sets), role resolution with inheritance, missing roles and
// cycles, and the AuthorizationSession checks over resolved privileges.
#include "auth/role_graph.h"

#include <gtest/gtest.h>

#include <map>

#include "auth/authorization_session.h"
#include "auth/builtin_roles.h"
#include "test_util.h"

namespace dds::auth {
namespace {

using A = ActionType;
using T = ResourceTarget;

AuthorizationSession SessionWith(std::vector<RoleName> roles, const RoleLookup& lookup = {}) {
  auto resolved = ResolveRoles(roles, lookup);
  EXPECT_TRUE(resolved.ok());
  AuthorizationSession s;
  s.Login({"u", "admin"});
  s.SetRolesAndPrivileges(resolved.value().roles, resolved.value().privileges, 1);
  return s;
}

TEST(BuiltinRoles, WhereTheyExist) {
  EXPECT_TRUE(IsBuiltinRole({"read", "shop"}));
  EXPECT_TRUE(IsBuiltinRole({"dbOwner", "admin"}));
  EXPECT_TRUE(IsBuiltinRole({"root", "admin"}));
  EXPECT_FALSE(IsBuiltinRole({"root", "shop"}));
  EXPECT_FALSE(IsBuiltinRole({"readAnyDatabase", "shop"}));
  EXPECT_FALSE(IsBuiltinRole({"Read", "shop"}));
  auto names = BuiltinRoleNames("admin");
  EXPECT_NE(std::find(names.begin(), names.end(), "clusterMonitor"), names.end());
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(BuiltinRoleNames("shop").size(), 6u);
}

TEST(BuiltinRoles, ReadAndReadWrite) {
  AuthorizationSession read = SessionWith({{"read", "shop"}});
  EXPECT_TRUE(read.IsAuthorizedOnNamespace("shop", "orders", {A::kFind, A::kListIndexes}));
  EXPECT_TRUE(read.IsAuthorizedOnDatabase("shop", {A::kListCollections, A::kDbStats}));
  EXPECT_FALSE(read.IsAuthorizedOnNamespace("shop", "orders", {A::kInsert}));
  EXPECT_FALSE(read.IsAuthorizedOnNamespace("other", "orders", {A::kFind}));
  EXPECT_TRUE(read.IsAuthorizedOnNamespace("shop", "system.js", {A::kFind}));
  EXPECT_FALSE(read.IsAuthorizedOnNamespace("shop", "system.profile", {A::kFind}));

  AuthorizationSession rw = SessionWith({{"readWrite", "shop"}});
  EXPECT_TRUE(rw.IsAuthorizedOnNamespace(
      "shop", "orders",
      {A::kFind, A::kInsert, A::kUpdate, A::kRemove, A::kCreateIndex, A::kDropCollection}));
  EXPECT_TRUE(rw.IsAuthorizedOnDatabase("shop", {A::kRenameCollectionSameDB}));
  EXPECT_FALSE(rw.IsAuthorizedOnDatabase("shop", {A::kDropDatabase}));
  EXPECT_FALSE(rw.IsAuthorizedOnNamespace("shop", "orders", {A::kBypassDocumentValidation}));
  EXPECT_FALSE(rw.IsAuthorizedOnDatabase("shop", {A::kCreateUser}));
  EXPECT_FALSE(rw.IsAuthorizedOnNamespace("other", "x", {A::kInsert}));
}

TEST(BuiltinRoles, DbAdminUserAdminDbOwner) {
  AuthorizationSession dba = SessionWith({{"dbAdmin", "shop"}});
  EXPECT_TRUE(dba.IsAuthorizedOnNamespace("shop", "c", {A::kCollMod, A::kValidate, A::kCollStats}));
  EXPECT_TRUE(dba.IsAuthorizedOnDatabase("shop", {A::kDropDatabase, A::kEnableProfiler}));
  EXPECT_FALSE(dba.IsAuthorizedOnNamespace("shop", "c", {A::kFind}));
  EXPECT_TRUE(dba.IsAuthorizedOnNamespace("shop", "system.profile", {A::kFind}));

  AuthorizationSession ua = SessionWith({{"userAdmin", "shop"}});
  EXPECT_TRUE(ua.IsAuthorizedOnDatabase("shop", {A::kCreateUser, A::kGrantRole, A::kViewRole}));
  EXPECT_FALSE(ua.IsAuthorizedOnNamespace("shop", "c", {A::kFind}));

  AuthorizationSession owner = SessionWith({{"dbOwner", "shop"}});
  EXPECT_TRUE(owner.IsAuthorizedOnNamespace("shop", "c", {A::kFind, A::kInsert, A::kCollMod}));
  EXPECT_TRUE(owner.IsAuthorizedOnDatabase("shop", {A::kCreateUser, A::kDropDatabase}));
  // Built-in roles are flattened: dbOwner is the only role held.
  EXPECT_EQ(owner.roles().size(), 1u);
}

TEST(BuiltinRoles, AnyDatabaseRoles) {
  AuthorizationSession rad = SessionWith({{"readAnyDatabase", "admin"}});
  EXPECT_TRUE(rad.IsAuthorizedOnNamespace("x", "y", {A::kFind}));
  EXPECT_TRUE(rad.IsAuthorizedOnCluster({A::kListDatabases}));
  EXPECT_FALSE(rad.IsAuthorizedOnNamespace("local", "y", {A::kFind}));
  EXPECT_FALSE(rad.IsAuthorizedOnNamespace("admin", "system.users", {A::kFind}));
  EXPECT_FALSE(rad.IsAuthorizedOnNamespace("x", "y", {A::kInsert}));

  AuthorizationSession rwad = SessionWith({{"readWriteAnyDatabase", "admin"}});
  EXPECT_TRUE(rwad.IsAuthorizedOnNamespace("x", "y", {A::kInsert, A::kFind}));
  EXPECT_TRUE(rwad.IsAuthorizedOnCluster({A::kListDatabases}));

  AuthorizationSession uaad = SessionWith({{"userAdminAnyDatabase", "admin"}});
  EXPECT_TRUE(uaad.IsAuthorizedOnDatabase("x", {A::kCreateUser}));
  EXPECT_TRUE(uaad.IsAuthorizedOnNamespace("admin", "system.users", {A::kFind}));
  EXPECT_FALSE(uaad.IsAuthorizedOnNamespace("x", "y", {A::kFind}));

  AuthorizationSession daad = SessionWith({{"dbAdminAnyDatabase", "admin"}});
  EXPECT_TRUE(daad.IsAuthorizedOnNamespace("x", "y", {A::kCollMod}));
  EXPECT_FALSE(daad.IsAuthorizedOnNamespace("x", "y", {A::kFind}));
}

TEST(BuiltinRoles, ClusterRoles) {
  AuthorizationSession monitor = SessionWith({{"clusterMonitor", "admin"}});
  EXPECT_TRUE(monitor.IsAuthorizedOnCluster(
      {A::kServerStatus, A::kInprog, A::kGetLog, A::kGetCmdLineOpts, A::kHostInfo}));
  EXPECT_FALSE(monitor.IsAuthorizedOnCluster({A::kShutdown}));
  EXPECT_TRUE(monitor.IsAuthorizedOnNamespace("x", "y", {A::kCollStats}));
  EXPECT_FALSE(monitor.IsAuthorizedOnNamespace("x", "y", {A::kFind}));
  EXPECT_TRUE(monitor.IsAuthorizedOnNamespace("config", "y", {A::kFind}));

  AuthorizationSession host = SessionWith({{"hostManager", "admin"}});
  EXPECT_TRUE(host.IsAuthorizedOnCluster({A::kShutdown, A::kFsync, A::kKillop, A::kSetParameter}));
  EXPECT_FALSE(host.IsAuthorizedOnCluster({A::kServerStatus}));

  AuthorizationSession admin = SessionWith({{"clusterAdmin", "admin"}});
  EXPECT_TRUE(admin.IsAuthorizedOnCluster({A::kShutdown, A::kServerStatus, A::kListDatabases}));
  EXPECT_TRUE(admin.IsAuthorizedOnDatabase("x", {A::kDropDatabase}));
  EXPECT_FALSE(admin.IsAuthorizedOnNamespace("x", "y", {A::kInsert}));
}

TEST(BuiltinRoles, BackupRestoreRoot) {
  AuthorizationSession backup = SessionWith({{"backup", "admin"}});
  EXPECT_TRUE(backup.IsAuthorizedOnNamespace("x", "y", {A::kFind}));
  EXPECT_TRUE(backup.IsAuthorizedOnNamespace("admin", "system.users", {A::kFind}));
  EXPECT_FALSE(backup.IsAuthorizedOnNamespace("x", "y", {A::kInsert}));

  AuthorizationSession restore = SessionWith({{"restore", "admin"}});
  EXPECT_TRUE(restore.IsAuthorizedOnNamespace("x", "y",
                                              {A::kInsert, A::kBypassDocumentValidation}));
  EXPECT_TRUE(restore.IsAuthorizedOnNamespace("admin", "system.users", {A::kInsert, A::kRemove}));
  EXPECT_FALSE(restore.IsAuthorizedOnNamespace("x", "y", {A::kFind}));

  AuthorizationSession root = SessionWith({{"root", "admin"}});
  EXPECT_TRUE(root.IsAuthorizedOnNamespace("x", "y", {A::kFind, A::kInsert, A::kCollMod}));
  EXPECT_TRUE(root.IsAuthorizedOnCluster({A::kShutdown, A::kListDatabases, A::kInprog}));
  EXPECT_TRUE(root.IsAuthorizedOnDatabase("x", {A::kCreateUser, A::kDropDatabase}));
  EXPECT_TRUE(root.IsAuthorizedOnNamespace("admin", "system.users", {A::kFind, A::kInsert}));
  EXPECT_TRUE(root.IsAuthorizedOnNamespace("local", "system.replset", {A::kValidate}));
}

// User-defined roles held in a map.
struct FakeRoles {
  std::map<RoleName, RoleDefinition> roles;
  RoleLookup Lookup() {
    return [this](const RoleName& n) -> StatusWith<std::optional<RoleDefinition>> {
      auto it = roles.find(n);
      if (it == roles.end()) return std::optional<RoleDefinition>();
      return std::optional<RoleDefinition>(it->second);
    };
  }
  void Add(RoleName name, PrivilegeVector privileges, std::vector<RoleName> subroles) {
    roles[name] = RoleDefinition{name, std::move(privileges), std::move(subroles)};
  }
};

TEST(RoleGraph, InheritanceAndMissingRoles) {
  FakeRoles fake;
  fake.Add({"ordersReader", "shop"}, {{ResourcePattern::ExactNamespace("shop", "orders"), {A::kFind}}},
           {});
  fake.Add({"clerk", "shop"}, {{ResourcePattern::ExactNamespace("shop", "orders"), {A::kInsert}}},
           {{"ordersReader", "shop"}, {"gone", "shop"}, {"read", "catalog"}});
  auto resolved = ResolveRoles({{"clerk", "shop"}}, fake.Lookup());
  ASSERT_OK(resolved);
  EXPECT_EQ(resolved.value().roles.size(), 3u);
  ASSERT_EQ(resolved.value().missing.size(), 1u);
  EXPECT_EQ(resolved.value().missing[0].role, "gone");
  AuthorizationSession s = SessionWith({{"clerk", "shop"}}, fake.Lookup());
  EXPECT_TRUE(s.IsAuthorizedOnNamespace("shop", "orders", {A::kFind, A::kInsert}));
  EXPECT_FALSE(s.IsAuthorizedOnNamespace("shop", "customers", {A::kFind}));
  EXPECT_TRUE(s.IsAuthorizedOnNamespace("catalog", "items", {A::kFind}));
  EXPECT_TRUE(s.HasAnyPrivilegeOnDatabase("shop"));
  EXPECT_TRUE(s.HasAnyPrivilegeOnDatabase("catalog"));
  EXPECT_FALSE(s.HasAnyPrivilegeOnDatabase("other"));
  EXPECT_TRUE(s.HasAnyPrivilegeOnNamespace("shop", "orders"));
  EXPECT_FALSE(s.HasAnyPrivilegeOnNamespace("shop", "customers"));
}

TEST(RoleGraph, CyclesAreRefusedAndHarmlessWhenStored) {
  FakeRoles fake;
  fake.Add({"a", "d"}, {}, {{"b", "d"}});
  fake.Add({"b", "d"}, {}, {{"c", "d"}});
  fake.Add({"c", "d"}, {}, {});
  EXPECT_OK(CheckRoleGraphEdges({"c", "d"}, {{"read", "d"}}, fake.Lookup()));
  Status cycle = CheckRoleGraphEdges({"c", "d"}, {{"a", "d"}}, fake.Lookup());
  EXPECT_EQ(cycle.code(), 49);
  EXPECT_EQ(cycle.reason(), "Granting a@d to c@d would introduce a cycle in the role graph.");
  Status self = CheckRoleGraphEdges({"a", "d"}, {{"a", "d"}}, fake.Lookup());
  EXPECT_EQ(self.code(), 49);
  EXPECT_CODE(CheckRoleGraphEdges({"a", "d"}, {{"nope", "d"}}, fake.Lookup()),
              ErrorCode::kRoleNotFound);
  // A cycle already in storage does not loop.
  fake.Add({"c", "d"}, {{ResourcePattern::Database("d"), {A::kFind}}}, {{"a", "d"}});
  auto resolved = ResolveRoles({{"a", "d"}}, fake.Lookup());
  ASSERT_OK(resolved);
  EXPECT_EQ(resolved.value().roles.size(), 3u);
  EXPECT_TRUE(PrivilegesAllow(resolved.value().privileges, T::Namespace("d", "x"), {A::kFind}));
}

TEST(AuthorizationSession, LoginLogout) {
  AuthorizationSession s;
  EXPECT_FALSE(s.authenticated());
  EXPECT_FALSE(s.IsAuthorizedOnCluster({A::kServerStatus}));
  s = SessionWith({{"root", "admin"}});
  EXPECT_TRUE(s.authenticated());
  EXPECT_EQ(s.generation(), 1u);
  s.Logout();
  EXPECT_FALSE(s.authenticated());
  EXPECT_TRUE(s.privileges().empty());
  EXPECT_FALSE(s.IsAuthorizedOnCluster({A::kServerStatus}));
}

}  // namespace
}  // namespace dds::auth
