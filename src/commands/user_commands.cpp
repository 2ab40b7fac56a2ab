// createUser, updateUser, dropUser, dropAllUsersFromDatabase, usersInfo, grantRolesToUser,
// revokeRolesFromUser, and their authorization checks (commands/user_commands.h).
#include "commands/user_commands.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <tuple>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "auth/authorization_session.h"
#include "auth/builtin_roles.h"
#include "auth/role_graph.h"
#include "commands/command_authorization.h"
#include "commands/request_parser.h"
#include "commands/user_store.h"
#include "query/match_expression.h"
#include "query/match_parser.h"

namespace dds::commands {

using auth::ActionSet;
using auth::ResourceTarget;
using bson::BsonBuilder;
using bson::BsonElement;
using bson::BsonType;
using bson::BsonView;
using A = auth::ActionType;

StatusWith<UserStore*> Users(const CommandContext& ctx) {
  if (ctx.service.users == nullptr) {
    return Status(ErrorCode::kInternalError, "the user store is not available");
  }
  return ctx.service.users;
}

StatusWith<std::vector<auth::RoleName>> ParseRoleNames(const BsonElement& roles,
                                                       std::string_view default_db,
                                                       std::string_view path) {
  if (roles.type() != BsonType::kArray) return WrongTypeError(path, roles, "array");
  std::vector<auth::RoleName> out;
  for (const BsonElement& r : roles.Array()) {
    auth::RoleName name;
    if (r.type() == BsonType::kString) {
      name = {std::string(r.String()), std::string(default_db)};
    } else if (r.type() == BsonType::kObject) {
      BsonView doc = r.Object();
      BsonElement role = doc.Get("role");
      BsonElement db = doc.Get("db");
      if (role.eoo()) return MissingFieldError(std::string(path) + ".role");
      if (db.eoo()) return MissingFieldError(std::string(path) + ".db");
      if (role.type() != BsonType::kString) {
        return WrongTypeError(std::string(path) + ".role", role, "string");
      }
      if (db.type() != BsonType::kString) {
        return WrongTypeError(std::string(path) + ".db", db, "string");
      }
      name = {std::string(role.String()), std::string(db.String())};
    } else {
      return Status(ErrorCode::kBadValue, "Role names must be either strings or objects");
    }
    if (name.role.empty() || name.db.empty()) {
      return Status(ErrorCode::kBadValue, "Role names and databases must be non-empty");
    }
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
  }
  return out;
}

Status CheckRolesExist(CommandContext& ctx, const std::vector<auth::RoleName>& roles) {
  DDS_ASSIGN_OR_RETURN(UserStore * users, Users(ctx));
  for (const auth::RoleName& r : roles) {
    if (auth::IsBuiltinRole(r)) continue;
    DDS_ASSIGN_OR_RETURN(std::optional<auth::RoleDefinition> found, users->FindRole(r));
    if (!found) {
      return Status(ErrorCode::kRoleNotFound, "Could not find role: " + r.ToString());
    }
  }
  return Status::OK();
}

Status RejectAuthenticationRestrictions(FieldParser& p) {
  BsonElement restrictions = p.Take("authenticationRestrictions");
  if (restrictions.eoo()) return Status::OK();
  if (restrictions.type() != BsonType::kArray) {
    return WrongTypeError(p.Path("authenticationRestrictions"), restrictions, "array");
  }
  if (!restrictions.Array().empty()) {
    return Status(ErrorCode::kNotImplemented, "authenticationRestrictions are not supported");
  }
  return Status::OK();
}

namespace {

// The user name of a command's first field (createUser: "name").
StatusWith<auth::UserName> CommandUserName(const CommandContext& ctx, const BsonView& cmd) {
  BsonElement first = cmd.FirstElement();
  if (first.type() != BsonType::kString) {
    return WrongTypeError(first.field_name(), first, "string");
  }
  if (first.String().empty()) {
    return Status(ErrorCode::kBadValue, "User document needs 'user' field to be non-empty");
  }
  if (first.String().find('\0') != std::string_view::npos) {
    return Status(ErrorCode::kBadValue, "Username cannot contain NULL characters");
  }
  return auth::UserName{std::string(first.String()), ctx.db};
}

// SCRAM-SHA-1 credentials from a password the client already digested (mongosh's "client"
// digestor: digestPassword: false with hex(MD5("user:mongo:pwd"))).
scram::Credentials Sha1FromDigest(std::string_view digest, int iterations) {
  std::string salt = scram::RandomBytes(16);
  unsigned char salted[SHA_DIGEST_LENGTH];
  PKCS5_PBKDF2_HMAC(digest.data(), static_cast<int>(digest.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), iterations, EVP_sha1(), SHA_DIGEST_LENGTH,
                    salted);
  auto hmac = [&salted](std::string_view text) {
    unsigned char out[SHA_DIGEST_LENGTH];
    unsigned int len = 0;
    HMAC(EVP_sha1(), salted, SHA_DIGEST_LENGTH, reinterpret_cast<const unsigned char*>(text.data()),
         text.size(), out, &len);
    return std::string(reinterpret_cast<char*>(out), len);
  };
  std::string client_key = hmac("Client Key");
  unsigned char stored[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(client_key.data()), client_key.size(), stored);
  scram::Credentials c;
  c.iteration_count = iterations;
  c.salt = std::move(salt);
  c.stored_key = std::string(reinterpret_cast<char*>(stored), SHA_DIGEST_LENGTH);
  c.server_key = hmac("Server Key");
  return c;
}

struct PasswordOptions {
  std::optional<std::string> pwd;
  bool digest_password = true;
  // nullopt: mongod's default (both, or SCRAM-SHA-1 only for a client-digested password).
  std::optional<std::vector<scram::Mechanism>> mechanisms;
};

Status ParsePasswordOptions(FieldParser& p, std::string_view command, PasswordOptions* out) {
  BsonElement pwd = p.Take("pwd");
  if (!pwd.eoo()) {
    if (pwd.type() != BsonType::kString) return WrongTypeError(p.Path("pwd"), pwd, "string");
    if (pwd.String().empty()) return Status(ErrorCode::kBadValue, "Password cannot be empty");
    out->pwd = std::string(pwd.String());
  }
  DDS_RETURN_IF_ERROR(p.ReadBool("digestPassword", &out->digest_password));
  BsonElement mechanisms = p.Take("mechanisms");
  if (!mechanisms.eoo()) {
    if (mechanisms.type() != BsonType::kArray) {
      return WrongTypeError(p.Path("mechanisms"), mechanisms, "array");
    }
    std::vector<scram::Mechanism> list;
    for (const BsonElement& m : mechanisms.Array()) {
      if (m.type() != BsonType::kString) {
        return WrongTypeError(p.Path("mechanisms"), m, "string");
      }
      std::optional<scram::Mechanism> parsed = scram::ParseMechanism(m.String());
      if (!parsed) {
        return Status(ErrorCode::kBadValue,
                      "Unknown auth mechanism '" + std::string(m.String()) + "'");
      }
      if (std::find(list.begin(), list.end(), *parsed) == list.end()) list.push_back(*parsed);
    }
    if (list.empty()) return Status(ErrorCode::kBadValue, "mechanisms field must not be empty");
    out->mechanisms = std::move(list);
  }
  (void)command;
  return Status::OK();
}

// Sets the user's credentials from the password options (REQUIRES: opts.pwd).
Status SetCredentials(const PasswordOptions& opts, UserRecord* user) {
  std::vector<scram::Mechanism> mechanisms = opts.mechanisms.value_or(
      opts.digest_password
          ? std::vector<scram::Mechanism>{scram::Mechanism::kSha1, scram::Mechanism::kSha256}
          : std::vector<scram::Mechanism>{scram::Mechanism::kSha1});
  bool sha1 =
      std::find(mechanisms.begin(), mechanisms.end(), scram::Mechanism::kSha1) != mechanisms.end();
  bool sha256 = std::find(mechanisms.begin(), mechanisms.end(), scram::Mechanism::kSha256) !=
                mechanisms.end();
  if (sha256 && !opts.digest_password) {
    return Status(ErrorCode::kBadValue, "Use of SCRAM-SHA-256 requires undigested passwords");
  }
  user->sha1.reset();
  user->sha256.reset();
  if (sha1) {
    if (opts.digest_password) {
      DDS_ASSIGN_OR_RETURN(
          user->sha1, scram::DeriveCredentials(scram::Mechanism::kSha1, user->name.user, *opts.pwd,
                                               scram::kDefaultSha1Iterations));
    } else {
      user->sha1 = Sha1FromDigest(*opts.pwd, scram::kDefaultSha1Iterations);
    }
  }
  if (sha256) {
    StatusWith<scram::Credentials> c = scram::DeriveCredentials(
        scram::Mechanism::kSha256, user->name.user, *opts.pwd, scram::kDefaultSha256Iterations);
    if (!c.ok()) {
      return Status(ErrorCode::kBadValue,
                    "Error preflighting normalization: " + c.status().reason());
    }
    user->sha256 = std::move(c).value();
  }
  return Status::OK();
}

Status CheckCustomData(FieldParser& p, std::optional<bson::BsonDocument>* out) {
  BsonElement custom = p.Take("customData");
  if (custom.eoo()) return Status::OK();
  if (custom.type() != BsonType::kObject) {
    return WrongTypeError(p.Path("customData"), custom, "object");
  }
  *out = bson::BsonDocument(custom.Object());
  return Status::OK();
}

StatusWith<UserRecord> RequireUser(UserStore* users, const auth::UserName& name) {
  DDS_ASSIGN_OR_RETURN(std::optional<UserRecord> user, users->FindUser(name));
  if (!user) return Status(ErrorCode::kUserNotFound, "User " + name.ToString() + " not found");
  return std::move(*user);
}

std::vector<std::string> MechanismNames(const UserRecord& u) {
  std::vector<std::string> out;
  if (u.sha1) out.emplace_back(scram::kSha1Name);
  if (u.sha256) out.emplace_back(scram::kSha256Name);
  return out;
}

void AppendCredentialsDoc(BsonBuilder* b, const UserRecord& u) {
  bson::BsonDocument doc = UserRecordToBson(u);
  b->AppendElement(doc.view().Get("credentials"));
}

// The usersInfo entry of one user (mongosh's db.getUsers() shape).
Status AppendUserInfo(CommandContext& ctx, BsonBuilder* b, const UserRecord& u,
                      bool show_credentials, bool show_privileges) {
  b->AppendString("_id", u.name.Id());
  b->AppendBinary("userId", 4, u.user_id);
  b->AppendString("user", u.name.user);
  b->AppendString("db", u.name.db);
  if (show_credentials) AppendCredentialsDoc(b, u);
  if (!u.custom_data.empty()) b->AppendDocument("customData", u.custom_data.view());
  AppendRoleNames(b, "roles", u.roles);
  if (show_privileges) {
    DDS_ASSIGN_OR_RETURN(UserStore * users, Users(ctx));
    DDS_ASSIGN_OR_RETURN(auth::ResolvedRoles resolved, users->Resolve(u.roles));
    AppendRoleNames(b, "inheritedRoles", resolved.roles);
    auth::AppendPrivilegeArray(b, "inheritedPrivileges", resolved.privileges);
    b->StartArray("inheritedAuthenticationRestrictions").End();
    b->StartArray("authenticationRestrictions").End();
  }
  b->StartArray("mechanisms");
  std::vector<std::string> mechanisms = MechanismNames(u);
  for (size_t i = 0; i < mechanisms.size(); ++i) b->AppendString(bson::IndexName(i), mechanisms[i]);
  b->End();
  return Status::OK();
}

// usersInfo's target: which users it asks for.
struct UsersInfoTarget {
  bool all_in_db = false;  // usersInfo: 1
  bool all_dbs = false;    // {forAllDBs: true}
  std::vector<auth::UserName> names;
};

StatusWith<auth::UserName> ParseUserNameValue(const BsonElement& e, std::string_view default_db) {
  if (e.type() == BsonType::kString)
    return auth::UserName{std::string(e.String()), std::string(default_db)};
  if (e.type() == BsonType::kObject) {
    BsonElement user = e.Object().Get("user");
    BsonElement db = e.Object().Get("db");
    if (user.type() != BsonType::kString || db.type() != BsonType::kString) {
      return Status(ErrorCode::kBadValue, "User name must contain 'user' and 'db' string fields");
    }
    return auth::UserName{std::string(user.String()), std::string(db.String())};
  }
  return Status(ErrorCode::kBadValue,
                "User name must be either a string or an object with 'user' and 'db' fields");
}

StatusWith<UsersInfoTarget> ParseUsersInfoTarget(const BsonElement& e, std::string_view db) {
  UsersInfoTarget t;
  if (e.IsNumber()) {
    if (e.NumberDouble() != 1) {
      return Status(ErrorCode::kBadValue, "usersInfo must be 1, a user name, or an array");
    }
    t.all_in_db = true;
  } else if (e.type() == BsonType::kObject && e.Object().HasField("forAllDBs")) {
    if (!e.Object().Get("forAllDBs").TrueValue()) {
      return Status(ErrorCode::kBadValue, "forAllDBs must be true");
    }
    t.all_dbs = true;
  } else if (e.type() == BsonType::kArray) {
    for (const BsonElement& item : e.Array()) {
      DDS_ASSIGN_OR_RETURN(auth::UserName name, ParseUserNameValue(item, db));
      t.names.push_back(std::move(name));
    }
  } else {
    DDS_ASSIGN_OR_RETURN(auth::UserName name, ParseUserNameValue(e, db));
    t.names.push_back(std::move(name));
  }
  return t;
}

const auth::AuthorizationSession& Session(const CommandContext& ctx) { return ctx.client.auth; }

bool IsSelf(const CommandContext& ctx, const auth::UserName& name) {
  return Session(ctx).authenticated() && *Session(ctx).user() == name;
}

}  // namespace

// --- handlers --------------------------------------------------------------------------------

StatusWith<bson::BsonDocument> RunCreateUser(CommandContext& ctx, const BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(auth::UserName name, CommandUserName(ctx, cmd));
  FieldParser p("createUser", cmd);
  PasswordOptions password;
  DDS_RETURN_IF_ERROR(ParsePasswordOptions(p, "createUser", &password));
  std::optional<bson::BsonDocument> custom_data;
  DDS_RETURN_IF_ERROR(CheckCustomData(p, &custom_data));
  DDS_ASSIGN_OR_RETURN(BsonElement roles_element, p.TakeRequired("roles"));
  DDS_ASSIGN_OR_RETURN(std::vector<auth::RoleName> roles,
                       ParseRoleNames(roles_element, ctx.db, "createUser.roles"));
  DDS_RETURN_IF_ERROR(RejectAuthenticationRestrictions(p));
  DDS_RETURN_IF_ERROR(p.Finish());
  if (ctx.db == "local") {
    return Status(ErrorCode::kBadValue, "Cannot create users in the local database");
  }
  if (ctx.db == "$external") {
    return Status(ErrorCode::kBadValue, "Cannot create users in the $external database");
  }
  if (!password.pwd) {
    return Status(ErrorCode::kBadValue,
                  "Must provide a 'pwd' field for all user documents, except those with "
                  "'$external' as the user's source db");
  }
  DDS_RETURN_IF_ERROR(CheckRolesExist(ctx, roles));
  UserRecord user;
  user.name = name;
  user.roles = std::move(roles);
  if (custom_data) user.custom_data = std::move(*custom_data);
  DDS_RETURN_IF_ERROR(SetCredentials(password, &user));
  DDS_ASSIGN_OR_RETURN(UserStore * users, Users(ctx));
  DDS_RETURN_IF_ERROR(users->InsertUser(user));
  return bson::BsonDocument();
}

StatusWith<bson::BsonDocument> RunUpdateUser(CommandContext& ctx, const BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(auth::UserName name, CommandUserName(ctx, cmd));
  FieldParser p("updateUser", cmd);
  PasswordOptions password;
  DDS_RETURN_IF_ERROR(ParsePasswordOptions(p, "updateUser", &password));
  std::optional<bson::BsonDocument> custom_data;
  DDS_RETURN_IF_ERROR(CheckCustomData(p, &custom_data));
  std::optional<std::vector<auth::RoleName>> roles;
  if (BsonElement r = p.Take("roles"); !r.eoo()) {
    DDS_ASSIGN_OR_RETURN(roles, ParseRoleNames(r, ctx.db, "updateUser.roles"));
  }
  DDS_RETURN_IF_ERROR(RejectAuthenticationRestrictions(p));
  DDS_RETURN_IF_ERROR(p.Finish());
  if (!password.pwd && !custom_data && !roles && !password.mechanisms) {
    return Status(ErrorCode::kBadValue, "Must specify at least one field to update in updateUser");
  }
  DDS_ASSIGN_OR_RETURN(UserStore * users, Users(ctx));
  DDS_ASSIGN_OR_RETURN(UserRecord user, RequireUser(users, name));
  if (roles) {
    DDS_RETURN_IF_ERROR(CheckRolesExist(ctx, *roles));
    user.roles = std::move(*roles);
  }
  if (custom_data) user.custom_data = std::move(*custom_data);
  if (password.pwd) {
    DDS_RETURN_IF_ERROR(SetCredentials(password, &user));
  } else if (password.mechanisms) {
    // Without a password, mechanisms may only narrow the existing credentials (mongod).
    bool keep_sha1 = false;
    bool keep_sha256 = false;
    for (scram::Mechanism m : *password.mechanisms) {
      bool present = m == scram::Mechanism::kSha1 ? user.sha1.has_value() : user.sha256.has_value();
      if (!present) {
        return Status(ErrorCode::kBadValue,
                      "mechanisms field must be a subset of previously set mechanisms");
      }
      (m == scram::Mechanism::kSha1 ? keep_sha1 : keep_sha256) = true;
    }
    if (!keep_sha1) user.sha1.reset();
    if (!keep_sha256) user.sha256.reset();
  }
  DDS_RETURN_IF_ERROR(users->UpsertUser(user));
  return bson::BsonDocument();
}

StatusWith<bson::BsonDocument> RunDropUser(CommandContext& ctx, const BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(auth::UserName name, CommandUserName(ctx, cmd));
  FieldParser p("dropUser", cmd);
  DDS_RETURN_IF_ERROR(p.Finish());
  DDS_ASSIGN_OR_RETURN(UserStore * users, Users(ctx));
  DDS_RETURN_IF_ERROR(users->DropUser(name));
  return bson::BsonDocument();
}

StatusWith<bson::BsonDocument> RunDropAllUsersFromDatabase(CommandContext& ctx,
                                                           const BsonView& cmd) {
  FieldParser p("dropAllUsersFromDatabase", cmd);
  DDS_RETURN_IF_ERROR(p.Finish());
  DDS_ASSIGN_OR_RETURN(UserStore * users, Users(ctx));
  DDS_ASSIGN_OR_RETURN(int64_t n, users->DropAllUsers(ctx.db));
  BsonBuilder b;
  b.AppendInt32("n", static_cast<int32_t>(n));
  return b.Done();
}

StatusWith<bson::BsonDocument> RunUsersInfo(CommandContext& ctx, const BsonView& cmd) {
  FieldParser p("usersInfo", cmd);
  bool show_credentials = false;
  bool show_privileges = false;
  bool show_restrictions = false;
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("showCredentials", &show_credentials));
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("showPrivileges", &show_privileges));
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("showAuthenticationRestrictions", &show_restrictions));
  p.Ignore("showCustomData");
  std::optional<BsonView> filter;
  DDS_RETURN_IF_ERROR(p.ReadObject("filter", &filter));
  DDS_RETURN_IF_ERROR(p.Finish());
  DDS_ASSIGN_OR_RETURN(UsersInfoTarget target, ParseUsersInfoTarget(cmd.FirstElement(), ctx.db));
  if (filter && !target.all_in_db && !target.all_dbs) {
    return Status(ErrorCode::kBadValue,
                  "Filter is only allowed with usersInfo: 1 or usersInfo: {forAllDBs: true}");
  }
  std::unique_ptr<query::MatchExpression> matcher;
  if (filter) {
    DDS_ASSIGN_OR_RETURN(matcher, query::ParseMatchExpression(*filter));
  }
  DDS_ASSIGN_OR_RETURN(UserStore * users, Users(ctx));
  std::vector<UserRecord> found;
  if (target.all_in_db || target.all_dbs) {
    DDS_ASSIGN_OR_RETURN(
        found,
        users->ListUsers(target.all_dbs ? std::nullopt : std::optional<std::string_view>(ctx.db)));
    std::sort(found.begin(), found.end(), [](const UserRecord& a, const UserRecord& b) {
      return std::tie(a.name.user, a.name.db) < std::tie(b.name.user, b.name.db);
    });
  } else {
    for (const auth::UserName& n : target.names) {
      DDS_ASSIGN_OR_RETURN(std::optional<UserRecord> u, users->FindUser(n));
      if (u) found.push_back(std::move(*u));
    }
  }
  BsonBuilder b;
  b.StartArray("users");
  size_t i = 0;
  for (const UserRecord& u : found) {
    BsonBuilder one;
    DDS_RETURN_IF_ERROR(AppendUserInfo(ctx, &one, u, show_credentials, show_privileges));
    bson::BsonDocument doc = one.Done();
    if (matcher && !matcher->Matches(doc.view())) continue;
    b.AppendDocument(bson::IndexName(i++), doc.view());
  }
  b.End();
  return b.Done();
}

