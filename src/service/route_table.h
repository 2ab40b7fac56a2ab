// The REST route table (STYLE.md §6): one sorted constexpr array of (method, path template,
// handler, flags), and the matcher that picks a route for a request. Literal segments win over
// `{param}` segments at the first position where candidate templates differ (dds-api.md §1.1).
//
// The table is constant data; matching is pure and thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "service/request_context.h"

namespace dds::service {

using RouteHandler = StatusWith<ApiReply> (*)(RequestContext&);

// Route flags.
enum RouteFlag : uint32_t {
  kRoutePublic = 1,    // no authentication (API versions, the token endpoint)
  kRouteProject = 2,   // path has {project_id}: it must exist and match the caller's project
  kRouteIamAdmin = 4,  // IAM management: the caller needs the admin role
};

struct RouteEntry {
  std::string_view method;
  std::string_view pattern;
  RouteHandler handler;
  uint32_t flags;
};

enum class RouteMatchKind { kFound, kMethodNotAllowed, kNotFound };

struct RouteMatch {
  RouteMatchKind kind = RouteMatchKind::kNotFound;
  const RouteEntry* entry = nullptr;
  std::map<std::string, std::string> params;
  std::string allow;  // "GET, POST" for kMethodNotAllowed
};

// Returns the service's route table, sorted by (pattern, method).
std::span<const RouteEntry> ServiceRoutes();

// Matches `method` and raw `path` against `routes`.
RouteMatch MatchRoute(std::span<const RouteEntry> routes, std::string_view method,
                      std::string_view path);

}  // namespace dds::service
