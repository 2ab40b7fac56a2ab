// The boundary between the server (sessions, wire) and the command layer.
//
// The server owns one ServiceContext for the process and one ClientState per connection; for
// every request it calls RunCommand, which looks the command up in the command table, checks it,
// runs it, and always returns a complete reply body: success bodies end with ok: 1.0, failures
// are {ok: 0.0, errmsg, code, codeName, ...} built in exactly one place (error_reply.h).
//
// ServiceContext is shared by all threads; ClientState is used by one request at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "auth/authorization_session.h"
#include "bson/document.h"
#include "common/status.h"

namespace dds::storage {
class Engine;
}  // namespace dds::storage

namespace dds::commands {

class CursorManager;
class UserStore;
class SaslConversationState;

// Process-wide settings the commands report (getCmdLineOpts, hello, serverStatus...).
struct ServerSettings {
  int port = 27017;
  std::string bind_ip = "127.0.0.1";
  std::string db_path;
  std::string log_path;
  bool auth_enabled = false;
  // systemLog.quiet: no connection or authentication-success log lines.
  bool quiet = false;
  std::vector<std::string> argv;
  // The parsed config as mongod's "parsed" document of getCmdLineOpts.
  bson::BsonDocument parsed_options;
};

// Process-wide counters for serverStatus.
struct ServerCounters {
  std::atomic<int64_t> insert{0}, query{0}, update{0}, remove{0}, getmore{0}, command{0};
  std::atomic<int64_t> connections_current{0}, connections_total{0}, connections_active{0};
  std::atomic<int64_t> bytes_in{0}, bytes_out{0}, num_requests{0};
};

// Everything a command may reach that lives for the whole process.
struct ServiceContext {
  storage::Engine* engine = nullptr;
  CursorManager* cursors = nullptr;
  // admin.system.users / admin.system.roles and the per-user caches (commands/user_store.h).
  UserStore* users = nullptr;
  ServerSettings settings;
  ServerCounters counters;
  std::chrono::steady_clock::time_point start_time = std::chrono::steady_clock::now();
  // Asks the server to shut down cleanly (the shutdown command). Set by the server.
  std::function<void()> request_shutdown;
};

// Per-connection state.
struct ClientState {
  int64_t connection_id = 0;
  std::string remote;  // "ip:port"
  std::string local;   // "ip:port"
  bool seen_hello_metadata = false;
  std::string app_name;
  // Compressors negotiated in hello, in client order ("snappy", "zlib", "zstd").
  std::vector<std::string> compressors;
  // Set by a command (the failCommand fail point's closeConnection): the server closes the
  // connection instead of sending the reply, and clears the flag.
  bool close_connection = false;
  // Who is authenticated on this connection and what they may do.
  auth::AuthorizationSession auth;
  // The SASL conversation in progress (saslStart .. saslContinue), if any.
  std::shared_ptr<SaslConversationState> sasl;
};

// What the wire layer tells the command layer about how the request arrived.
struct RequestInfo {
  bool legacy_op_query = false;  // arrived as OP_QUERY on <db>.$cmd
  bool more_to_come = false;     // fire-and-forget: the reply will be discarded
  bool exhaust_allowed = false;
};

// Runs one command. `body` is the full command document (kind-1 sequences already folded in as
// arrays; `$db` present for OP_MSG). Never throws; always returns a reply body.
bson::BsonDocument RunCommand(ServiceContext& service, ClientState& client, const bson::BsonView& body,
                              const RequestInfo& info);

// Builds the error reply for `status` (used by the server for protocol-level errors too).
bson::BsonDocument ErrorReply(const class ::dds::Status& status);

}  // namespace dds::commands
