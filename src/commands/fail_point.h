// The failCommand fail point (compat §2.4), set with configureFailPoint when the server runs with
// --setParameter enableTestCommands=1 (59 CommandNotFound otherwise, as in mongod).
//
// Supported data: failCommands (required), errorCode, errorLabels, writeConcernError, appName,
// blockConnection + blockTimeMS, closeConnection (ClientState::close_connection; the server drops
// the connection without a reply). Modes: "alwaysOn", "off", {times: n}, {skip: n}.
// Process-wide and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bson/document.h"
#include "common/status.h"

namespace dds::commands {

struct ServiceContext;

// What a matching fail point does to one command.
struct FailCommandAction {
  // Milliseconds to sleep before running (blockConnection). 0 = none.
  int64_t block_ms = 0;
  // Close the connection without replying (the command does not run).
  bool close_connection = false;
  // Non-OK: answer with this error (errorLabels already in its extra fields).
  Status error;
  // Set: run the command, then append this as `writeConcernError`.
  std::optional<bson::BsonDocument> write_concern_error;
};

// Returns true when test commands are enabled (setParameter enableTestCommands=1|true).
bool TestCommandsEnabled(const ServiceContext& service);

// Returns the action for `command_name` issued by a client named `app_name`, consuming one of
// the fail point's `times` if it matches; nullopt when the fail point does not apply.
std::optional<FailCommandAction> CheckFailCommand(std::string_view command_name,
                                                  std::string_view app_name);

}  // namespace dds::commands