namespace {

StatusWith<bson::BsonDocument> ChangeUserRoles(CommandContext& ctx, const BsonView& cmd,
                                               std::string_view command, bool grant) {
  DDS_ASSIGN_OR_RETURN(auth::UserName name, CommandUserName(ctx, cmd));
  FieldParser p(std::string(command), cmd);
  DDS_ASSIGN_OR_RETURN(BsonElement roles_element, p.TakeRequired("roles"));
  DDS_ASSIGN_OR_RETURN(std::vector<auth::RoleName> roles,
                       ParseRoleNames(roles_element, ctx.db, std::string(command) + ".roles"));
  DDS_RETURN_IF_ERROR(p.Finish());
  if (roles.empty()) {
    return Status(ErrorCode::kBadValue,
                  std::string(command) + " command requires a non-empty \"roles\" array");
  }
  DDS_ASSIGN_OR_RETURN(UserStore * users, Users(ctx));
  DDS_ASSIGN_OR_RETURN(UserRecord user, RequireUser(users, name));
  DDS_RETURN_IF_ERROR(CheckRolesExist(ctx, roles));
  for (const auth::RoleName& r : roles) {
    auto it = std::find(user.roles.begin(), user.roles.end(), r);
    if (grant && it == user.roles.end()) user.roles.push_back(r);
    if (!grant && it != user.roles.end()) user.roles.erase(it);
  }
  DDS_RETURN_IF_ERROR(users->UpsertUser(user));
  return bson::BsonDocument();
}

}  // namespace

