#include "commands/auth_initial_users.h"

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "commands/namespace_util.h"
#include "common/base64.h"

namespace dds::commands {
namespace {

using Json = nlohmann::json;

Status Bad(const std::string& where, const std::string& what) {
  return Status(ErrorCode::kBadValue, "initial users file: " + where + ": " + what);
}

size_t DigestSize(scram::Mechanism m) { return m == scram::Mechanism::kSha1 ? 20 : 32; }

StatusWith<std::string> DecodeField(const Json& cred, const std::string& where, const char* field,
                                    size_t exact_size) {
  auto it = cred.find(field);
  if (it == cred.end() || !it->is_string()) {
    return Bad(where, std::string("'") + field + "' must be a base64 string");
  }
  std::optional<std::string> raw = Base64Decode(it->get<std::string>());
  if (!raw || raw->empty()) return Bad(where, std::string("'") + field + "' is not valid base64");
  if (exact_size != 0 && raw->size() != exact_size) {
    return Bad(where, std::string("'") + field + "' must decode to " + std::to_string(exact_size) +
                          " bytes, not " + std::to_string(raw->size()));
  }
  return std::move(*raw);
}

StatusWith<scram::Credentials> ParseCredentials(scram::Mechanism m, const Json& cred,
                                                const std::string& where) {
  if (!cred.is_object()) return Bad(where, "must be an object");
  for (auto it = cred.begin(); it != cred.end(); ++it) {
    const std::string& k = it.key();
    if (k != "iterationCount" && k != "salt" && k != "storedKey" && k != "serverKey") {
      return Bad(where, "unknown field '" + k + "'");
    }
  }
  scram::Credentials c;
  auto iterations = cred.find("iterationCount");
  if (iterations == cred.end() || !iterations->is_number_integer()) {
    return Bad(where, "'iterationCount' must be an integer");
  }
  const int64_t minimum =
      m == scram::Mechanism::kSha1 ? scram::kMinSha1Iterations : scram::kMinSha256Iterations;
  const int64_t n = iterations->get<int64_t>();
  if (n < minimum || n > 1'000'000'000) {
    return Bad(where, "'iterationCount' must be at least " + std::to_string(minimum) + ", got " +
                          std::to_string(n));
  }
  c.iteration_count = static_cast<int>(n);
  DDS_ASSIGN_OR_RETURN(c.salt, DecodeField(cred, where, "salt", 0));
  DDS_ASSIGN_OR_RETURN(c.stored_key, DecodeField(cred, where, "storedKey", DigestSize(m)));
  DDS_ASSIGN_OR_RETURN(c.server_key, DecodeField(cred, where, "serverKey", DigestSize(m)));
  return c;
}

StatusWith<std::vector<auth::RoleName>> ParseRoles(const Json& roles, const std::string& user_db,
                                                   const std::string& where) {
  if (!roles.is_array()) return Bad(where, "'roles' must be an array");
  std::vector<auth::RoleName> out;
  for (const Json& r : roles) {
    auth::RoleName role;
    if (r.is_string()) {  // "readWrite": a role of the user's own database, as in createUser
      role.role = r.get<std::string>();
      role.db = user_db;
    } else if (r.is_object()) {
      for (auto it = r.begin(); it != r.end(); ++it) {
        if (it.key() != "role" && it.key() != "db") {
          return Bad(where, "unknown field '" + it.key() + "' in a role");
        }
      }
      auto name = r.find("role");
      auto db = r.find("db");
      if (name == r.end() || !name->is_string() || db == r.end() || !db->is_string()) {
        return Bad(where, "each role must be {\"role\": string, \"db\": string}");
      }
      role.role = name->get<std::string>();
      role.db = db->get<std::string>();
    } else {
      return Bad(where, "each role must be a string or {\"role\", \"db\"}");
    }
    if (role.role.empty() || role.db.empty()) return Bad(where, "role names must not be empty");
    out.push_back(std::move(role));
  }
  return out;
}

StatusWith<UserRecord> ParseUser(const Json& u, size_t index) {
  std::string where = "users[" + std::to_string(index) + "]";
  if (!u.is_object()) return Bad(where, "each user must be an object");
  auto user = u.find("user");
  auto db = u.find("db");
  if (user == u.end() || !user->is_string() || user->get<std::string>().empty()) {
    return Bad(where, "'user' must be a non-empty string");
  }
  if (db == u.end() || !db->is_string()) return Bad(where, "'db' must be a string");
  UserRecord record;
  record.name.user = user->get<std::string>();
  record.name.db = db->get<std::string>();
  where = "user " + record.name.ToString();
  if (!ValidateDatabaseName(record.name.db).ok() || record.name.db == "$external") {
    return Bad(where, "'db' is not a valid database name");
  }
  for (auto it = u.begin(); it != u.end(); ++it) {
    const std::string& k = it.key();
    if (k == "pwd" || k == "password") {
      return Bad(where, "plaintext passwords are not accepted; give SCRAM credentials "
                        "(\"credentials\": {\"SCRAM-SHA-256\": {...}}), see docs/security.md");
    }
    if (k != "user" && k != "db" && k != "roles" && k != "credentials") {
      return Bad(where, "unknown field '" + k + "'");
    }
  }
  auto roles = u.find("roles");
  if (roles == u.end()) return Bad(where, "'roles' is required (it may be empty)");
  DDS_ASSIGN_OR_RETURN(record.roles, ParseRoles(*roles, record.name.db, where));

  auto creds = u.find("credentials");
  if (creds == u.end() || !creds->is_object()) return Bad(where, "'credentials' must be an object");
  for (auto it = creds->begin(); it != creds->end(); ++it) {
    std::optional<scram::Mechanism> m = scram::ParseMechanism(it.key());
    if (!m) {
      return Bad(where, "unsupported mechanism '" + it.key() +
                            "' (expected SCRAM-SHA-1 or SCRAM-SHA-256)");
    }
    DDS_ASSIGN_OR_RETURN(scram::Credentials c,
                         ParseCredentials(*m, it.value(), where + " " + it.key()));
    (*m == scram::Mechanism::kSha1 ? record.sha1 : record.sha256) = std::move(c);
  }
  if (!record.sha1 && !record.sha256) {
    return Bad(where, "'credentials' must hold SCRAM-SHA-1 and/or SCRAM-SHA-256");
  }
  return record;
}

}  // namespace

StatusWith<std::vector<UserRecord>> ParseInitialUsers(std::string_view text) {
  Json doc = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Bad("JSON", "not valid JSON");
  if (!doc.is_array()) return Bad("JSON", "the top level must be an array of users");
  std::vector<UserRecord> users;
  std::set<auth::UserName> seen;
  for (size_t i = 0; i < doc.size(); ++i) {
    DDS_ASSIGN_OR_RETURN(UserRecord u, ParseUser(doc[i], i));
    if (!seen.insert(u.name).second) {
      return Bad("user " + u.name.ToString(), "appears more than once");
    }
    users.push_back(std::move(u));
  }
  return users;
}

StatusWith<std::vector<UserRecord>> ReadInitialUsersFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status(ErrorCode::kBadValue, "cannot read the initial users file " + path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto users = ParseInitialUsers(text.str());
  if (!users.ok()) {
    return Status(users.status().code(), users.status().reason() + " (" + path + ")");
  }
  return users;
}

}  // namespace dds::commands
