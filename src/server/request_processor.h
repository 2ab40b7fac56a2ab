// The per-message step of a session: one whole wire message in -> the reply bytes to send (if
// any) and whether to close the connection. Decoding and encoding are the wire layer's; the
// command itself runs through a CommandRunner, so this step is testable without the command
// layer (see tests/unit/server).
//
// ProcessMessage is thread-safe as long as the runner is; one connection calls it for one
// message at a time.
#pragma once

#include <cstddef>
#include <string>

#include "bson/document.h"
#include "commands/dispatch.h"
#include "common/status.h"

namespace dds::server {

// Runs commands and builds error replies. The production runner calls commands::RunCommand
// and commands::ErrorReply.
class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  // Runs the command `body` (validated, `$db` present); returns the full reply body.
  virtual bson::BsonDocument Run(commands::ClientState& client, const bson::BsonView& body,
                                 const commands::RequestInfo& info) = 0;
  // Returns the {ok: 0, errmsg, code, codeName} reply for a protocol-level error.
  virtual bson::BsonDocument Error(const Status& status) = 0;
};

struct ProcessResult {
  // The bytes to write; empty when nothing is sent (moreToCome, or closing without reply).
  std::string reply;
  // Close the connection (after writing `reply`, if any).
  bool close = false;
};

// Parses `message` (a whole message of `size` bytes, header included), runs it, and encodes
// the reply. Protocol errors are logged with the client's remote address.
ProcessResult ProcessMessage(CommandRunner& runner, commands::ClientState& client,
                             const char* message, size_t size);

// The runner used by ddsd: commands::RunCommand / commands::ErrorReply against `service`.
class DispatchRunner : public CommandRunner {
 public:
  explicit DispatchRunner(commands::ServiceContext& service) : service_(service) {}
  bson::BsonDocument Run(commands::ClientState& client, const bson::BsonView& body,
                         const commands::RequestInfo& info) override;
  bson::BsonDocument Error(const Status& status) override;

 private:
  commands::ServiceContext& service_;
};

}  // namespace dds::server