StatusWith<bson::BsonDocument> RunGrantRolesToUser(CommandContext& ctx, const BsonView& cmd) {
  return ChangeUserRoles(ctx, cmd, "grantRolesToUser", true);
}

StatusWith<bson::BsonDocument> RunRevokeRolesFromUser(CommandContext& ctx, const BsonView& cmd) {
  return ChangeUserRoles(ctx, cmd, "revokeRolesFromUser", false);
}

// --- authorization checks (mongod's user_management_commands auth checks) -------------------

Status CheckCreateUser(const CommandContext& ctx, const BsonView& cmd) {
  DDS_RETURN_IF_ERROR(RequireAuthorized(ctx, cmd, ResourceTarget::Database(ctx.db), {A::kCreateUser}));
  return RequireOnRoleDbs(ctx, cmd, "roles", A::kGrantRole);
}

Status CheckUpdateUser(const CommandContext& ctx, const BsonView& cmd) {
  BsonElement first = cmd.FirstElement();
  bool self =
      first.type() == BsonType::kString && IsSelf(ctx, {std::string(first.String()), ctx.db});
  ResourceTarget db = ResourceTarget::Database(ctx.db);
  if (cmd.HasField("pwd") || cmd.HasField("mechanisms")) {
    if (!(self && Session(ctx).IsAuthorized(db, {A::kChangeOwnPassword}))) {
      DDS_RETURN_IF_ERROR(RequireAuthorized(ctx, cmd, db, {A::kChangePassword}));
    }
  }
  if (cmd.HasField("customData")) {
    if (!(self && Session(ctx).IsAuthorized(db, {A::kChangeOwnCustomData}))) {
      DDS_RETURN_IF_ERROR(RequireAuthorized(ctx, cmd, db, {A::kChangeCustomData}));
    }
  }
  if (cmd.HasField("roles")) {
    DDS_RETURN_IF_ERROR(RequireOnRoleDbs(ctx, cmd, "roles", A::kGrantRole));
    DDS_RETURN_IF_ERROR(RequireAuthorized(ctx, cmd, db, {A::kRevokeRole}));
  }
  return Status::OK();
}

