#include "commands/sasl_commands.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "bson/bson.h"
#include "commands/command_handlers.h"
#include "commands/request_parser.h"
#include "common/base64.h"
#include "common/logging.h"

namespace dds::commands {
namespace {

using bson::BsonElement;
using bson::BsonType;

constexpr int32_t kConversationId = 1;  // mongod always answers 1

// Mechanism names MongoDB knows but ddsd does not offer: 334 rather than "unknown".
constexpr std::string_view kKnownUnavailableMechanisms[] = {
    "PLAIN", "GSSAPI", "MONGODB-X509", "MONGODB-AWS", "MONGODB-OIDC", "MONGODB-CR"};

Status AuthenticationFailed() {
  return Status(ErrorCode::kAuthenticationFailed, "Authentication failed.");
}

SaslConversationState& SaslState(ClientState& client) {
  if (!client.sasl) client.sasl = std::make_shared<SaslConversationState>();
  return *client.sasl;
}

StatusWith<scram::Mechanism> ParseMechanismName(std::string_view name) {
  if (std::optional<scram::Mechanism> m = scram::ParseMechanism(name)) return *m;
  for (std::string_view known : kKnownUnavailableMechanisms) {
    if (known == name) {
      return Status(ErrorCode::kMechanismUnavailable,
                    "Received authentication for mechanism " + std::string(name) +
                        " which is not enabled");
    }
  }
  return Status(ErrorCode::kBadValue, "Unknown auth mechanism '" + std::string(name) + "'");
}

// The payload: BinData (drivers) or a base64 string (old shells).
Status ReadPayload(std::string_view command, const bson::BsonView& cmd, std::string* out,
                   bool* base64) {
  BsonElement payload = cmd.Get("payload");
  const std::string path = std::string(command) + ".payload";
  if (payload.eoo()) return MissingFieldError(path);
  if (payload.type() == BsonType::kBinData) {
    *out = std::string(payload.BinData());
    *base64 = false;
    return Status::OK();
  }
  if (payload.type() == BsonType::kString) {
    std::optional<std::string> raw = Base64Decode(payload.String());
    if (!raw) return Status(ErrorCode::kBadValue, "Invalid base64 in " + path);
    *out = std::move(*raw);
    *base64 = true;
    return Status::OK();
  }
  return WrongTypeError(path, payload, "[string, binData]");
}

bson::BsonDocument StepReply(const SaslConversationState::Conversation& c, bool done,
                             std::string_view payload) {
  bson::BsonBuilder b;
  b.AppendInt32("conversationId", kConversationId);
  b.AppendBool("done", done);
  if (c.base64_payload) {
    b.AppendString("payload", Base64Encode(payload));
  } else {
    b.AppendBinary("payload", 0, payload);
  }
  return b.Done();
}

// Logs the failure, forgets the conversation, counts it and waits the connection's delay; returns
// the one error every credential failure answers.
Status Fail(ClientState& client, const Status& cause) {
  SaslConversationState& state = SaslState(client);
  std::string mechanism, user, db;
  bool speculative = false;
  if (state.conversation) {
    const SaslConversationState::Conversation& c = *state.conversation;
    mechanism = std::string(scram::MechanismName(c.mechanism));
    if (c.scram) user = c.scram->user();
    db = c.db;
    speculative = c.speculative;
  }
  DDS_LOG_INFO("ACCESS", 20249, "Authentication failed",
               {{"mechanism", mechanism},
                {"speculative", speculative},
                {"principalName", user},
                {"authenticationDatabase", db},
                {"remote", client.remote},
                {"error", cause.ToString()}});
  state.conversation.reset();
  state.failures += 1;
  std::chrono::milliseconds delay = AuthFailureDelay(state.failures);
  if (delay.count() > 0) {
    // The delay holds one of the server's few worker threads: at most kMaxDelayedFailures
    // connections wait at a time; beyond that the connection is dropped instead, so that many
    // guessing connections cannot stall everyone else.
    static std::atomic<int> delayed{0};
    if (delayed.fetch_add(1) < kMaxDelayedFailures) {
      std::this_thread::sleep_for(delay);
    } else {
      client.close_connection = true;
    }
    delayed.fetch_sub(1);
  }
  return AuthenticationFailed();
}

// The credentials of `user` for the conversation's mechanism, remembering the record.
std::optional<scram::Credentials> LookUp(ServiceContext& service,
                                         SaslConversationState::Conversation* c,
                                         std::string_view user) {
  if (service.users == nullptr) return std::nullopt;
  auth::UserName name{std::string(user), c->db};
  StatusWith<std::optional<UserRecord>> found = service.users->FindUser(name);
  if (!found.ok()) {
    DDS_LOG_WARNING("ACCESS", 20249, "User lookup failed during authentication",
                    {{"user", name.ToString()}, {"error", found.status().ToString()}});
    return std::nullopt;
  }
  if (!found.value()) return std::nullopt;
  c->user = std::move(*found.value());
  const std::optional<scram::Credentials>& creds =
      c->mechanism == scram::Mechanism::kSha1 ? c->user->sha1 : c->user->sha256;
  return creds;
}

// Logs the user in once the conversation succeeded, with the roles and privileges its roles
// resolve to (dispatch re-resolves them whenever the user store changes).
Status Complete(ServiceContext& service, ClientState& client,
                SaslConversationState::Conversation& c) {
  auth::UserName name{c.scram->user(), c.db};
  const std::optional<auth::UserName>& current = client.auth.user();
  if (current && *current != name) {
    return Status(5626701,
                  "Each client connection may only be authenticated once. Previously "
                  "authenticated as: " +
                      current->ToString());
  }
  client.auth.Login(name);
  if (c.user && service.users != nullptr) {
    const uint64_t generation = service.users->generation();
    StatusWith<auth::ResolvedRoles> resolved = service.users->Resolve(c.user->roles);
    if (resolved.ok()) {
      client.auth.SetRolesAndPrivileges(std::move(resolved.value().roles),
                                        std::move(resolved.value().privileges), generation);
    } else {
      client.auth.SetRoles(c.user->roles);  // dispatch retries the resolution
    }
  }
  if (service.settings.quiet) return Status::OK();  // as mongod's --quiet
  DDS_LOG_INFO("ACCESS", 20250, "Authentication succeeded",
               {{"mechanism", std::string(scram::MechanismName(c.mechanism))},
                {"speculative", c.speculative},
                {"principalName", name.user},
                {"authenticationDatabase", name.db},
                {"remote", client.remote}});
  return Status::OK();
}

// The saslStart step shared by the command and hello's speculativeAuthenticate.
StatusWith<bson::BsonDocument> Start(ServiceContext& service, ClientState& client,
                                     std::string_view command, const std::string& db,
                                     const bson::BsonView& cmd, bool speculative) {
  BsonElement mechanism_element = cmd.Get("mechanism");
  if (mechanism_element.eoo()) return MissingFieldError(std::string(command) + ".mechanism");
  if (mechanism_element.type() != BsonType::kString) {
    return WrongTypeError(std::string(command) + ".mechanism", mechanism_element, "string");
  }
  DDS_ASSIGN_OR_RETURN(scram::Mechanism mechanism, ParseMechanismName(mechanism_element.String()));
  std::string payload;
  bool base64 = false;
  DDS_RETURN_IF_ERROR(ReadPayload(command, cmd, &payload, &base64));
  bool skip_empty_exchange = false;
  if (BsonElement options = cmd.Get("options"); !options.eoo()) {
    if (options.type() != BsonType::kObject) {
      return WrongTypeError(std::string(command) + ".options", options, "object");
    }
    skip_empty_exchange = options.Object().Get("skipEmptyExchange").TrueValue();
  }

  SaslConversationState& state = SaslState(client);
  state.conversation.emplace();
  SaslConversationState::Conversation& c = *state.conversation;
  c.db = db;
  c.mechanism = mechanism;
  c.skip_empty_exchange = skip_empty_exchange;
  c.speculative = speculative;
  c.base64_payload = base64;
  c.scram = std::make_unique<scram::ServerConversation>(
      mechanism,
      [&service, &c](std::string_view user) { return LookUp(service, &c, user); });
  StatusWith<std::string> server_first = c.scram->Start(payload);
  if (!server_first.ok()) return Fail(client, server_first.status());
  return StepReply(c, false, server_first.value());
}

}  // namespace

std::chrono::milliseconds AuthFailureDelay(int failures) {
  if (failures <= kFreeAuthFailures) return std::chrono::milliseconds(0);
  const int k = std::min(failures - kFreeAuthFailures - 1, 16);
  return std::min(kFirstFailureDelay * (int64_t{1} << k), kMaxFailureDelay);
}

StatusWith<bson::BsonDocument> SpeculativeSaslStart(ServiceContext& service, ClientState& client,
                                                    const bson::BsonView& request) {
  if (request.empty() || request.FirstElement().field_name() != "saslStart") {
    return Status(ErrorCode::kBadValue, "speculativeAuthenticate supports saslStart only");
  }
  BsonElement db = request.Get("db");
  if (db.type() != BsonType::kString) {
    return Status(ErrorCode::kBadValue, "speculativeAuthenticate requires a 'db' string");
  }
  return Start(service, client, "saslStart", std::string(db.String()), request,
               /*speculative=*/true);
}

StatusWith<std::optional<std::vector<std::string>>> SaslSupportedMechanisms(
    ServiceContext& service, std::string_view db_dot_user) {
  const size_t dot = db_dot_user.find('.');
  if (dot == std::string_view::npos) {
    return Status(ErrorCode::kBadValue,
                  "UserName must contain a '.' separated database.user pair");
  }
  std::optional<std::vector<std::string>> none;
  if (service.users == nullptr) return none;
  auth::UserName name{std::string(db_dot_user.substr(dot + 1)),
                      std::string(db_dot_user.substr(0, dot))};
  DDS_ASSIGN_OR_RETURN(std::optional<UserRecord> user, service.users->FindUser(name));
  if (!user) return none;
  std::vector<std::string> mechanisms;
  if (user->sha1) mechanisms.emplace_back(scram::kSha1Name);
  if (user->sha256) mechanisms.emplace_back(scram::kSha256Name);
  return std::optional<std::vector<std::string>>(std::move(mechanisms));
}

StatusWith<bson::BsonDocument> RunSaslStart(CommandContext& ctx, const bson::BsonView& cmd) {
  return Start(ctx.service, ctx.client, "saslStart", ctx.db, cmd, /*speculative=*/false);
}

StatusWith<bson::BsonDocument> RunSaslContinue(CommandContext& ctx, const bson::BsonView& cmd) {
  SaslConversationState& state = SaslState(ctx.client);
  if (!state.conversation) {
    return Status(ErrorCode::kProtocolError, "No SASL session state found");
  }
  BsonElement id = cmd.Get("conversationId");
  if (id.eoo()) return MissingFieldError("saslContinue.conversationId");
  if (!id.IsNumber()) return WrongTypeError("saslContinue.conversationId", id, "int");
  if (!id.ExactInt32() || *id.ExactInt32() != kConversationId) {
    state.conversation.reset();
    return Status(ErrorCode::kProtocolError, "sasl: Mismatched conversation id");
  }
  SaslConversationState::Conversation& c = *state.conversation;
  std::string payload;
  bool base64 = false;
  DDS_RETURN_IF_ERROR(ReadPayload("saslContinue", cmd, &payload, &base64));
  c.base64_payload = base64;
  if (ctx.db != c.db) {
    return Fail(ctx.client, Status(ErrorCode::kProtocolError,
                                   "saslContinue on database " + ctx.db + ", started on " + c.db));
  }

  if (c.awaiting_empty_step) {  // the last, empty exchange of clients without skipEmptyExchange
    if (!payload.empty()) {
      return Fail(ctx.client, Status(ErrorCode::kBadValue, "expected an empty final payload"));
    }
    Status done = Complete(ctx.service, ctx.client, c);
    bson::BsonDocument reply = StepReply(c, true, "");
    state.conversation.reset();
    if (!done.ok()) return done;
    return reply;
  }
  StatusWith<std::string> server_final = c.scram->Finish(payload);
  if (!server_final.ok()) return Fail(ctx.client, server_final.status());
  if (!c.skip_empty_exchange) {
    c.awaiting_empty_step = true;
    return StepReply(c, false, server_final.value());
  }
  Status done = Complete(ctx.service, ctx.client, c);
  bson::BsonDocument reply = StepReply(c, true, server_final.value());
  state.conversation.reset();
  if (!done.ok()) return done;
  return reply;
}

StatusWith<bson::BsonDocument> RunConnectionStatus(CommandContext& ctx,
                                                   const bson::BsonView& cmd) {
  FieldParser p("connectionStatus", cmd);
  bool show_privileges = false;
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("showPrivileges", &show_privileges));
  DDS_RETURN_IF_ERROR(p.Finish());
  const auth::AuthorizationSession& session = ctx.client.auth;
  bson::BsonBuilder b;
  b.StartDocument("authInfo");
  b.StartArray("authenticatedUsers");
  if (session.user()) {
    b.StartDocument("0");
    b.AppendString("user", session.user()->user);
    b.AppendString("db", session.user()->db);
    b.End();
  }
  b.End();
  b.StartArray("authenticatedUserRoles");
  if (session.user()) {
    for (size_t i = 0; i < session.roles().size(); ++i) {
      b.StartDocument(bson::IndexName(i));
      b.AppendString("role", session.roles()[i].role);
      b.AppendString("db", session.roles()[i].db);
      b.End();
    }
  }
  b.End();
  if (show_privileges) {
    if (session.user()) {
      auth::AppendPrivilegeArray(&b, "authenticatedUserPrivileges", session.privileges());
    } else {
      b.StartArray("authenticatedUserPrivileges").End();
    }
  }
  b.End();
  return b.Done();
}

StatusWith<bson::BsonDocument> RunLogout(CommandContext& ctx, const bson::BsonView& cmd) {
  DDS_LOG_WARNING("ACCESS", 5626600,
                  "The logout command has been deprecated, clients should end their connection "
                  "instead",
                  {{"remote", ctx.client.remote}});
  // As mongod: only a user of this database is logged out; otherwise nothing happens.
  const std::optional<auth::UserName>& user = ctx.client.auth.user();
  if (user && user->db == ctx.db) ctx.client.auth.Logout();
  if (ctx.client.sasl) ctx.client.sasl->conversation.reset();
  return bson::BsonDocument();
}

}  // namespace dds::commands
