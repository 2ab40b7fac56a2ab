// ServiceState: the objects one dds-service process is made of (config, metadata store, identity,
// instance manager) plus its draining flag, and Dispatch(), the request pipeline of dds-api.md
// §1.5.2: route (404/405) -> size (413, checked by the HTTP layer) -> auth (401) -> content type
// (415) -> JSON (400) -> project (400/403) -> role (403) -> handler -> edge mapping.
//
// Thread-safe: Dispatch() is called concurrently by the HTTP workers.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "service/config.h"
#include "service/http_types.h"
#include "service/identity.h"
#include "service/instance_manager.h"
#include "service/metadata_store.h"
#include "service/route_table.h"

namespace dds::service {

class ServiceState {
 public:
  // Opens the metadata store in config.data_dir (created), bootstraps identity and recovers jobs.
  static StatusWith<std::unique_ptr<ServiceState>> Open(ServiceConfig config);

  const ServiceConfig& config() const { return config_; }
  MetadataStore& store() { return *store_; }
  Identity& identity() { return *identity_; }
  InstanceManager& instances() { return *instances_; }

  // Handles one request end to end; never throws.
  HttpResponse Dispatch(const HttpRequest& req);

  // Returns the route match used by the HTTP layer before it reads a body (404/405 first, then
  // 413).
  RouteMatch Match(const std::string& method, const std::string& path) const;

  // Returns an error response for `status` (edge mapping), with the standard headers.
  HttpResponse ErrorResponse(const Status& status, const std::string& request_id) const;

  // Draining: new requests get 503 DBS.900503 with Retry-After.
  void SetDraining() { draining_.store(true); }
  bool draining() const { return draining_.load(); }
  int in_flight() const { return in_flight_.load(); }

 private:
  explicit ServiceState(ServiceConfig config) : config_(std::move(config)) {}
  StatusWith<ApiReply> RunPipeline(const HttpRequest& req, RequestContext& ctx,
                                   std::vector<std::pair<std::string, std::string>>* extra);

  ServiceConfig config_;
  std::unique_ptr<MetadataStore> store_;
  std::unique_ptr<Identity> identity_;
  std::unique_ptr<InstanceManager> instances_;
  std::atomic<bool> draining_{false};
  std::atomic<int> in_flight_{0};
};

// Adds the headers every response carries (Content-Type, X-Request-Id).
void AddStandardHeaders(HttpResponse* resp, const std::string& request_id);

}  // namespace dds::service
