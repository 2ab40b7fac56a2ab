// Handlers for instances and jobs (dds-api.md §3.1 P0-1..P0-10).
#include <algorithm>

#include "service/api_error.h"
#include "service/handlers.h"
#include "service/instance_spec.h"
#include "service/service_state.h"
#include "service/time_util.h"

namespace dds::service {

using nlohmann::json;

StatusWith<ApiReply> HandleCreateInstance(RequestContext& ctx) {
  if (ctx.body.contains("restore_point")) {
    return NotImplementedApi("Restoring to a new instance is not implemented by this service yet.");
  }
  DDS_ASSIGN_OR_RETURN(CreateSpec spec, ParseCreateInstance(ctx.body, ctx.service->config()));
  DDS_ASSIGN_OR_RETURN(json body, ctx.service->instances().CreateInstance(ctx.caller, spec));
  return ApiReply::Accepted(body);
}

StatusWith<ApiReply> HandleListInstances(RequestContext& ctx) {
  InstanceFilter f;
  f.id = ctx.Query("id").value_or("");
  f.name = ctx.Query("name").value_or("");
  if (f.name == "*") return BadRequest("DBS.200001", "name '*' alone is not a valid filter");
  f.mode = ctx.Query("mode").value_or("");
  if (!f.mode.empty() && f.mode != "Sharding" && f.mode != "ReplicaSet" && f.mode != "Single") {
    return BadRequest("DBS.280342", "mode must be Sharding, ReplicaSet or Single");
  }
  f.datastore_type = ctx.Query("datastore_type").value_or("");
  if (!f.datastore_type.empty() && f.datastore_type != "DDS-Community") {
    return BadRequest("DBS.280235", "datastore_type must be DDS-Community");
  }
  f.vpc_id = ctx.Query("vpc_id").value_or("");
  f.subnet_id = ctx.Query("subnet_id").value_or("");
  f.tags = ctx.Query("tags").value_or("");
  if (!f.tags.empty() && std::count(f.tags.begin(), f.tags.end(), ',') >= 20) {
    return BadRequest("DBS.280484", "at most 20 tags");
  }
  DDS_RETURN_IF_ERROR(
      ParsePagingParams(ctx.Query("offset"), ctx.Query("limit"), &f.offset, &f.limit));
  ApiReply reply;
  DDS_ASSIGN_OR_RETURN(reply.raw_body,
                       ctx.service->instances().ListInstances(ctx.caller.project_id, f));
  return reply;
}

StatusWith<ApiReply> HandleDeleteInstance(RequestContext& ctx) {
  DDS_ASSIGN_OR_RETURN(std::string job, ctx.service->instances().DeleteInstance(
                                            ctx.caller.project_id, ctx.Param("instance_id")));
  return ApiReply::Accepted({{"job_id", job}});
}

StatusWith<ApiReply> HandleRestartInstance(RequestContext& ctx) {
  DDS_ASSIGN_OR_RETURN(std::string job,
                       ctx.service->instances().RestartInstance(
                           ctx.caller.project_id, ctx.Param("instance_id"), ctx.body));
  return ApiReply::Accepted({{"job_id", job}});
}

StatusWith<ApiReply> HandleRenameInstance(RequestContext& ctx) {
  DDS_RETURN_IF_ERROR(ctx.service->instances().RenameInstance(ctx.caller.project_id,
                                                              ctx.Param("instance_id"), ctx.body));
  return ApiReply::Ok(json::object());
}

StatusWith<ApiReply> HandleResetPassword(RequestContext& ctx) {
  DDS_RETURN_IF_ERROR(ctx.service->instances().ResetPassword(ctx.caller.project_id,
                                                             ctx.Param("instance_id"), ctx.body));
  return ApiReply::Ok(json::object());
}

StatusWith<ApiReply> HandleResizeInstance(RequestContext& ctx) {
  DDS_ASSIGN_OR_RETURN(std::string job,
                       ctx.service->instances().ResizeInstance(ctx.caller.project_id,
                                                               ctx.Param("instance_id"), ctx.body));
  return ApiReply::Accepted({{"job_id", job}});
}

StatusWith<ApiReply> HandleEnlargeVolume(RequestContext& ctx) {
  DDS_RETURN_IF_ERROR(ctx.service->instances().EnlargeVolume(ctx.caller.project_id,
                                                             ctx.Param("instance_id"), ctx.body));
  return ApiReply::Accepted(json::object());
}

StatusWith<ApiReply> HandleShowJob(RequestContext& ctx) {
  std::optional<std::string> id = ctx.Query("id");
  if (!id || id->empty()) return BadRequest("DBS.200001", "Query parameter id is required.");
  DDS_ASSIGN_OR_RETURN(json body, ctx.service->instances().ShowJob(ctx.caller.project_id, *id));
  return ApiReply::Ok(body);
}

StatusWith<ApiReply> HandleListJobs(RequestContext& ctx) {
  JobFilter f;
  std::optional<std::string> start = ctx.Query("start_time");
  std::optional<std::string> end = ctx.Query("end_time");
  if (!start || !end) return BadRequest("DBS.200001", "start_time and end_time are required.");
  std::optional<int64_t> s = ParseJobQueryTime(*start);
  std::optional<int64_t> e = ParseJobQueryTime(*end);
  if (!s || !e) {
    return BadRequest("DBS.280409", "Times must be formatted yyyy-mm-ddThh:mm:ss+0000.");
  }
  if (*e <= *s || *e - *s > 30LL * 24 * 3600 * 1000) {
    return BadRequest("DBS.280409", "end_time must be after start_time, within 30 days.");
  }
  f.start_ms = *s;
  f.end_ms = *e;
  f.status = ctx.Query("status").value_or("");
  if (!f.status.empty() && f.status != "Running" && f.status != "Completed" &&
      f.status != "Failed") {
    return BadRequest("DBS.200001", "status must be Running, Completed or Failed.");
  }
  f.id = ctx.Query("id").value_or("");
  f.name = ctx.Query("name").value_or("");
  DDS_RETURN_IF_ERROR(
      ParsePagingParams(ctx.Query("offset"), ctx.Query("limit"), &f.offset, &f.limit));
  DDS_ASSIGN_OR_RETURN(json body, ctx.service->instances().ListJobs(ctx.caller.project_id, f));
  return ApiReply::Ok(body);
}

}  // namespace dds::service