Status CheckDropUser(const CommandContext& ctx, const BsonView& cmd) {
  return RequireAuthorized(ctx, cmd, ResourceTarget::Database(ctx.db), {A::kDropUser});
}

Status CheckDropAllUsers(const CommandContext& ctx, const BsonView& cmd) {
  return RequireAuthorized(ctx, cmd, ResourceTarget::Database(ctx.db), {A::kDropUser});
}

Status CheckUsersInfo(const CommandContext& ctx, const BsonView& cmd) {
  StatusWith<UsersInfoTarget> target = ParseUsersInfoTarget(cmd.FirstElement(), ctx.db);
  if (!target.ok()) return Status::OK();  // the command reports it
  if (target.value().all_dbs) return RequireAuthorized(ctx, cmd, ResourceTarget::Cluster(), {A::kViewUser});
  if (target.value().all_in_db) {
    return RequireAuthorized(ctx, cmd, ResourceTarget::Database(ctx.db), {A::kViewUser});
  }
  for (const auth::UserName& n : target.value().names) {
    if (IsSelf(ctx, n)) continue;  // every user may look at themselves
    DDS_RETURN_IF_ERROR(RequireAuthorized(ctx, cmd, ResourceTarget::Database(n.db), {A::kViewUser}));
  }
  return Status::OK();
}

