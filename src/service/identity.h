// Identity: the local Keystone-v3-shaped IAM of dds-service (dds-api.md §2): domains, projects,
// users with PBKDF2-hashed passwords, role assignments (admin, readonly), tokens (stored only as
// SHA-256 hashes) and AK/SK credentials verified with SDK-HMAC-SHA256.
//
// Thread-safe: all state lives in the MetadataStore.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "service/config.h"
#include "service/http_types.h"
#include "service/metadata_store.h"
#include "service/request_context.h"

namespace dds::service {

// Role ids (Keystone-style hex ids for the two built-in roles).
constexpr const char* kAdminRoleId = "0a1d0000000000000000000000000001";
constexpr const char* kReadonlyRoleId = "0a1d0000000000000000000000000002";

// Returns true for 32 lowercase hex characters.
bool IsHex32(std::string_view s);

struct IssuedToken {
  std::string token;
  nlohmann::json body;  // {"token": {...}}
};

class Identity {
 public:
  Identity(MetadataStore* store, const ServiceConfig* config) : store_(store), config_(config) {}

  // First start: creates domain "admin", project "default" and user "admin" (admin role). The
  // password comes from DDS_ADMIN_PASSWORD, else it is generated into <data_dir>/admin-password
  // (mode 0600) and the log says where.
  Status Bootstrap();

  // POST /v3/auth/tokens.
  StatusWith<IssuedToken> IssueToken(const nlohmann::json& body);
  // Returns the body for an existing token (GET /v3/auth/tokens).
  StatusWith<nlohmann::json> DescribeToken(const std::string& token);

  // Authenticates a request by X-Auth-Token or AK/SK signature: 401 APIG.0301 / APIG.0307.
  StatusWith<Caller> Authenticate(const HttpRequest& req);

  // Returns true when the project exists.
  bool ProjectExists(const std::string& project_id);

  // IAM management.
  StatusWith<nlohmann::json> CreateProject(const Caller& caller, const nlohmann::json& body);
  StatusWith<nlohmann::json> ListProjects(const Caller& caller, const std::string& name_filter);
  StatusWith<nlohmann::json> CreateUser(const Caller& caller, const nlohmann::json& body);
  StatusWith<nlohmann::json> ListUsers();
  // Deletes a user with its tokens, AK/SK pairs and role assignments. The bootstrap admin of the
  // caller cannot delete itself.
  Status DeleteUser(const Caller& caller, const std::string& user_id);
  // Keystone's POST /v3/users/{user_id}/password: {"user": {"password", "original_password"}}.
  // The user's existing tokens stop working.
  Status ChangePassword(const Caller& caller, const std::string& user_id,
                        const nlohmann::json& body);
  Status AssignRole(const std::string& project_id, const std::string& user_id,
                    const std::string& role_id);
  StatusWith<nlohmann::json> CreateCredential(const Caller& caller, const nlohmann::json& body);
  StatusWith<nlohmann::json> ListCredentials(const Caller& caller);
  Status DeleteCredential(const Caller& caller, const std::string& access);

 private:
  StatusWith<Caller> AuthenticateToken(const std::string& token);
  StatusWith<Caller> AuthenticateAksk(const HttpRequest& req, const std::string& authorization);
  // Fills names and roles of a caller whose user_id and project_id are set.
  Status LoadCaller(Caller* caller);
  StatusWith<nlohmann::json> TokenBody(const Caller& caller, const std::string& methods,
                                       int64_t issued, int64_t expires);
  StatusWith<std::string> EnsureDomain(const std::string& name);

  MetadataStore* store_;
  const ServiceConfig* config_;
};

}  // namespace dds::service
