// RequestContext: what a route handler sees (the request, path parameters, decoded query, parsed
// JSON body, the authenticated caller) and ApiReply, what it returns on success.
//
// One RequestContext per request, used by one thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "service/http_types.h"

namespace dds::service {

class ServiceState;

// The role names (dds-api.md §2; issue 6: administrator and read-only).
constexpr const char* kRoleAdmin = "admin";
constexpr const char* kRoleReadonly = "readonly";

// The authenticated caller.
struct Caller {
  std::string user_id;
  std::string user_name;
  std::string domain_id;
  std::string domain_name;
  std::string project_id;
  std::string project_name;
  std::vector<std::string> roles;  // role names
  bool via_aksk = false;

  bool HasRole(const std::string& role) const {
    for (const auto& r : roles) {
      if (r == role) return true;
    }
    return false;
  }
  bool IsAdmin() const { return HasRole(kRoleAdmin); }
};

// A successful handler result: HTTP status (200, 201 or 202), JSON body and extra headers.
struct ApiReply {
  int status = 200;
  nlohmann::json body = nlohmann::json::object();
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the response body is this JSON text and `body` is ignored.
  std::string raw_body;

  static ApiReply Ok(nlohmann::json body) { return ApiReply{200, std::move(body), {}}; }
  static ApiReply Accepted(nlohmann::json body) { return ApiReply{202, std::move(body), {}}; }
};

struct RequestContext {
  ServiceState* service = nullptr;
  const HttpRequest* request = nullptr;
  std::map<std::string, std::string> params;               // path parameters, raw
  std::vector<std::pair<std::string, std::string>> query;  // decoded
  nlohmann::json body;  // the JSON object, or null when the request had no body
  Caller caller;
  std::string request_id;

  // Returns the first query value for `name`, or nullopt.
  std::optional<std::string> Query(const std::string& name) const {
    for (const auto& [k, v] : query) {
      if (k == name) return v;
    }
    return std::nullopt;
  }
  // Returns path parameter `name` ("" when absent).
  std::string Param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
};

}  // namespace dds::service
