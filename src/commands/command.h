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

struct CommandEntry {
  std::string_view name;
  CommandHandler handler;
  uint32_t flags;
  std::string_view help;
};

// Returns the table entry for `name` (exact, case-sensitive), or nullptr.
const CommandEntry* FindCommand(std::string_view name);

// Returns the whole table (sorted by name, unique).
std::span<const CommandEntry> AllCommands();

}  // namespace dds::commands
