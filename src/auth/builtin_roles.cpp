#include "auth/builtin_roles.h"

#include <algorithm>
#include <set>
#include <span>

namespace dds::auth {

namespace {

using A = ActionType;

// The action groups of builtin_roles.yml.
constexpr ActionSet kReadActions = {A::kChangeStream,     A::kCollStats,   A::kDbHash,
                                    A::kDbStats,          A::kFind,        A::kKillCursors,
                                    A::kListCollections,  A::kListIndexes, A::kListSearchIndexes,
                                    A::kPlanCacheRead};

constexpr ActionSet ReadWriteActions() {
  ActionSet s = kReadActions;
  s.Add({A::kCleanupStructuredEncryptionData, A::kCompactStructuredEncryptionData,
         A::kConvertToCapped, A::kCreateCollection, A::kCreateIndex, A::kCreateSearchIndexes,
         A::kDropCollection, A::kDropIndex, A::kDropSearchIndex, A::kInsert, A::kRemove,
         A::kRenameCollectionSameDB, A::kUpdate, A::kUpdateSearchIndex});
  return s;
}
constexpr ActionSet kReadWriteActions = ReadWriteActions();

constexpr ActionSet kUserAdminActions = {
    A::kChangeCustomData, A::kChangePassword, A::kCreateUser,  A::kCreateRole,
    A::kDropUser,         A::kDropRole,       A::kGrantRole,   A::kRevokeRole,
    A::kSetAuthenticationRestriction,         A::kViewUser,    A::kViewRole};

constexpr ActionSet kDbAdminActions = {
    A::kAnalyze,          A::kBypassDocumentValidation, A::kCollMod,
    A::kCollStats,        A::kCompact,                  A::kConvertToCapped,
    A::kCreateCollection, A::kDbStats,                  A::kDropCollection,
    A::kDropDatabase,     A::kDropIndex,                A::kDropSearchIndex,
    A::kCreateIndex,      A::kCreateSearchIndexes,      A::kEnableProfiler,
    A::kListCollections,  A::kListIndexes,              A::kListSearchIndexes,
    A::kUpdateSearchIndex, A::kPlanCacheIndexFilter,    A::kPlanCacheRead,
    A::kPlanCacheWrite,   A::kReIndex,                  A::kRenameCollectionSameDB,
    A::kStorageDetails,   A::kValidate,                 A::kConfigureQueryAnalyzer};

constexpr ActionSet ProfileActions() {
  ActionSet s = kReadActions;
  s.Add({A::kConvertToCapped, A::kCreateCollection, A::kDropCollection});
  return s;
}
constexpr ActionSet kProfileActions = ProfileActions();

constexpr ActionSet kClusterMonitorClusterActions = {
    A::kConnPoolStats,  A::kGetCmdLineOpts,     A::kGetDefaultRWConcern, A::kGetLog,
    A::kGetParameter,   A::kGetShardMap,        A::kHostInfo,            A::kListDatabases,
    A::kListSampledQueries, A::kListSessions,   A::kListShards,          A::kNetstat,
    A::kOperationMetrics, A::kReplSetGetConfig, A::kReplSetGetStatus,    A::kServerStatus,
    A::kTop,            A::kUseUUID,            A::kInprog,              A::kShardingState,
    A::kAllCollectionStats, A::kShardedDataDistribution};
constexpr ActionSet kClusterMonitorDbActions = {A::kCollStats, A::kDbStats, A::kGetDatabaseVersion,
                                                A::kGetShardVersion, A::kIndexStats};

constexpr ActionSet kHostManagerClusterActions = {
    A::kApplicationMessage, A::kAuditConfigure,     A::kConnPoolSync,   A::kDropConnections,
    A::kLogRotate,          A::kOidReset,           A::kSetParameter,   A::kShutdown,
    A::kTouch,              A::kUnlock,             A::kFlushRouterConfig, A::kFsync,
    A::kInvalidateUserCache, A::kKillAnyCursor,     A::kKillAnySession, A::kKillop,
    A::kReplSetResizeOplog, A::kResync,             A::kTrafficRecord,  A::kRotateCertificates,
    A::kOidcListKeys,       A::kOidcRefreshKeys};

constexpr ActionSet kClusterManagerClusterActions = {
    A::kAppendOplogNote,    A::kApplicationMessage, A::kReplSetConfigure,
    A::kReplSetGetConfig,   A::kReplSetGetStatus,   A::kReplSetStateChange,
    A::kResync,             A::kAddShard,           A::kRemoveShard,
    A::kListSessions,       A::kListShards,         A::kFlushRouterConfig,
    A::kCleanupOrphaned,    A::kGetDefaultRWConcern, A::kRunTenantMigration,
    A::kSetDefaultRWConcern, A::kSetFeatureCompatibilityVersion, A::kSetClusterParameter,
    A::kGetClusterParameter, A::kSetChangeStreamState, A::kGetChangeStreamState,
    A::kQuerySettings,      A::kQueryStatsRead,     A::kQueryStatsReadTransformed,
    A::kCheckMetadataConsistency, A::kTransitionFromDedicatedConfigServer,
    A::kTransitionToDedicatedConfigServer};
constexpr ActionSet kClusterManagerDbActions = {
    A::kAnalyzeShardKey, A::kConfigureQueryAnalyzer, A::kClearJumboFlag, A::kSplitChunk,
    A::kMoveChunk,       A::kMoveCollection,         A::kEnableSharding, A::kSplitVector,
    A::kRefineCollectionShardKey, A::kReshardCollection};
constexpr ActionSet kClusterManagerWriteActions = {A::kInsert, A::kUpdate, A::kRemove};

constexpr ActionSet kRestoreWriteActions = {
    A::kBypassDocumentValidation, A::kCollMod,     A::kConvertToCapped,
    A::kCreateCollection,         A::kCreateIndex, A::kCreateSearchIndexes,
    A::kDropCollection,           A::kInsert,      A::kUpdateSearchIndex};

ActionSet Union(ActionSet a, const ActionSet& b) {
  a.Add(b);
  return a;
}

// A role under construction.
struct Builder {
  RoleDefinition def;
  Builder& Db(const std::string& db, const ActionSet& a) {
    AddPrivilege(&def.privileges, {ResourcePattern::Database(db), a});
    return *this;
  }
  Builder& Exact(const std::string& db, const std::string& coll, const ActionSet& a) {
    AddPrivilege(&def.privileges, {ResourcePattern::ExactNamespace(db, coll), a});
    return *this;
  }
  Builder& Coll(const std::string& coll, const ActionSet& a) {
    AddPrivilege(&def.privileges, {ResourcePattern::CollectionName(coll), a});
    return *this;
  }
  Builder& Normal(const ActionSet& a) {
    AddPrivilege(&def.privileges, {ResourcePattern::AnyNormal(), a});
    return *this;
  }
  Builder& Cluster(const ActionSet& a) {
    AddPrivilege(&def.privileges, {ResourcePattern::Cluster(), a});
    return *this;
  }
  Builder& Any(const ActionSet& a) {
    AddPrivilege(&def.privileges, {ResourcePattern::AnyResource(), a});
    return *this;
  }
  Builder& Inherits(const std::string& role, const std::string& db) {
    def.roles.push_back({role, db});
    return *this;
  }
};

constexpr std::string_view kDatabaseRoles[] = {"dbAdmin", "dbOwner", "enableSharding", "read",
                                               "readWrite", "userAdmin"};
constexpr std::string_view kAdminRoles[] = {
    "__queryableBackup",  "__system",       "backup",        "clusterAdmin",
    "clusterManager",     "clusterMonitor", "dbAdminAnyDatabase", "directShardOperations",
    "hostManager",        "readAnyDatabase", "readWriteAnyDatabase", "restore",
    "root",               "userAdminAnyDatabase"};

// Returns the role as builtin_roles.yml writes it (own privileges plus inherited roles).
std::optional<RoleDefinition> Unflattened(const RoleName& name) {
  if (!IsBuiltinRole(name)) return std::nullopt;
  const std::string& r = name.role;
  const std::string& d = name.db;
  Builder b;
  b.def.name = name;
  if (r == "read") {
    b.Db(d, kReadActions).Exact(d, "system.js", kReadActions);
  } else if (r == "readWrite") {
    b.Db(d, kReadWriteActions).Exact(d, "system.js", kReadWriteActions);
  } else if (r == "userAdmin") {
    b.Db(d, kUserAdminActions);
  } else if (r == "dbAdmin") {
    b.Db(d, kDbAdminActions).Exact(d, "system.profile", kProfileActions);
  } else if (r == "dbOwner") {
    b.Inherits("readWrite", d).Inherits("dbAdmin", d).Inherits("userAdmin", d);
  } else if (r == "enableSharding") {
    b.Normal({A::kAnalyzeShardKey, A::kEnableSharding, A::kMoveCollection,
              A::kRefineCollectionShardKey, A::kReshardCollection});
  } else if (r == "readAnyDatabase") {
    b.Normal(kReadActions).Cluster({A::kListDatabases}).Coll("system.js", kReadActions);
  } else if (r == "readWriteAnyDatabase") {
    b.Inherits("readAnyDatabase", "admin")
        .Normal(kReadWriteActions)
        .Coll("system.js", kReadWriteActions);
  } else if (r == "userAdminAnyDatabase") {
    ActionSet read_and_index =
        Union(kReadActions, {A::kCreateIndex, A::kCreateSearchIndexes, A::kDropIndex,
                             A::kDropSearchIndex});
    b.Normal(Union(kUserAdminActions, {A::kListCachedAndActiveUsers}))
        .Db("local", kUserAdminActions)
        .Db("config", kUserAdminActions)
        .Cluster({A::kListDatabases, A::kAuthSchemaUpgrade, A::kInvalidateUserCache,
                  A::kViewUser})
        .Exact("admin", "system.users", read_and_index)
        .Exact("admin", "system.roles", read_and_index)
        .Coll("system.users", kReadActions)
        .Exact("admin", "system.version", kReadActions)
        .Exact("admin", "system.backup_users", kReadActions);
  } else if (r == "dbAdminAnyDatabase") {
    b.Cluster({A::kListDatabases, A::kApplyOps})
        .Normal(kDbAdminActions)
        .Coll("system.profile", kProfileActions);
  } else if (r == "clusterMonitor") {
    b.Inherits("read", "config")
        .Inherits("read", "local")
        .Cluster(kClusterMonitorClusterActions)
        .Normal(kClusterMonitorDbActions)
        .Db("config", kClusterMonitorDbActions)
        .Exact("config", "system.sessions", kClusterMonitorDbActions)
        .Db("local", kClusterMonitorDbActions)
        .Exact("local", "system.replset", {A::kFind})
        .Exact("local", "replset.election", {A::kFind})
        .Exact("local", "replset.minvalid", {A::kFind})
        .Coll("system.profile", {A::kFind});
  } else if (r == "hostManager") {
    b.Cluster(kHostManagerClusterActions).Normal({A::kKillCursors});
  } else if (r == "clusterManager") {
    b.Inherits("read", "config")
        .Cluster(kClusterManagerClusterActions)
        .Normal(kClusterManagerDbActions)
        .Db("config", Union(kClusterManagerDbActions, kClusterManagerWriteActions))
        .Db("local", Union(kClusterManagerDbActions, kClusterManagerWriteActions))
        .Exact("local", "system.replset", kReadActions)
        .Any({A::kDbCheck})
        .Exact("local", "system.healthlog", kReadActions)
        .Exact("local", "replset.election", kClusterManagerWriteActions)
        .Exact("local", "replset.minvalid", kClusterManagerWriteActions);
  } else if (r == "clusterAdmin") {
    b.Inherits("clusterMonitor", "admin")
        .Inherits("hostManager", "admin")
        .Inherits("clusterManager", "admin")
        .Normal({A::kDropDatabase})
        .Any({A::kImportCollection, A::kExportCollection});
  } else if (r == "__queryableBackup") {
    b.Any({A::kCollStats, A::kListCollections, A::kListIndexes, A::kListSearchIndexes})
        .Normal({A::kFind})
        .Cluster({A::kGetParameter, A::kListDatabases, A::kUseUUID})
        .Db("config", {A::kFind})
        .Db("local", {A::kFind})
        .Exact("local", "replset.election", {A::kFind})
        .Exact("local", "replset.minvalid", {A::kFind})
        .Coll("system.js", {A::kFind})
        .Coll("system.users", {A::kFind})
        .Coll("system.profile", {A::kFind})
        .Exact("admin", "system.backup_users", {A::kFind})
        .Exact("admin", "system.roles", {A::kFind})
        .Exact("admin", "system.version", {A::kFind})
        .Exact("config", "settings", {A::kFind});
  } else if (r == "backup") {
    b.Inherits("__queryableBackup", "admin")
        .Cluster({A::kAppendOplogNote, A::kServerStatus, A::kSetUserWriteBlockMode})
        .Exact("config", "settings", {A::kInsert, A::kUpdate});
  } else if (r == "restore") {
    b.Cluster({A::kGetParameter, A::kForceUUID, A::kUseUUID, A::kBypassWriteBlockingMode,
               A::kSetUserWriteBlockMode, A::kApplyOps})
        .Db("local", kRestoreWriteActions)
        .Db("config", kRestoreWriteActions)
        .Exact("local", "system.replset", kRestoreWriteActions)
        .Exact("local", "replset.election", kRestoreWriteActions)
        .Exact("local", "replset.minvalid", kRestoreWriteActions)
        .Any({A::kListCollections})
        .Normal(Union(kRestoreWriteActions, kUserAdminActions))
        .Coll("system.js", kRestoreWriteActions)
        .Exact("admin", "tempusers", {A::kFind})
        .Exact("admin", "temproles", {A::kFind})
        .Exact("admin", "system.backup_users", kRestoreWriteActions)
        .Exact("admin", "system.version", Union(kRestoreWriteActions, {A::kFind}))
        .Coll("system.users", Union(kRestoreWriteActions, {A::kFind, A::kUpdate, A::kRemove}))
        .Exact("admin", "system.roles", {A::kCreateIndex});
  } else if (r == "root") {
    b.Inherits("clusterAdmin", "admin")
        .Inherits("userAdminAnyDatabase", "admin")
        .Inherits("dbAdminAnyDatabase", "admin")
        .Inherits("readWriteAnyDatabase", "admin")
        .Inherits("backup", "admin")
        .Inherits("restore", "admin")
        .Inherits("directShardOperations", "admin")
        .Any({A::kValidate})
        .Cluster({A::kUseTenant})
        .Exact("config", "system.preimages", {A::kFind, A::kRemove})
        .Exact("config", "system.change_collection",
               {A::kFind, A::kInsert, A::kRemove, A::kUpdate});
  } else if (r == "directShardOperations") {
    b.Cluster({A::kIssueDirectShardOperations});
  } else if (r == "__system") {
    b.Any(ActionSet::All());
  }
  return std::move(b.def);
}

bool Contains(std::span<const std::string_view> names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

bool IsBuiltinRole(const RoleName& role) {
  if (Contains(kDatabaseRoles, role.role)) return true;
  return role.db == "admin" && Contains(kAdminRoles, role.role);
}

std::optional<RoleDefinition> BuiltinRoleDefinition(const RoleName& role) {
  std::optional<RoleDefinition> top = Unflattened(role);
  if (!top) return std::nullopt;
  RoleDefinition flat;
  flat.name = role;
  std::set<RoleName> seen{role};
  std::vector<RoleDefinition> pending{std::move(*top)};
  while (!pending.empty()) {
    RoleDefinition def = std::move(pending.back());
    pending.pop_back();
    AddPrivileges(&flat.privileges, def.privileges);
    for (const RoleName& sub : def.roles) {
      if (!seen.insert(sub).second) continue;
      std::optional<RoleDefinition> sub_def = Unflattened(sub);
      if (sub_def) pending.push_back(std::move(*sub_def));
    }
  }
  return flat;
}

std::vector<std::string> BuiltinRoleNames(std::string_view db) {
  std::vector<std::string> names(std::begin(kDatabaseRoles), std::end(kDatabaseRoles));
  if (db == "admin") names.insert(names.end(), std::begin(kAdminRoles), std::end(kAdminRoles));
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace dds::auth
