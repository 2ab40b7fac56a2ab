#include "service/route_table.h"

#include <vector>

#include "service/handlers.h"
#include "service/http_types.h"

namespace dds::service {
namespace {

// Sorted by (pattern, method); tests/unit/service/route_table_test.cpp checks it.
constexpr RouteEntry kRoutes[] = {
    {"GET", "/", &HandleListApiVersions, kRoutePublic},
    {"GET", "/v3.0/OS-CREDENTIAL/credentials", &HandleListCredentials, 0},
    {"POST", "/v3.0/OS-CREDENTIAL/credentials", &HandleCreateCredential, 0},
    {"DELETE", "/v3.0/OS-CREDENTIAL/credentials/{access_key}", &HandleDeleteCredential, 0},
    {"GET", "/v3.1/{project_id}/flavors", &HandleListFlavorsV31, kRouteProject},
    {"GET", "/v3.1/{project_id}/jobs", &HandleListJobs, kRouteProject},
    {"GET", "/v3/auth/tokens", &HandleValidateToken, 0},
    {"POST", "/v3/auth/tokens", &HandleIssueToken, kRoutePublic},
    {"GET", "/v3/projects", &HandleListProjects, 0},
    {"POST", "/v3/projects", &HandleCreateProject, kRouteIamAdmin},
    {"PUT", "/v3/projects/{project_id}/users/{user_id}/roles/{role_id}", &HandleAssignRole,
     kRouteIamAdmin},
    {"GET", "/v3/roles", &HandleListRoles, 0},
    {"GET", "/v3/users", &HandleListUsers, kRouteIamAdmin},
    {"POST", "/v3/users", &HandleCreateUser, kRouteIamAdmin},
    {"DELETE", "/v3/users/{user_id}", &HandleDeleteUser, kRouteIamAdmin},
    {"POST", "/v3/users/{user_id}/password", &HandleChangePassword, 0},
    {"GET", "/v3/{project_id}/backups", &HandleNotYetImplemented, kRouteProject},
    {"POST", "/v3/{project_id}/backups", &HandleNotYetImplemented, kRouteProject},
    {"GET", "/v3/{project_id}/backups/download-policy", &HandleCloudOnly, kRouteProject},
    {"POST", "/v3/{project_id}/backups/download-policy", &HandleCloudOnly, kRouteProject},
    {"PUT", "/v3/{project_id}/backups/download-policy", &HandleCloudOnly, kRouteProject},
    {"DELETE", "/v3/{project_id}/backups/{backup_id}", &HandleNotYetImplemented, kRouteProject},
    {"GET", "/v3/{project_id}/configurations", &HandleNotYetImplemented, kRouteProject},
    {"POST", "/v3/{project_id}/configurations", &HandleNotYetImplemented, kRouteProject},
    {"GET", "/v3/{project_id}/datastores/{datastore_name}/versions", &HandleListDatastoreVersions,
     kRouteProject},
    {"GET", "/v3/{project_id}/flavors", &HandleListFlavors, kRouteProject},
    {"GET", "/v3/{project_id}/instances", &HandleListInstances, kRouteProject},
    {"POST", "/v3/{project_id}/instances", &HandleCreateInstance, kRouteProject},
    {"PUT", "/v3/{project_id}/instances/auto-enlarge-volume-policies", &HandleCloudOnly,
     kRouteProject},
    {"DELETE", "/v3/{project_id}/instances/logs/lts-configs", &HandleCloudOnly, kRouteProject},
    {"GET", "/v3/{project_id}/instances/logs/lts-configs", &HandleCloudOnly, kRouteProject},
    {"POST", "/v3/{project_id}/instances/logs/lts-configs", &HandleCloudOnly, kRouteProject},
    {"POST", "/v3/{project_id}/instances/recovery", &HandleNotYetImplemented, kRouteProject},
    {"DELETE", "/v3/{project_id}/instances/{instance_id}", &HandleDeleteInstance, kRouteProject},
    {"GET", "/v3/{project_id}/instances/{instance_id}/auto-enlarge-volume-policy", &HandleCloudOnly,
     kRouteProject},
    {"GET", "/v3/{project_id}/instances/{instance_id}/backups/policy", &HandleNotYetImplemented,
     kRouteProject},
    {"PUT", "/v3/{project_id}/instances/{instance_id}/backups/policy", &HandleNotYetImplemented,
     kRouteProject},
    {"GET", "/v3/{project_id}/instances/{instance_id}/client-network", &HandleCloudOnly,
     kRouteProject},
    {"POST", "/v3/{project_id}/instances/{instance_id}/client-network", &HandleCloudOnly,
     kRouteProject},
    {"POST", "/v3/{project_id}/instances/{instance_id}/create-ip", &HandleCloudOnly, kRouteProject},
    {"DELETE", "/v3/{project_id}/instances/{instance_id}/db-role", &HandleNotYetImplemented,
     kRouteProject},
    {"POST", "/v3/{project_id}/instances/{instance_id}/db-role", &HandleNotYetImplemented,
     kRouteProject},
    {"GET", "/v3/{project_id}/instances/{instance_id}/db-role/detail", &HandleNotYetImplemented,
     kRouteProject},
    {"DELETE", "/v3/{project_id}/instances/{instance_id}/db-user", &HandleNotYetImplemented,
     kRouteProject},
    {"POST", "/v3/{project_id}/instances/{instance_id}/db-user", &HandleNotYetImplemented,
     kRouteProject},
    {"GET", "/v3/{project_id}/instances/{instance_id}/db-user/detail", &HandleNotYetImplemented,
     kRouteProject},
    {"POST", "/v3/{project_id}/instances/{instance_id}/enlarge-volume", &HandleEnlargeVolume,
     kRouteProject},
    {"DELETE", "/v3/{project_id}/instances/{instance_id}/ip", &HandleCloudOnly, kRouteProject},
    {"POST", "/v3/{project_id}/instances/{instance_id}/migrate", &HandleCloudOnly, kRouteProject},
    {"GET", "/v3/{project_id}/instances/{instance_id}/migrate/az", &HandleCloudOnly, kRouteProject},
    {"POST", "/v3/{project_id}/instances/{instance_id}/modify-internal-ip", &HandleCloudOnly,
     kRouteProject},
    {"PUT", "/v3/{project_id}/instances/{instance_id}/modify-name", &HandleRenameInstance,
     kRouteProject},
    {"POST", "/v3/{project_id}/instances/{instance_id}/modify-security-group", &HandleCloudOnly,
     kRouteProject},
    {"GET", "/v3/{project_id}/instances/{instance_id}/monitoring-by-seconds/switch",
     &HandleCloudOnly, kRouteProject},
    {"PUT", "/v3/{project_id}/instances/{instance_id}/monitoring-by-seconds/switch",
     &HandleCloudOnly, kRouteProject},
    {"DELETE", "/v3/{project_id}/instances/{instance_id}/nodes/{node_id}/public-gateway",
     &HandleCloudOnly, kRouteProject},
    {"POST", "/v3/{project_id}/instances/{instance_id}/nodes/{node_id}/public-gateway",
     &HandleCloudOnly, kRouteProject},
    {"PUT", "/v3/{project_id}/instances/{instance_id}/reset-password", &HandleResetPassword,
     kRouteProject},
    {"POST", "/v3/{project_id}/instances/{instance_id}/resize", &HandleResizeInstance,
     kRouteProject},
    {"POST", "/v3/{project_id}/instances/{instance_id}/restart", &HandleRestartInstance,
     kRouteProject},
    {"GET", "/v3/{project_id}/instances/{instance_id}/restore-time", &HandleNotYetImplemented,
     kRouteProject},
    {"GET", "/v3/{project_id}/jobs", &HandleShowJob, kRouteProject},
    {"POST", "/v3/{project_id}/nodes/{node_id}/bind-eip", &HandleCloudOnly, kRouteProject},
    {"POST", "/v3/{project_id}/nodes/{node_id}/unbind-eip", &HandleCloudOnly, kRouteProject},
    {"GET", "/v3/{project_id}/quotas", &HandleShowQuotas, kRouteProject},
    {"GET", "/v3/{project_id}/storage-type", &HandleListStorageTypes, kRouteProject},
    {"GET", "/{version}", &HandleShowApiVersion, kRoutePublic},
};

// Returns true when `segments` fit `pattern`; fills `params` and the literal mask.
bool MatchPattern(std::string_view pattern, const std::vector<std::string>& segments,
                  std::map<std::string, std::string>* params, std::vector<bool>* literal_mask) {
  std::vector<std::string> pat = SplitPath(pattern);
  if (pattern == "/") pat = {""};
  if (pat.size() != segments.size()) return false;
  params->clear();
  literal_mask->clear();
  for (size_t i = 0; i < pat.size(); ++i) {
    const std::string& p = pat[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      if (segments[i].empty()) return false;
      (*params)[p.substr(1, p.size() - 2)] = segments[i];
      literal_mask->push_back(false);
    } else {
      if (p != segments[i]) return false;
      literal_mask->push_back(true);
    }
  }
  return true;
}

}  // namespace

std::span<const RouteEntry> ServiceRoutes() { return kRoutes; }

RouteMatch MatchRoute(std::span<const RouteEntry> routes, std::string_view method,
                      std::string_view path) {
  RouteMatch result;
  std::vector<std::string> segments = SplitPath(path);
  std::vector<bool> best_mask;
  std::vector<std::string> allowed;
  std::map<std::string, std::string> params;
  std::vector<bool> mask;
  for (const RouteEntry& route : routes) {
    if (!MatchPattern(route.pattern, segments, &params, &mask)) continue;
    if (route.method != method) {
      bool seen = false;
      for (const auto& m : allowed) seen = seen || m == route.method;
      if (!seen) allowed.emplace_back(route.method);
      continue;
    }
    // Literal segments win at the first position where two templates differ.
    if (result.entry == nullptr || mask > best_mask) {
      result.entry = &route;
      result.params = params;
      best_mask = mask;
    }
  }
  if (result.entry != nullptr) {
    result.kind = RouteMatchKind::kFound;
    return result;
  }
  if (!allowed.empty()) {
    result.kind = RouteMatchKind::kMethodNotAllowed;
    for (size_t i = 0; i < allowed.size(); ++i) {
      if (i) result.allow += ", ";
      result.allow += allowed[i];
    }
  }
  return result;
}

}  // namespace dds::service
