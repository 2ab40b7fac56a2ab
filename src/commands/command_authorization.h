// Command authorization: what dispatch runs before a command when --auth is on, and the
// command-specific checks the command table names (CommandAuth::check).
//
// The flow (mongod's, compat §2.11):
//   1. kPreAuth commands always run.
//   2. An unauthenticated connection gets 13 "Command <name> requires authentication", except
//      for the localhost exception: with no user and no user-defined role stored, a connection
//      from a loopback address may run createUser and createRole against `admin`.
//   3. An authenticated connection whose privileges are stale (the user store changed since they
//      were resolved) re-resolves them; a dropped user is logged out.
//   4. The entry's scope decides; a refusal is 13 "not authorized on <db> to execute command
//      { <the command> }", mongod's message.
//
// The checks read only the request and the connection's AuthorizationSession (plus the cursor
// registry for getMore/killCursors); the common ones allocate nothing. Thread-safe as the
// objects they are given.
#pragma once

#include <string_view>

#include "bson/bson.h"
#include "commands/command.h"
#include "common/status.h"

namespace dds::commands {

// Runs steps 2-4 above for `entry`. REQUIRES: authorization is enabled.
Status CheckCommandAuthorization(const CommandContext& ctx, const CommandEntry& entry,
                                 const bson::BsonView& cmd);

// The 13 Unauthorized status for `cmd` on `db` (mongod's message, without the insert/update/delete
// statement arrays that drivers send as OP_MSG document sequences).
Status UnauthorizedError(std::string_view db, const bson::BsonView& cmd);

// True when `remote` ("ip:port", "[::1]:port", a unix socket path) is a loopback address.
bool IsLoopbackAddress(std::string_view remote);

// True when authorization is on for this command's connection (checks apply).
inline bool AuthorizationEnabled(const CommandContext& ctx) {
  return ctx.service.settings.auth_enabled;
}

// listDatabases: true when the reply must list only the databases the user has privileges on
// (authorizedDatabases: true, or unset and the user lacks the listDatabases action).
bool ListDatabasesMustFilter(const CommandContext& ctx, const bson::BsonView& cmd);
// True when the authenticated user has some privilege on `db` (the filter itself).
bool UserCanSeeDatabase(const CommandContext& ctx, std::string_view db);
// listCollections: true when the reply must list only the collections the user may act on
// (authorizedCollections: true with nameOnly: true, and the user lacks listCollections on db).
bool ListCollectionsMustFilter(const CommandContext& ctx, const bson::BsonView& cmd);
// True when the authenticated user has some privilege on db.coll.
bool UserCanSeeCollection(const CommandContext& ctx, std::string_view db, std::string_view coll);

// The custom checks of the command table.
Status CheckAggregate(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckCreate(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckCurrentOp(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckDataSize(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckDelete(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckExplain(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckFindAndModify(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckGetMore(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckInsert(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckKillCursors(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckKillOp(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckListCollections(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckListDatabases(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckRenameCollection(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckUpdate(const CommandContext& ctx, const bson::BsonView& cmd);
// User and role management (targets' databases, mongod's checkAuthFor*Command).
Status CheckCreateUser(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckUpdateUser(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckDropUser(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckDropAllUsers(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckUsersInfo(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckGrantRolesToUser(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckRevokeRolesFromUser(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckCreateRole(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckUpdateRole(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckDropRole(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckDropAllRoles(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckRolesInfo(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckGrantPrivilegesToRole(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckRevokePrivilegesFromRole(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckGrantRolesToRole(const CommandContext& ctx, const bson::BsonView& cmd);
Status CheckRevokeRolesFromRole(const CommandContext& ctx, const bson::BsonView& cmd);

}  // namespace dds::commands