Status CheckGrantRolesToUser(const CommandContext& ctx, const BsonView& cmd) {
  return RequireOnRoleDbs(ctx, cmd, "roles", A::kGrantRole);
}

Status CheckRevokeRolesFromUser(const CommandContext& ctx, const BsonView& cmd) {
  return RequireOnRoleDbs(ctx, cmd, "roles", A::kRevokeRole);
}

Status RequireAuthorized(const CommandContext& ctx, const BsonView& cmd,
                         const ResourceTarget& target, const ActionSet& actions) {
  if (ctx.client.auth.IsAuthorized(target, actions)) return Status::OK();
  return UnauthorizedError(ctx.db, cmd);
}

Status RequireOnRoleDbs(const CommandContext& ctx, const BsonView& cmd, std::string_view field,
                        auth::ActionType action) {
  BsonElement roles = cmd.Get(field);
  if (roles.eoo()) return Status::OK();
  StatusWith<std::vector<auth::RoleName>> parsed = ParseRoleNames(roles, ctx.db, field);
  if (!parsed.ok()) return Status::OK();  // the command reports the parse error
  for (const auth::RoleName& r : parsed.value()) {
    DDS_RETURN_IF_ERROR(RequireAuthorized(ctx, cmd, ResourceTarget::Database(r.db), {action}));
  }
  return Status::OK();
}

}  // namespace dds::commands
