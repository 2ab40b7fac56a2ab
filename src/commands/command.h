// Command: one entry of the command table, and the context every handler receives.
//
// A handler parses its request into a typed struct (rejecting unknown fields with MongoDB's
// codes), runs it, and returns the reply body WITHOUT `ok`; dispatch appends `ok: 1.0`, or turns
// a non-OK Status into the error reply. Handlers may run concurrently on different threads.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "auth/action_set.h"
#include "bson/document.h"
#include "commands/dispatch.h"
#include "common/status.h"

namespace dds::commands {

// What a command needs and how dispatch treats it.
enum CommandFlags : uint32_t {
  kNone = 0,
  kAdminOnly = 1 << 0,        // may only run against the admin database (13 otherwise)
  kNoAuth = 1 << 1,           // allowed before authentication (hello, sasl*, ping, ...)
  kWrite = 1 << 2,            // writes data
  kRead = 1 << 3,             // reads data
  kCollectionLevel = 1 << 4,  // the first field names a collection in `$db`
  kOpQueryAllowed = 1 << 5,   // may arrive as OP_QUERY on <db>.$cmd (handshake path)
};

class CursorManager;

// Per-request context handed to a command handler.
struct CommandContext {
  ServiceContext& service;
  ClientState& client;
  const RequestInfo& info;
  // The database the command runs against (`$db`, or the OP_QUERY namespace's database).
  std::string db;
  // The command's name as the client spelled it (aliases differ).
  std::string_view command_name;
  // The raw 16 bytes of the request's `lsid.id` (UUID), or "" without a session. Cursors created
  // by the command belong to this session (killSessions kills them).
  std::string lsid;

  storage::Engine& engine() const { return *service.engine; }
  CursorManager& cursors() const { return *service.cursors; }
};

using CommandHandler = StatusWith<bson::BsonDocument> (*)(CommandContext& ctx,
                                                          const bson::BsonView& cmd);

// A command-specific authorization check (commands/command_authorization.h): returns OK, or
// 13 Unauthorized. Runs only when authorization is enabled and a user is authenticated.
using AuthCheck = Status (*)(const CommandContext& ctx, const bson::BsonView& cmd);

// What a command needs from the authenticated user (mongod's addRequiredPrivileges /
// checkAuthForCommand). Every table entry must state one: the type has no default
// constructor, so an entry that omits it does not compile.
enum class AuthScope : uint8_t {
  kPreAuth,    // runs without authentication (hello, saslStart, ping, ...): never checked
  kAnyUser,    // any authenticated user (startSession, endSessions, ...)
  kCluster,    // `actions` on the cluster resource
  kDatabase,   // `actions` on the database `$db`
  kNamespace,  // `actions` on `$db`.<the first field's string> (the command's collection)
  kCustom,     // `check` decides (aggregate, renameCollection, getMore, user commands...)
};

struct CommandAuth {
  AuthScope scope;
  auth::ActionSet actions;
  AuthCheck check;

  CommandAuth() = delete;
  constexpr CommandAuth(AuthScope s, auth::ActionSet a, AuthCheck c)
      : scope(s), actions(a), check(c) {}
};

// The forms a table entry uses.
constexpr CommandAuth PreAuth() { return CommandAuth(AuthScope::kPreAuth, {}, nullptr); }
constexpr CommandAuth AnyUser() { return CommandAuth(AuthScope::kAnyUser, {}, nullptr); }
constexpr CommandAuth OnCluster(auth::ActionSet a) {
  return CommandAuth(AuthScope::kCluster, a, nullptr);
}
constexpr CommandAuth OnDatabase(auth::ActionSet a) {
  return CommandAuth(AuthScope::kDatabase, a, nullptr);
}
constexpr CommandAuth OnNamespace(auth::ActionSet a) {
  return CommandAuth(AuthScope::kNamespace, a, nullptr);
}
constexpr CommandAuth Custom(AuthCheck check) { return CommandAuth(AuthScope::kCustom, {}, check); }

// True when `auth` is complete: actions for the resource scopes, a function for kCustom, and
// kPreAuth exactly for the kNoAuth commands.
constexpr bool IsValidCommandAuth(const CommandAuth& auth, uint32_t flags) {
  bool pre_auth = (flags & kNoAuth) != 0;
  switch (auth.scope) {
    case AuthScope::kPreAuth:
      return pre_auth && auth.check == nullptr;
    case AuthScope::kAnyUser:
      return !pre_auth && auth.check == nullptr;
    case AuthScope::kCluster:
    case AuthScope::kDatabase:
    case AuthScope::kNamespace:
      return !pre_auth && !auth.actions.empty() && auth.check == nullptr;
    case AuthScope::kCustom:
      return !pre_auth && auth.check != nullptr;
  }
  return false;
}

struct CommandEntry {
  std::string_view name;
  CommandHandler handler;
  uint32_t flags;
  // Required (no default): what the command needs when authorization is enabled.
  CommandAuth auth;
  std::string_view help;
};

// Returns the table entry for `name` (exact, case-sensitive), or nullptr.
const CommandEntry* FindCommand(std::string_view name);

// Returns the whole table (sorted by name, unique).
std::span<const CommandEntry> AllCommands();

}  // namespace dds::commands
