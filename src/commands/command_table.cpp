// The one command table (STYLE.md §6): sorted by name (bytewise, so "buildInfo" < "buildinfo"),
// unique, looked up exactly (MongoDB command names are case-sensitive; aliases are entries of
// their own). To add a command: insert one entry at its sorted place; a static_assert below and
// tests/unit/commands/command_table_test.cpp check the order.
#include "commands/command.h"

#include <algorithm>
#include <iterator>

#include "commands/command_handlers.h"
#include "commands/crud_commands.h"
#include "commands/explain_command.h"

namespace dds::commands {

namespace {

constexpr uint32_t kHandshake = kNoAuth | kOpQueryAllowed;

constexpr CommandEntry kCommands[] = {
    {"aggregate", &RunAggregate, kRead | kCollectionLevel, "runs an aggregation pipeline"},
    {"buildInfo", &RunBuildInfo, kNoAuth, "get version #, etc."},
    {"buildinfo", &RunBuildInfo, kNoAuth, "get version #, etc. (alias of buildInfo)"},
    {"collMod", &RunCollMod, kWrite | kCollectionLevel, "modifies collection and index options"},
    {"collStats", &RunCollStats, kRead | kCollectionLevel, "statistics of one collection"},
    {"collstats", &RunCollStats, kRead | kCollectionLevel, "alias of collStats"},
    {"configureFailPoint", &RunConfigureFailPoint, kAdminOnly,
     "configures the failCommand fail point (needs enableTestCommands)"},
    {"connectionStatus", &RunConnectionStatus, kNoAuth,
     "the users and roles authenticated on this connection"},
    {"count", &RunCount, kRead | kCollectionLevel, "counts matching documents"},
    {"create", &RunCreate, kWrite | kCollectionLevel, "explicitly creates a collection"},
    {"createIndexes", &RunCreateIndexes, kWrite | kCollectionLevel, "creates indexes"},
    {"currentOp", &RunCurrentOp, kAdminOnly, "lists the operations in progress"},
    {"dataSize", &RunDataSize, kRead, "size of the data of one collection"},
    {"dbStats", &RunDbStats, kRead, "statistics of one database"},
    {"dbstats", &RunDbStats, kRead, "alias of dbStats"},
    {"delete", &RunDelete, kWrite | kCollectionLevel, "deletes documents"},
    {"distinct", &RunDistinct, kRead | kCollectionLevel, "distinct values of a field"},
    {"drop", &RunDrop, kWrite | kCollectionLevel, "drops a collection"},
    {"dropDatabase", &RunDropDatabase, kWrite, "drops the database"},
    {"dropIndexes", &RunDropIndexes, kWrite | kCollectionLevel, "drops indexes"},
    {"endSessions", &RunEndSessions, kNone, "ends logical sessions"},
    {"explain", &RunExplain, kRead, "explains the plan of find/count/distinct/update/delete/..."},
    {"find", &RunFind, kRead | kCollectionLevel, "queries documents"},
    {"findAndModify", &RunFindAndModify, kWrite | kCollectionLevel,
     "atomically finds and updates/removes one document"},
    {"findandmodify", &RunFindAndModify, kWrite | kCollectionLevel, "alias of findAndModify"},
    {"fsync", &RunFsync, kAdminOnly, "flushes the write-ahead log to stable storage"},
    {"fsyncUnlock", &RunFsyncUnlock, kAdminOnly, "releases an fsync lock"},
    {"getCmdLineOpts", &RunGetCmdLineOpts, kAdminOnly, "the server's command line and config"},
    {"getLog", &RunGetLog, kAdminOnly, "recent log lines: '*', 'global' or 'startupWarnings'"},
    {"getMore", &RunGetMore, kRead, "the next batch of a cursor"},
    {"getParameter", &RunGetParameter, kAdminOnly, "reads server parameters"},
    {"hello", &RunHello, kHandshake, "the server's role and limits (handshake)"},
    {"hostInfo", &RunHostInfo, kNone, "information about the host"},
    {"insert", &RunInsert, kWrite | kCollectionLevel, "inserts documents"},
    {"isMaster", &RunHello, kHandshake, "legacy alias of hello"},
    {"ismaster", &RunHello, kHandshake, "legacy alias of hello"},
    {"killAllSessions", &RunKillAllSessions, kNone, "kills all logical sessions"},
    {"killAllSessionsByPattern", &RunKillAllSessions, kNone, "kills matching logical sessions"},
    {"killCursors", &RunKillCursors, kRead, "kills cursors"},
    {"killOp", &RunKillOp, kAdminOnly, "interrupts a running operation"},
    {"killSessions", &RunKillSessions, kNone, "kills logical sessions and their cursors"},
    {"listCollections", &RunListCollections, kRead, "lists the collections of a database"},
    {"listCommands", &RunListCommands, kNoAuth, "lists the commands"},
    {"listDatabases", &RunListDatabases, kAdminOnly | kRead, "lists the databases"},
    {"listIndexes", &RunListIndexes, kRead | kCollectionLevel, "lists a collection's indexes"},
    {"logout", &RunLogout, kNoAuth, "deprecated no-op"},
    {"ping", &RunPing, kNoAuth, "a no-op testing whether the server is up"},
    {"profile", &RunProfile, kNone, "profiling level and the slow-operation threshold"},
    {"refreshSessions", &RunEndSessions, kNone, "refreshes logical sessions"},
    {"renameCollection", &RunRenameCollection, kAdminOnly | kWrite, "renames a collection"},
    {"replSetGetStatus", &RunReplSetGetStatus, kAdminOnly, "replica set status"},
    {"serverStatus", &RunServerStatus, kNone, "server statistics"},
    {"setParameter", &RunSetParameter, kAdminOnly, "sets server parameters"},
    {"shutdown", &RunShutdown, kAdminOnly, "shuts the server down"},
    {"startSession", &RunStartSession, kNone, "starts a logical session"},
    {"update", &RunUpdate, kWrite | kCollectionLevel, "updates documents"},
    {"validate", &RunValidate, kRead | kCollectionLevel, "checks a collection's structures"},
    {"whatsmyuri", &RunWhatsMyUri, kNoAuth, "the client's address as the server sees it"},
};

constexpr bool IsSortedAndUnique() {
  for (size_t i = 1; i < std::size(kCommands); ++i) {
    if (!(kCommands[i - 1].name < kCommands[i].name)) return false;
  }
  return true;
}
static_assert(IsSortedAndUnique(), "kCommands must be sorted by name and unique");

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
