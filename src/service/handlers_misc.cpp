// Handlers for API versions, datastores, flavors, quotas, storage types and the 501 endpoints.
#include <algorithm>

#include "service/api_error.h"
#include "service/handlers.h"
#include "service/instance_spec.h"
#include "service/service_state.h"

namespace dds::service {
namespace {

using nlohmann::json;

json VersionObject(const std::string& id) {
  return {{"id", id},      {"links", json::array()}, {"status", "CURRENT"},
          {"version", ""}, {"min_version", ""},      {"updated", "2017-02-07T17:34:02Z"}};
}

Status ParsePaging(const RequestContext& ctx, int* offset, int* limit) {
  return ParsePagingParams(ctx.Query("offset"), ctx.Query("limit"), offset, limit);
}

json AzStatus(const ServiceConfig& config) {
  json az = json::object();
  for (const auto& name : config.availability_zones) az[name] = "normal";
  return az;
}

}  // namespace

StatusWith<ApiReply> HandleListApiVersions(RequestContext& ctx) {
  return ApiReply::Ok({{"versions", json::array({VersionObject("v3")})}});
}

StatusWith<ApiReply> HandleShowApiVersion(RequestContext& ctx) {
  std::string version = ctx.Param("version");
  if (version != "v3") {
    return NotFound("APIG.0101",
                    "The API does not exist or has not been published in the environment.");
  }
  return ApiReply::Ok({{"version", VersionObject(version)}});
}

StatusWith<ApiReply> HandleListDatastoreVersions(RequestContext& ctx) {
  std::string name = ctx.Param("datastore_name");
  if (name == "DDS-Community") {
    return ApiReply::Ok({{"versions", ctx.service->config().datastore_versions}});
  }
  if (name == "DDS-Enhanced") return ApiReply::Ok({{"versions", json::array()}});
  return NotFound("DBS.200042", "Invalid database engine '" + name + "'.");
}

StatusWith<ApiReply> HandleListFlavors(RequestContext& ctx) {
  const ServiceConfig& config = ctx.service->config();
  if (auto region = ctx.Query("region"); region && *region != config.region) {
    return BadRequest("DBS.200024", "Region '" + *region + "' is unknown.");
  }
  if (auto engine = ctx.Query("engine_name"); engine && *engine != "DDS-Community") {
    return ApiReply::Ok({{"flavors", json::array()}});
  }
  json flavors = json::array();
  for (const FlavorSpec& f : config.flavors) {
    flavors.push_back({{"engine_name", "DDS-Community"},
                       {"type", f.type},
                       {"vcpus", f.vcpus},
                       {"ram", f.ram},
                       {"spec_code", f.spec_code},
                       {"az_status", AzStatus(config)}});
  }
  return ApiReply::Ok({{"flavors", flavors}});
}

StatusWith<ApiReply> HandleListFlavorsV31(RequestContext& ctx) {
  const ServiceConfig& config = ctx.service->config();
  int offset = 0, limit = 100;
  DDS_RETURN_IF_ERROR(ParsePaging(ctx, &offset, &limit));
  std::optional<std::string> engine = ctx.Query("engine_name");
  std::optional<std::string> version = ctx.Query("engine_version");
  json all = json::array();
  if (!engine || *engine == "DDS-Community") {
    for (const FlavorSpec& f : config.flavors) {
      if (version && std::find(config.datastore_versions.begin(), config.datastore_versions.end(),
                               *version) == config.datastore_versions.end()) {
        continue;
      }
      all.push_back({{"engine_name", "DDS-Community"},
                     {"type", f.type},
                     {"vcpus", f.vcpus},
                     {"ram", f.ram},
                     {"spec_code", f.spec_code},
                     {"az_status", AzStatus(config)},
                     {"engine_versions", config.datastore_versions}});
    }
  }
  json page = json::array();
  for (size_t i = static_cast<size_t>(offset);
       i < all.size() && page.size() < static_cast<size_t>(limit); ++i) {
    page.push_back(all[i]);
  }
  return ApiReply::Ok({{"total_count", all.size()}, {"flavors", page}});
}

StatusWith<ApiReply> HandleShowQuotas(RequestContext& ctx) {
  DDS_ASSIGN_OR_RETURN(json body, ctx.service->instances().Quotas(ctx.caller.project_id));
  return ApiReply::Ok(body);
}

StatusWith<ApiReply> HandleListStorageTypes(RequestContext& ctx) {
  json types =
      json::array({{{"name", "ULTRAHIGH"}, {"az_status", AzStatus(ctx.service->config())}}});
  return ApiReply::Ok({{"storage_type", types}, {"dss_pool_info", json::array()}});
}

StatusWith<ApiReply> HandleCloudOnly(RequestContext& ctx) {
  // An unknown instance answers 404 before the 501 (dds-api.md §3.4).
  std::string instance_id = ctx.Param("instance_id");
  if (!instance_id.empty()) {
    DDS_RETURN_IF_ERROR(
        ctx.service->instances().CheckInstanceExists(ctx.caller.project_id, instance_id));
  }
  return NotImplementedApi(
      "This operation is cloud-only and is not available on a self-hosted "
      "DDS service.");
}

StatusWith<ApiReply> HandleNotYetImplemented(RequestContext& ctx) {
  std::string instance_id = ctx.Param("instance_id");
  if (!instance_id.empty()) {
    DDS_RETURN_IF_ERROR(
        ctx.service->instances().CheckInstanceExists(ctx.caller.project_id, instance_id));
  }
  return NotImplementedApi("This operation is not implemented by this DDS service yet.");
}

}  // namespace dds::service
