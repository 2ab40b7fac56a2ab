// Authentication: saslStart / saslContinue (SCRAM-SHA-256 and SCRAM-SHA-1, compat §2.11), the
// two hello hooks (saslSupportedMechs, speculativeAuthenticate), connectionStatus and logout.
//
// A conversation is per connection (ClientState::sasl) and always has conversationId 1, as in
// mongod. saslStart looks the user up in the UserStore (whose cache keeps the decoded verifiers,
// so a reconnect storm costs no storage reads), answers the server-first-message, and saslContinue
// checks the proof; on success the connection's AuthorizationSession logs the user in. Every
// credential-related failure answers 18 "Authentication failed." (never which part was wrong), is
// logged with the client address (id 20249), and from the fourth failure on one connection the
// reply is delayed (100 ms doubling, capped at kMaxFailureDelay) to slow down password guessing;
// when another connection is already being delayed, the connection is closed instead.
//
// Handlers run on the connection's thread, one request at a time per connection.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/user_name.h"
#include "bson/document.h"
#include "commands/command.h"
#include "commands/user_store.h"
#include "common/status.h"
#include "scram/scram.h"

namespace dds::commands {

// Failures answered without delay on one connection; each further one waits
// kFirstFailureDelay * 2^k, at most kMaxFailureDelay.
constexpr int kFreeAuthFailures = 3;
constexpr std::chrono::milliseconds kFirstFailureDelay{100};
constexpr std::chrono::milliseconds kMaxFailureDelay{5000};
// Connections delayed at the same time, process-wide; a failure that would exceed this closes
// its connection instead (the delay blocks a worker thread).
constexpr int kMaxDelayedFailures = 1;

// The SASL state of one connection (ClientState::sasl).
class SaslConversationState {
 public:
  // The conversation in progress.
  struct Conversation {
    std::string db;  // the authentication database
    scram::Mechanism mechanism = scram::Mechanism::kSha256;
    std::unique_ptr<scram::ServerConversation> scram;
    // The user record found by the lookup (roles are applied at login).
    std::optional<UserRecord> user;
    bool skip_empty_exchange = false;
    bool speculative = false;
    // The client sent its payload as a base64 string (old shells): answer in kind.
    bool base64_payload = false;
    // The proof was verified and the server signature sent; waiting for the empty last step.
    bool awaiting_empty_step = false;
  };

  std::optional<Conversation> conversation;
  // Authentication failures on this connection so far.
  int failures = 0;
};

// The delay before answering the `failures`-th failure of a connection (0 for the first ones).
std::chrono::milliseconds AuthFailureDelay(int failures);

// hello's speculativeAuthenticate: runs the embedded saslStart ({saslStart: 1, mechanism, payload,
// db, options}) and returns the reply's {conversationId, done, payload}; any error means "omit the
// field" (the client then runs a normal saslStart).
StatusWith<bson::BsonDocument> SpeculativeSaslStart(ServiceContext& service, ClientState& client,
                                                    const bson::BsonView& request);

// hello's saslSupportedMechs: the mechanisms user `db_dot_user` ("admin.rwuser") has, in
// mongod's order; nullopt when there is no such user. BadValue for a name without a '.'.
StatusWith<std::optional<std::vector<std::string>>> SaslSupportedMechanisms(
    ServiceContext& service, std::string_view db_dot_user);

}  // namespace dds::commands
