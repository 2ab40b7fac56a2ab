// The one command table (STYLE.md §6): sorted by name (bytewise, so "buildInfo" < "buildinfo"),
// unique, looked up exactly (MongoDB command names are case-sensitive; aliases are entries of
// their own). To add a command: insert one entry at its sorted place, with the authorization it
// needs under --auth (CommandAuth: PreAuth(), AnyUser(),
// OnCluster/OnDatabase/OnNamespace({actions}) or Custom(&CheckX),
// commands/command_authorization.h); static_asserts below and
// tests/unit/commands/command_table_test.cpp check the order and the declarations.
#include <algorithm>
#include <iterator>

#include "commands/command.h"
#include "commands/command_authorization.h"
#include "commands/command_handlers.h"
#include "commands/crud_commands.h"
#include "commands/explain_command.h"
#include "commands/user_commands.h"

namespace dds::commands {

namespace {

using A = auth::ActionType;

constexpr uint32_t kHandshake = kNoAuth | kOpQueryAllowed;

constexpr CommandEntry kCommands[] = {
    {"aggregate", &RunAggregate, kRead | kCollectionLevel, Custom(&CheckAggregate),
     "runs an aggregation pipeline"},
    {"buildInfo", &RunBuildInfo, kNoAuth, PreAuth(), "get version #, etc."},
    {"buildinfo", &RunBuildInfo, kNoAuth, PreAuth(), "get version #, etc. (alias of buildInfo)"},
    {"collMod", &RunCollMod, kWrite | kCollectionLevel, OnNamespace({A::kCollMod}),
     "modifies collection and index options"},
    {"collStats", &RunCollStats, kRead | kCollectionLevel, OnNamespace({A::kCollStats}),
     "statistics of one collection"},
    {"collstats", &RunCollStats, kRead | kCollectionLevel, OnNamespace({A::kCollStats}),
     "alias of collStats"},
    {"compact", &RunCompact, kWrite | kCollectionLevel, OnNamespace({A::kCompact}),
     "rewrites a collection's records and indexes without deleted data"},
    {"configureFailPoint", &RunConfigureFailPoint, kAdminOnly | kNoAuth, PreAuth(),
     "configures the failCommand fail point (needs enableTestCommands)"},
    {"connectionStatus", &RunConnectionStatus, kNoAuth, PreAuth(),
     "the users and roles authenticated on this connection"},
    {"count", &RunCount, kRead | kCollectionLevel, OnNamespace({A::kFind}),
     "counts matching documents"},
    {"create", &RunCreate, kWrite | kCollectionLevel, Custom(&CheckCreate),
     "explicitly creates a collection"},
    {"createIndexes", &RunCreateIndexes, kWrite | kCollectionLevel, OnNamespace({A::kCreateIndex}),
     "creates indexes"},
    {"createRole", &RunCreateRole, kWrite, Custom(&CheckCreateRole), "creates a user-defined role"},
    {"createUser", &RunCreateUser, kWrite, Custom(&CheckCreateUser), "creates a user"},
    {"currentOp", &RunCurrentOp, kAdminOnly, Custom(&CheckCurrentOp),
     "lists the operations in progress"},
    {"dataSize", &RunDataSize, kRead, Custom(&CheckDataSize), "size of the data of one collection"},
    {"dbStats", &RunDbStats, kRead, OnDatabase({A::kDbStats}), "statistics of one database"},
    {"dbstats", &RunDbStats, kRead, OnDatabase({A::kDbStats}), "alias of dbStats"},
    {"delete", &RunDelete, kWrite | kCollectionLevel, Custom(&CheckDelete), "deletes documents"},
    {"distinct", &RunDistinct, kRead | kCollectionLevel, OnNamespace({A::kFind}),
     "distinct values of a field"},
    {"drop", &RunDrop, kWrite | kCollectionLevel, OnNamespace({A::kDropCollection}),
     "drops a collection"},
    {"dropAllRolesFromDatabase", &RunDropAllRolesFromDatabase, kWrite, Custom(&CheckDropAllRoles),
     "drops every user-defined role of the database"},
    {"dropAllUsersFromDatabase", &RunDropAllUsersFromDatabase, kWrite, Custom(&CheckDropAllUsers),
     "drops every user of the database"},
    {"dropDatabase", &RunDropDatabase, kWrite, OnDatabase({A::kDropDatabase}),
     "drops the database"},
    {"dropIndexes", &RunDropIndexes, kWrite | kCollectionLevel, OnNamespace({A::kDropIndex}),
     "drops indexes"},
    {"dropRole", &RunDropRole, kWrite, Custom(&CheckDropRole), "drops a user-defined role"},
    {"dropUser", &RunDropUser, kWrite, Custom(&CheckDropUser), "drops a user"},
    {"endSessions", &RunEndSessions, kNone, AnyUser(), "ends logical sessions"},
    {"explain", &RunExplain, kRead, Custom(&CheckExplain),
     "explains the plan of find/count/distinct/update/delete/..."},
    {"find", &RunFind, kRead | kCollectionLevel, OnNamespace({A::kFind}), "queries documents"},
    {"findAndModify", &RunFindAndModify, kWrite | kCollectionLevel, Custom(&CheckFindAndModify),
     "atomically finds and updates/removes one document"},
    {"findandmodify", &RunFindAndModify, kWrite | kCollectionLevel, Custom(&CheckFindAndModify),
     "alias of findAndModify"},
    {"fsync", &RunFsync, kAdminOnly, OnCluster({A::kFsync}),
     "flushes the write-ahead log to stable storage"},
    {"fsyncUnlock", &RunFsyncUnlock, kAdminOnly, OnCluster({A::kUnlock}), "releases an fsync lock"},
    {"getCmdLineOpts", &RunGetCmdLineOpts, kAdminOnly, OnCluster({A::kGetCmdLineOpts}),
     "the server's command line and config"},
    {"getLog", &RunGetLog, kAdminOnly, OnCluster({A::kGetLog}),
     "recent log lines: '*', 'global' or 'startupWarnings'"},
    {"getMore", &RunGetMore, kRead, Custom(&CheckGetMore), "the next batch of a cursor"},
    {"getParameter", &RunGetParameter, kAdminOnly, OnCluster({A::kGetParameter}),
     "reads server parameters"},
    {"grantPrivilegesToRole", &RunGrantPrivilegesToRole, kWrite,
     Custom(&CheckGrantPrivilegesToRole), "adds privileges to a user-defined role"},
    {"grantRolesToRole", &RunGrantRolesToRole, kWrite, Custom(&CheckGrantRolesToRole),
     "makes a user-defined role inherit roles"},
    {"grantRolesToUser", &RunGrantRolesToUser, kWrite, Custom(&CheckGrantRolesToUser),
     "grants roles to a user"},
    {"hello", &RunHello, kHandshake, PreAuth(), "the server's role and limits (handshake)"},
    {"hostInfo", &RunHostInfo, kNone, OnCluster({A::kHostInfo}), "information about the host"},
    {"insert", &RunInsert, kWrite | kCollectionLevel, Custom(&CheckInsert), "inserts documents"},
    {"isMaster", &RunHello, kHandshake, PreAuth(), "legacy alias of hello"},
    {"ismaster", &RunHello, kHandshake, PreAuth(), "legacy alias of hello"},
    {"killAllSessions", &RunKillAllSessions, kNone, OnCluster({A::kKillAnySession}),
     "kills all logical sessions"},
    {"killAllSessionsByPattern", &RunKillAllSessions, kNone, OnCluster({A::kKillAnySession}),
     "kills matching logical sessions"},
    {"killCursors", &RunKillCursors, kRead, Custom(&CheckKillCursors), "kills cursors"},
    {"killOp", &RunKillOp, kAdminOnly, Custom(&CheckKillOp), "interrupts a running operation"},
    {"killSessions", &RunKillSessions, kNone, AnyUser(),
     "kills logical sessions and their cursors"},
    {"listCollections", &RunListCollections, kRead, Custom(&CheckListCollections),
     "lists the collections of a database"},
    {"listCommands", &RunListCommands, kNoAuth, PreAuth(), "lists the commands"},
    {"listDatabases", &RunListDatabases, kAdminOnly | kRead, Custom(&CheckListDatabases),
     "lists the databases"},
    {"listIndexes", &RunListIndexes, kRead | kCollectionLevel, OnNamespace({A::kListIndexes}),
     "lists a collection's indexes"},
    {"logout", &RunLogout, kNoAuth, PreAuth(), "deprecated no-op"},
    {"ping", &RunPing, kNoAuth, PreAuth(), "a no-op testing whether the server is up"},
    {"planCacheClear", &RunPlanCacheClear, kCollectionLevel, OnNamespace({A::kPlanCacheWrite}),
     "drops one or all cached plan choices of a collection"},
    {"profile", &RunProfile, kNone, OnDatabase({A::kEnableProfiler}),
     "profiling level and the slow-operation threshold"},
    {"reIndex", &RunReIndex, kWrite | kCollectionLevel, OnNamespace({A::kReIndex}),
     "rebuilds every index of a collection (deprecated in mongod 6.0)"},
    {"refreshSessions", &RunEndSessions, kNone, AnyUser(), "refreshes logical sessions"},
    {"renameCollection", &RunRenameCollection, kAdminOnly | kWrite, Custom(&CheckRenameCollection),
     "renames a collection"},
    {"replSetGetStatus", &RunReplSetGetStatus, kAdminOnly, OnCluster({A::kReplSetGetStatus}),
     "replica set status"},
    {"revokePrivilegesFromRole", &RunRevokePrivilegesFromRole, kWrite,
     Custom(&CheckRevokePrivilegesFromRole), "removes privileges from a user-defined role"},
    {"revokeRolesFromRole", &RunRevokeRolesFromRole, kWrite, Custom(&CheckRevokeRolesFromRole),
     "removes inherited roles from a user-defined role"},
    {"revokeRolesFromUser", &RunRevokeRolesFromUser, kWrite, Custom(&CheckRevokeRolesFromUser),
     "revokes roles from a user"},
    {"rolesInfo", &RunRolesInfo, kRead, Custom(&CheckRolesInfo),
     "describes roles (built-in and user-defined)"},
    {"saslContinue", &RunSaslContinue, kHandshake, PreAuth(),
     "subsequent steps in a SASL authentication conversation"},
    {"saslStart", &RunSaslStart, kHandshake, PreAuth(),
     "first step in a SASL authentication conversation"},
    {"serverStatus", &RunServerStatus, kNone, OnCluster({A::kServerStatus}), "server statistics"},
    {"setParameter", &RunSetParameter, kAdminOnly, OnCluster({A::kSetParameter}),
     "sets server parameters"},
    {"shutdown", &RunShutdown, kAdminOnly, OnCluster({A::kShutdown}), "shuts the server down"},
    {"startSession", &RunStartSession, kNone, AnyUser(), "starts a logical session"},
    {"update", &RunUpdate, kWrite | kCollectionLevel, Custom(&CheckUpdate), "updates documents"},
    {"updateRole", &RunUpdateRole, kWrite, Custom(&CheckUpdateRole),
     "replaces a user-defined role's privileges or roles"},
    {"updateUser", &RunUpdateUser, kWrite, Custom(&CheckUpdateUser),
     "changes a user's password, roles or custom data"},
    {"usersInfo", &RunUsersInfo, kRead, Custom(&CheckUsersInfo), "describes users"},
    {"validate", &RunValidate, kRead | kCollectionLevel, OnNamespace({A::kValidate}),
     "checks a collection's structures"},
    {"whatsmyuri", &RunWhatsMyUri, kNoAuth, PreAuth(),
     "the client's address as the server sees it"},
};

constexpr bool IsSortedAndUnique() {
  for (size_t i = 1; i < std::size(kCommands); ++i) {
    if (!(kCommands[i - 1].name < kCommands[i].name)) return false;
  }
  return true;
}
static_assert(IsSortedAndUnique(), "kCommands must be sorted by name and unique");

// Every entry states what it needs under --auth (CommandAuth has no default, so an entry without
// it does not compile; this catches an incomplete one).
constexpr bool AllDeclareAuthorization() {
  for (const CommandEntry& e : kCommands) {
    if (!IsValidCommandAuth(e.auth, e.flags)) return false;
  }
  return true;
}
static_assert(AllDeclareAuthorization(), "every command must declare its authorization");

}  // namespace

const CommandEntry* FindCommand(std::string_view name) {
  auto it = std::lower_bound(std::begin(kCommands), std::end(kCommands), name,
                             [](const CommandEntry& e, std::string_view n) { return e.name < n; });
  if (it == std::end(kCommands) || it->name != name) return nullptr;
  return &*it;
}

std::span<const CommandEntry> AllCommands() {
  return std::span<const CommandEntry>(kCommands, std::size(kCommands));
}

}  // namespace dds::commands
