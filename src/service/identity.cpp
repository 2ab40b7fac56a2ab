#include "service/identity.h"

#include <cstdlib>
#include <fstream>

#include <sys/stat.h>

#include "common/logging.h"
#include "service/aksk_signer.h"
#include "service/api_error.h"
#include "service/crypto.h"
#include "service/time_util.h"

namespace dds::service {
namespace {

using nlohmann::json;

constexpr int kPasswordIterations = 10000;
constexpr int64_t kMaxSdkClockSkewMs = 15 * 60 * 1000;

Status AuthFailed(std::string_view msg) {
  return ApiError(ErrorCode::kServiceUnauthenticated, "APIG.0301", msg);
}

Status IamBadRequest(std::string_view msg) { return BadRequest("DBS.200001", msg); }

std::string HashPassword(const std::string& password, const std::string& salt, int iterations) {
  return HexEncode(Pbkdf2(Digest::kSha256, password, salt, iterations, 32));
}

std::string TokenHash(const std::string& token) { return HexEncode(Hash(Digest::kSha256, token)); }

std::string RoleName(const std::string& role_id) {
  if (role_id == kAdminRoleId) return kRoleAdmin;
  if (role_id == kReadonlyRoleId) return kRoleReadonly;
  return "";
}

// Accepts a role id or a role name.
std::string RoleIdFor(const std::string& id_or_name) {
  if (id_or_name == kAdminRoleId || id_or_name == kRoleAdmin) return kAdminRoleId;
  if (id_or_name == kReadonlyRoleId || id_or_name == kRoleReadonly) return kReadonlyRoleId;
  return "";
}

bool ValidIamName(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (unsigned char c : s) {
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.')) return false;
  }
  return true;
}

const json* Member(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::string StringMember(const json& j, const char* key) {
  const json* m = Member(j, key);
  return m && m->is_string() ? m->get<std::string>() : std::string();
}

}  // namespace

bool IsHex32(std::string_view s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

StatusWith<std::string> Identity::EnsureDomain(const std::string& name) {
  DDS_ASSIGN_OR_RETURN(auto rows, store_->Query("SELECT id FROM domains WHERE name = ?", {name}));
  if (!rows.empty()) return rows[0].Str(0);
  std::string id = RandomHex(16);
  DDS_RETURN_IF_ERROR(store_->Exec("INSERT INTO domains (id, name, created) VALUES (?, ?, ?)",
                                   {id, name, NowMillis()}));
  return id;
}

Status Identity::Bootstrap() {
  DDS_ASSIGN_OR_RETURN(auto rows, store_->Query("SELECT COUNT(*) FROM users"));
  if (rows[0].Int(0) > 0) return Status::OK();
  std::string password;
  const char* env = std::getenv("DDS_ADMIN_PASSWORD");
  std::string password_file;
  if (env != nullptr && *env != '\0') {
    password = env;
  } else {
    password = Base64Encode(RandomBytes(18));
    password_file = config_->data_dir + "/admin-password";
    // Created with 0600 before anything is written.
    ::umask(077);
    std::ofstream out(password_file, std::ios::trunc);
    out << password << "\n";
    out.close();
    ::chmod(password_file.c_str(), 0600);
    ::umask(022);
    if (!out) return Status(ErrorCode::kInternalError, "cannot write " + password_file);
  }
  return store_->Transaction([&]() -> Status {
    DDS_ASSIGN_OR_RETURN(std::string domain_id, EnsureDomain("admin"));
    std::string project_id = RandomHex(16);
    std::string user_id = RandomHex(16);
    std::string salt = RandomHex(16);
    int64_t now = NowMillis();
    DDS_RETURN_IF_ERROR(store_->Exec(
        "INSERT INTO projects (id, name, domain_id, description, created) VALUES (?, ?, ?, ?, ?)",
        {project_id, std::string("default"), domain_id, std::string("default project"), now}));
    DDS_RETURN_IF_ERROR(store_->Exec(
        "INSERT INTO users (id, name, domain_id, password_hash, password_salt, "
        "password_iterations, default_project_id, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        {user_id, std::string("admin"), domain_id,
         HashPassword(password, salt, kPasswordIterations), salt,
         static_cast<int64_t>(kPasswordIterations), project_id, now}));
    DDS_RETURN_IF_ERROR(
        store_->Exec("INSERT INTO role_assignments (project_id, user_id, role_id) VALUES (?, ?, ?)",
                     {project_id, user_id, std::string(kAdminRoleId)}));
    DDS_LOG_INFO(
        "SERVICE", 9100, "Bootstrapped administrator",
        {{"user", "admin"},
         {"domain", "admin"},
         {"project", "default"},
         {"project_id", project_id},
         {"passwordFile", password_file.empty() ? "(DDS_ADMIN_PASSWORD)" : password_file}});
    return Status::OK();
  });
}

Status Identity::LoadCaller(Caller* c) {
  DDS_ASSIGN_OR_RETURN(auto users,
                       store_->Query("SELECT u.name, u.domain_id, d.name, u.enabled FROM users u "
                                     "JOIN domains d ON d.id = u.domain_id WHERE u.id = ?",
                                     {c->user_id}));
  if (users.empty() || users[0].Int(3) == 0) return AuthFailed("The user is unknown or disabled.");
  c->user_name = users[0].Str(0);
  c->domain_id = users[0].Str(1);
  c->domain_name = users[0].Str(2);
  c->roles.clear();
  if (!c->project_id.empty()) {
    DDS_ASSIGN_OR_RETURN(auto projects,
                         store_->Query("SELECT name FROM projects WHERE id = ?", {c->project_id}));
    if (projects.empty()) return AuthFailed("The token's project no longer exists.");
    c->project_name = projects[0].Str(0);
    DDS_ASSIGN_OR_RETURN(auto roles, store_->Query("SELECT role_id FROM role_assignments WHERE "
                                                   "project_id = ? AND user_id = ?",
                                                   {c->project_id, c->user_id}));
    for (const auto& r : roles) {
      std::string name = RoleName(r.Str(0));
      if (!name.empty()) c->roles.push_back(name);
    }
  }
  return Status::OK();
}

StatusWith<json> Identity::TokenBody(const Caller& c, const std::string& methods, int64_t issued,
                                     int64_t expires) {
  json roles = json::array();
  for (const auto& r : c.roles) {
    roles.push_back({{"id", RoleIdFor(r)}, {"name", r}});
  }
  json token = {{"expires_at", FormatKeystoneTime(expires)},
                {"issued_at", FormatKeystoneTime(issued)},
                {"methods", json::array({methods})},
                {"user",
                 {{"id", c.user_id},
                  {"name", c.user_name},
                  {"domain", {{"id", c.domain_id}, {"name", c.domain_name}}},
                  {"password_expires_at", ""}}},
                {"roles", roles},
                {"catalog", json::array()}};
  if (!c.project_id.empty()) {
    DDS_ASSIGN_OR_RETURN(auto rows, store_->Query("SELECT p.domain_id, d.name FROM projects p "
                                                  "JOIN domains d ON d.id = p.domain_id "
                                                  "WHERE p.id = ?",
                                                  {c.project_id}));
    json domain =
        rows.empty() ? json::object() : json{{"id", rows[0].Str(0)}, {"name", rows[0].Str(1)}};
    token["project"] = {{"id", c.project_id}, {"name", c.project_name}, {"domain", domain}};
  } else {
    token["domain"] = {{"id", c.domain_id}, {"name", c.domain_name}};
  }
  return json{{"token", token}};
}

StatusWith<IssuedToken> Identity::IssueToken(const json& body) {
  const json* auth = Member(body, "auth");
  const json* identity = auth ? Member(*auth, "identity") : nullptr;
  const json* methods = identity ? Member(*identity, "methods") : nullptr;
  if (!methods || !methods->is_array() || methods->empty() || !(*methods)[0].is_string()) {
    return IamBadRequest("auth.identity.methods is required");
  }
  std::string method = (*methods)[0];
  Caller caller;
  if (method == "password") {
    const json* pw = Member(*identity, "password");
    const json* user = pw ? Member(*pw, "user") : nullptr;
    if (!user || !user->is_object())
      return IamBadRequest("auth.identity.password.user is required");
    std::string password = StringMember(*user, "password");
    if (password.empty()) return IamBadRequest("password is required");
    std::string user_id = StringMember(*user, "id");
    std::vector<SqlRow> rows;
    if (!user_id.empty()) {
      DDS_ASSIGN_OR_RETURN(rows, store_->Query("SELECT id, password_hash, password_salt, "
                                               "password_iterations, default_project_id, enabled "
                                               "FROM users WHERE id = ?",
                                               {user_id}));
    } else {
      std::string name = StringMember(*user, "name");
      const json* domain = Member(*user, "domain");
      if (name.empty() || !domain) return IamBadRequest("user name and domain are required");
      std::string domain_id = StringMember(*domain, "id");
      std::string domain_name = StringMember(*domain, "name");
      DDS_ASSIGN_OR_RETURN(rows, store_->Query("SELECT u.id, u.password_hash, u.password_salt, "
                                               "u.password_iterations, u.default_project_id, "
                                               "u.enabled FROM users u JOIN domains d ON "
                                               "d.id = u.domain_id WHERE u.name = ? AND "
                                               "(d.id = ? OR d.name = ?)",
                                               {name, domain_id, domain_name}));
    }
    if (rows.empty() || rows[0].Int(5) == 0 ||
        !ConstantTimeEquals(
            HashPassword(password, rows[0].Str(2), static_cast<int>(rows[0].Int(3))),
            rows[0].Str(1))) {
      return AuthFailed("The username or password is incorrect.");
    }
    caller.user_id = rows[0].Str(0);
    caller.project_id = rows[0].Str(4);
  } else if (method == "token") {
    const json* tok = Member(*identity, "token");
    std::string id = tok ? StringMember(*tok, "id") : "";
    if (id.empty()) return IamBadRequest("auth.identity.token.id is required");
    DDS_ASSIGN_OR_RETURN(Caller existing, AuthenticateToken(id));
    caller.user_id = existing.user_id;
    caller.project_id = existing.project_id;
  } else {
    return IamBadRequest("unsupported authentication method '" + method + "'");
  }
  // Scope: project by id or name; domain scope gives an unscoped-project token.
  const json* scope = Member(*auth, "scope");
  if (scope && scope->is_object()) {
    if (const json* project = Member(*scope, "project")) {
      std::string pid = StringMember(*project, "id");
      std::string pname = StringMember(*project, "name");
      DDS_ASSIGN_OR_RETURN(auto rows, store_->Query("SELECT id FROM projects WHERE id = ? OR "
                                                    "(? <> '' AND name = ?)",
                                                    {pid, pname, pname}));
      if (rows.empty()) return AuthFailed("The project in the scope does not exist.");
      caller.project_id = rows[0].Str(0);
    } else if (Member(*scope, "domain")) {
      caller.project_id.clear();
    }
  }
  DDS_RETURN_IF_ERROR(LoadCaller(&caller));
  if (!caller.project_id.empty() && caller.roles.empty()) {
    return AuthFailed("The user has no role in the requested project.");
  }
  IssuedToken issued;
  issued.token = "dds" + RandomHex(32);
  int64_t now = NowMillis();
  int64_t expires = now + static_cast<int64_t>(config_->token_lifetime_s) * 1000;
  DDS_RETURN_IF_ERROR(store_->Exec(
      "INSERT INTO tokens (token_hash, user_id, project_id, methods, issued_at, expires_at) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      {TokenHash(issued.token), caller.user_id, caller.project_id, method, now, expires}));
  DDS_ASSIGN_OR_RETURN(issued.body, TokenBody(caller, method, now, expires));
  return issued;
}

StatusWith<Caller> Identity::AuthenticateToken(const std::string& token) {
  DDS_ASSIGN_OR_RETURN(auto rows, store_->Query("SELECT user_id, project_id, expires_at FROM "
                                                "tokens WHERE token_hash = ?",
                                                {TokenHash(token)}));
  if (rows.empty()) return AuthFailed("Incorrect IAM authentication information: token invalid.");
  if (rows[0].Int(2) <= NowMillis()) {
    return ApiError(ErrorCode::kServiceUnauthenticated, "APIG.0307",
                    "The token must be updated: it has expired.");
  }
  Caller caller;
  caller.user_id = rows[0].Str(0);
  caller.project_id = rows[0].Str(1);
  DDS_RETURN_IF_ERROR(LoadCaller(&caller));
  return caller;
}

StatusWith<json> Identity::DescribeToken(const std::string& token) {
  DDS_ASSIGN_OR_RETURN(Caller caller, AuthenticateToken(token));
  DDS_ASSIGN_OR_RETURN(auto rows, store_->Query("SELECT methods, issued_at, expires_at FROM "
                                                "tokens WHERE token_hash = ?",
                                                {TokenHash(token)}));
  if (rows.empty()) return AuthFailed("token invalid");
  return TokenBody(caller, rows[0].Str(0), rows[0].Int(1), rows[0].Int(2));
}

StatusWith<Caller> Identity::AuthenticateAksk(const HttpRequest& req,
                                              const std::string& authorization) {
  DDS_ASSIGN_OR_RETURN(AkskAuthorization auth, ParseAkskAuthorization(authorization));
  std::optional<std::string> date = req.Header("x-sdk-date");
  if (!date) return AuthFailed("X-Sdk-Date is required for AK/SK authentication.");
  std::optional<int64_t> when = ParseSdkDate(TrimSpaces(*date));
  if (!when) return AuthFailed("X-Sdk-Date is malformed.");
  if (std::llabs(*when - NowMillis()) > kMaxSdkClockSkewMs) {
    return AuthFailed("X-Sdk-Date is more than 15 minutes from server time.");
  }
  DDS_ASSIGN_OR_RETURN(auto rows, store_->Query("SELECT secret, user_id, project_id, status FROM "
                                                "credentials WHERE access = ?",
                                                {auth.access}));
  if (rows.empty() || rows[0].Str(3) != "active") return AuthFailed("Unknown access key.");
  DDS_RETURN_IF_ERROR(VerifyAkskSignature(req, auth, rows[0].Str(0)));
  if (req.Header("x-security-token")) {
    return AuthFailed("Temporary credentials (X-Security-Token) are not supported.");
  }
  Caller caller;
  caller.user_id = rows[0].Str(1);
  caller.project_id = rows[0].Str(2);
  caller.via_aksk = true;
  DDS_RETURN_IF_ERROR(LoadCaller(&caller));
  return caller;
}

StatusWith<Caller> Identity::Authenticate(const HttpRequest& req) {
  if (std::optional<std::string> token = req.Header("x-auth-token")) {
    return AuthenticateToken(std::string(TrimSpaces(*token)));
  }
  if (std::optional<std::string> authz = req.Header("authorization")) {
    return AuthenticateAksk(req, *authz);
  }
  return AuthFailed("Incorrect IAM authentication information: X-Auth-Token or AK/SK required.");
}

bool Identity::ProjectExists(const std::string& project_id) {
  if (!IsHex32(project_id)) return false;
  auto rows = store_->Query("SELECT 1 FROM projects WHERE id = ?", {project_id});
  return rows.ok() && !rows->empty();
}

StatusWith<json> Identity::CreateProject(const Caller& caller, const json& body) {
  const json* p = Member(body, "project");
  if (!p || !p->is_object()) return IamBadRequest("project is required");
  std::string name = StringMember(*p, "name");
  if (!ValidIamName(name)) return IamBadRequest("project name must be 1-64 of [A-Za-z0-9._-]");
  std::string description = StringMember(*p, "description");
  if (description.size() > 255) return IamBadRequest("description is too long");
  std::string id = RandomHex(16);
  DDS_ASSIGN_OR_RETURN(auto dup, store_->Query("SELECT 1 FROM projects WHERE name = ?", {name}));
  if (!dup.empty()) return Conflict("DBS.200001", "a project named '" + name + "' already exists");
  DDS_RETURN_IF_ERROR(store_->Exec(
      "INSERT INTO projects (id, name, domain_id, description, created) VALUES (?, ?, ?, ?, ?)",
      {id, name, caller.domain_id, description, NowMillis()}));
  return json{{"project",
               {{"id", id},
                {"name", name},
                {"domain_id", caller.domain_id},
                {"description", description},
                {"enabled", true},
                {"is_domain", false},
                {"parent_id", caller.domain_id},
                {"links", {{"self", ""}}}}}};
}

StatusWith<json> Identity::ListProjects(const Caller& caller, const std::string& name_filter) {
  std::vector<SqlRow> rows;
  if (caller.IsAdmin()) {
    DDS_ASSIGN_OR_RETURN(rows, store_->Query("SELECT id, name, domain_id, description FROM "
                                             "projects WHERE (? = '' OR name = ?) ORDER BY name",
                                             {name_filter, name_filter}));
  } else {
    DDS_ASSIGN_OR_RETURN(rows, store_->Query("SELECT p.id, p.name, p.domain_id, p.description "
                                             "FROM projects p JOIN role_assignments r ON "
                                             "r.project_id = p.id WHERE r.user_id = ? AND "
                                             "(? = '' OR p.name = ?) GROUP BY p.id ORDER BY "
                                             "p.name",
                                             {caller.user_id, name_filter, name_filter}));
  }
  json projects = json::array();
  for (const auto& r : rows) {
    projects.push_back({{"id", r.Str(0)},
                        {"name", r.Str(1)},
                        {"domain_id", r.Str(2)},
                        {"description", r.Str(3)},
                        {"enabled", true},
                        {"is_domain", false},
                        {"parent_id", r.Str(2)},
                        {"links", {{"self", ""}}}});
  }
  return json{{"projects", projects}, {"links", {{"self", ""}, {"next", nullptr}}}};
}

StatusWith<json> Identity::CreateUser(const Caller& caller, const json& body) {
  const json* u = Member(body, "user");
  if (!u || !u->is_object()) return IamBadRequest("user is required");
  std::string name = StringMember(*u, "name");
  std::string password = StringMember(*u, "password");
  if (!ValidIamName(name)) return IamBadRequest("user name must be 1-64 of [A-Za-z0-9._-]");
  if (password.size() < 8 || password.size() > 128) {
    return IamBadRequest("password must be 8-128 characters");
  }
  std::string domain_id = StringMember(*u, "domain_id");
  if (domain_id.empty()) domain_id = caller.domain_id;
  DDS_ASSIGN_OR_RETURN(auto dom,
                       store_->Query("SELECT name FROM domains WHERE id = ?", {domain_id}));
  if (dom.empty()) return BadRequest("DBS.200001", "unknown domain_id");
  std::string default_project = StringMember(*u, "default_project_id");
  if (!default_project.empty() && !ProjectExists(default_project)) {
    return BadRequest("DBS.280408", "unknown default_project_id");
  }
  DDS_ASSIGN_OR_RETURN(auto dup, store_->Query("SELECT 1 FROM users WHERE name = ? AND "
                                               "domain_id = ?",
                                               {name, domain_id}));
  if (!dup.empty()) return Conflict("DBS.200001", "a user named '" + name + "' already exists");
  std::string id = RandomHex(16);
  std::string salt = RandomHex(16);
  DDS_RETURN_IF_ERROR(store_->Exec(
      "INSERT INTO users (id, name, domain_id, password_hash, password_salt, password_iterations, "
      "default_project_id, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {id, name, domain_id, HashPassword(password, salt, kPasswordIterations), salt,
       static_cast<int64_t>(kPasswordIterations),
       default_project.empty() ? SqlValue(nullptr) : SqlValue(default_project), NowMillis()}));
  return json{{"user",
               {{"id", id},
                {"name", name},
                {"domain_id", domain_id},
                {"enabled", true},
                {"default_project_id", default_project},
                {"links", {{"self", ""}}}}}};
}

StatusWith<json> Identity::ListUsers() {
  DDS_ASSIGN_OR_RETURN(auto rows, store_->Query("SELECT id, name, domain_id, enabled, "
                                                "COALESCE(default_project_id, '') FROM users "
                                                "ORDER BY name"));
  json users = json::array();
  for (const auto& r : rows) {
    users.push_back({{"id", r.Str(0)},
                     {"name", r.Str(1)},
                     {"domain_id", r.Str(2)},
                     {"enabled", r.Int(3) != 0},
                     {"default_project_id", r.Str(4)}});
  }
  return json{{"users", users}};
}

Status Identity::DeleteUser(const Caller& caller, const std::string& user_id) {
  if (user_id == caller.user_id) return Forbidden("DBS.280032", "a user cannot delete itself");
  DDS_ASSIGN_OR_RETURN(auto users, store_->Query("SELECT 1 FROM users WHERE id = ?", {user_id}));
  if (users.empty()) return NotFound("DBS.280016", "user not found");
  return store_->Transaction([&]() -> Status {
    DDS_RETURN_IF_ERROR(store_->Exec("DELETE FROM tokens WHERE user_id = ?", {user_id}));
    DDS_RETURN_IF_ERROR(store_->Exec("DELETE FROM credentials WHERE user_id = ?", {user_id}));
    DDS_RETURN_IF_ERROR(store_->Exec("DELETE FROM role_assignments WHERE user_id = ?", {user_id}));
    return store_->Exec("DELETE FROM users WHERE id = ?", {user_id});
  });
}

Status Identity::ChangePassword(const Caller& caller, const std::string& user_id,
                                const json& body) {
  if (user_id != caller.user_id && !caller.IsAdmin()) {
    return Forbidden("DBS.280032", "only an administrator may change another user's password");
  }
  const json* u = Member(body, "user");
  std::string password = u ? StringMember(*u, "password") : "";
  std::string original = u ? StringMember(*u, "original_password") : "";
  if (password.size() < 8 || password.size() > 128) {
    return IamBadRequest("user.password must be 8-128 characters");
  }
  DDS_ASSIGN_OR_RETURN(auto rows, store_->Query("SELECT password_hash, password_salt, "
                                                "password_iterations FROM users WHERE id = ?",
                                                {user_id}));
  if (rows.empty()) return NotFound("DBS.280016", "user not found");
  if (user_id == caller.user_id &&
      !ConstantTimeEquals(HashPassword(original, rows[0].Str(1), static_cast<int>(rows[0].Int(2))),
                          rows[0].Str(0))) {
    return AuthFailed("The original password is incorrect.");
  }
  std::string salt = RandomHex(16);
  return store_->Transaction([&]() -> Status {
    DDS_RETURN_IF_ERROR(store_->Exec(
        "UPDATE users SET password_hash = ?, password_salt = ?, password_iterations = ? WHERE "
        "id = ?",
        {HashPassword(password, salt, kPasswordIterations), salt,
         static_cast<int64_t>(kPasswordIterations), user_id}));
    return store_->Exec("DELETE FROM tokens WHERE user_id = ?", {user_id});
  });
}

Status Identity::AssignRole(const std::string& project_id, const std::string& user_id,
                            const std::string& role_id) {
  if (!ProjectExists(project_id)) return NotFound("DBS.280016", "project not found");
  DDS_ASSIGN_OR_RETURN(auto users, store_->Query("SELECT 1 FROM users WHERE id = ?", {user_id}));
  if (users.empty()) return NotFound("DBS.280016", "user not found");
  std::string rid = RoleIdFor(role_id);
  if (rid.empty()) return NotFound("DBS.280016", "role not found");
  return store_->Exec(
      "INSERT OR IGNORE INTO role_assignments (project_id, user_id, role_id) VALUES (?, ?, ?)",
      {project_id, user_id, rid});
}

StatusWith<json> Identity::CreateCredential(const Caller& caller, const json& body) {
  const json* cred = Member(body, "credential");
  std::string user_id = cred ? StringMember(*cred, "user_id") : "";
  if (user_id.empty()) user_id = caller.user_id;
  if (user_id != caller.user_id && !caller.IsAdmin()) {
    return Forbidden("DBS.280032", "only an administrator may create keys for another user");
  }
  std::string description = cred ? StringMember(*cred, "description") : "";
  if (description.size() > 255) return IamBadRequest("description is too long");
  if (caller.project_id.empty()) {
    return BadRequest("DBS.280408", "a project-scoped token is required to create AK/SK");
  }
  DDS_ASSIGN_OR_RETURN(auto users, store_->Query("SELECT 1 FROM users WHERE id = ?", {user_id}));
  if (users.empty()) return NotFound("DBS.280016", "user not found");
  // AK: 20 upper-case alphanumerics; SK: 40 characters, as Huawei's IAM issues them.
  static constexpr char kAkChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string raw = RandomBytes(20);
  std::string access;
  for (unsigned char c : raw) access.push_back(kAkChars[c % 36]);
  std::string secret = Base64Encode(RandomBytes(30));
  for (char& c : secret) {
    if (c == '+' || c == '/') c = 'x';
  }
  int64_t now = NowMillis();
  DDS_RETURN_IF_ERROR(store_->Exec(
      "INSERT INTO credentials (access, secret, user_id, project_id, description, status, created) "
      "VALUES (?, ?, ?, ?, ?, 'active', ?)",
      {access, secret, user_id, caller.project_id, description, now}));
  return json{{"credential",
               {{"access", access},
                {"secret", secret},
                {"user_id", user_id},
                {"project_id", caller.project_id},
                {"status", "active"},
                {"description", description},
                {"create_time", FormatKeystoneTime(now)}}}};
}

StatusWith<json> Identity::ListCredentials(const Caller& caller) {
  DDS_ASSIGN_OR_RETURN(auto rows, store_->Query("SELECT access, user_id, project_id, status, "
                                                "description, created FROM credentials WHERE "
                                                "user_id = ? ORDER BY created",
                                                {caller.user_id}));
  json list = json::array();
  for (const auto& r : rows) {
    list.push_back({{"access", r.Str(0)},
                    {"user_id", r.Str(1)},
                    {"project_id", r.Str(2)},
                    {"status", r.Str(3)},
                    {"description", r.Str(4)},
                    {"create_time", FormatKeystoneTime(r.Int(5))}});
  }
  return json{{"credentials", list}};
}

Status Identity::DeleteCredential(const Caller& caller, const std::string& access) {
  DDS_ASSIGN_OR_RETURN(auto rows,
                       store_->Query("SELECT user_id FROM credentials WHERE access = ?", {access}));
  if (rows.empty()) return NotFound("DBS.280016", "credential not found");
  if (rows[0].Str(0) != caller.user_id && !caller.IsAdmin()) {
    return Forbidden("DBS.280032", "not your credential");
  }
  return store_->Exec("DELETE FROM credentials WHERE access = ?", {access});
}

}  // namespace dds::service
