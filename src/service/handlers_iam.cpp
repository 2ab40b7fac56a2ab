// Handlers for the local Keystone-v3-shaped IAM: tokens, projects, users, roles, AK/SK.
#include "service/api_error.h"
#include "service/handlers.h"
#include "service/identity.h"
#include "service/service_state.h"

namespace dds::service {

using nlohmann::json;

StatusWith<ApiReply> HandleIssueToken(RequestContext& ctx) {
  DDS_ASSIGN_OR_RETURN(IssuedToken issued, ctx.service->identity().IssueToken(ctx.body));
  if (ctx.Query("nocatalog")) issued.body["token"].erase("catalog");
  ApiReply reply{201, issued.body, {{"X-Subject-Token", issued.token}}};
  return reply;
}

StatusWith<ApiReply> HandleValidateToken(RequestContext& ctx) {
  std::optional<std::string> subject = ctx.request->Header("x-subject-token");
  if (!subject) return BadRequest("DBS.200001", "X-Subject-Token is required");
  auto body = ctx.service->identity().DescribeToken(std::string(TrimSpaces(*subject)));
  if (!body.ok()) return NotFound("DBS.280016", "The subject token is unknown or expired.");
  return ApiReply{200, body.value(), {{"X-Subject-Token", *subject}}};
}

StatusWith<ApiReply> HandleListProjects(RequestContext& ctx) {
  DDS_ASSIGN_OR_RETURN(
      json body, ctx.service->identity().ListProjects(ctx.caller, ctx.Query("name").value_or("")));
  return ApiReply::Ok(body);
}

StatusWith<ApiReply> HandleCreateProject(RequestContext& ctx) {
  DDS_ASSIGN_OR_RETURN(json body, ctx.service->identity().CreateProject(ctx.caller, ctx.body));
  return ApiReply{201, body, {}};
}

StatusWith<ApiReply> HandleListUsers(RequestContext& ctx) {
  DDS_ASSIGN_OR_RETURN(json body, ctx.service->identity().ListUsers());
  return ApiReply::Ok(body);
}

StatusWith<ApiReply> HandleCreateUser(RequestContext& ctx) {
  DDS_ASSIGN_OR_RETURN(json body, ctx.service->identity().CreateUser(ctx.caller, ctx.body));
  return ApiReply{201, body, {}};
}

StatusWith<ApiReply> HandleListRoles(RequestContext& ctx) {
  json roles = json::array({{{"id", kAdminRoleId}, {"name", kRoleAdmin}},
                            {{"id", kReadonlyRoleId}, {"name", kRoleReadonly}}});
  return ApiReply::Ok({{"roles", roles}});
}

StatusWith<ApiReply> HandleAssignRole(RequestContext& ctx) {
  DDS_RETURN_IF_ERROR(ctx.service->identity().AssignRole(
      ctx.Param("project_id"), ctx.Param("user_id"), ctx.Param("role_id")));
  return ApiReply::Ok(json::object());
}

StatusWith<ApiReply> HandleCreateCredential(RequestContext& ctx) {
  DDS_ASSIGN_OR_RETURN(json body, ctx.service->identity().CreateCredential(ctx.caller, ctx.body));
  return ApiReply{201, body, {}};
}

StatusWith<ApiReply> HandleListCredentials(RequestContext& ctx) {
  DDS_ASSIGN_OR_RETURN(json body, ctx.service->identity().ListCredentials(ctx.caller));
  return ApiReply::Ok(body);
}

StatusWith<ApiReply> HandleDeleteCredential(RequestContext& ctx) {
  DDS_RETURN_IF_ERROR(
      ctx.service->identity().DeleteCredential(ctx.caller, ctx.Param("access_key")));
  return ApiReply::Ok(json::object());
}

}  // namespace dds::service

namespace dds::service {

StatusWith<ApiReply> HandleDeleteUser(RequestContext& ctx) {
  DDS_RETURN_IF_ERROR(ctx.service->identity().DeleteUser(ctx.caller, ctx.Param("user_id")));
  return ApiReply::Ok(nlohmann::json::object());
}

StatusWith<ApiReply> HandleChangePassword(RequestContext& ctx) {
  DDS_RETURN_IF_ERROR(
      ctx.service->identity().ChangePassword(ctx.caller, ctx.Param("user_id"), ctx.body));
  return ApiReply::Ok(nlohmann::json::object());
}

}  // namespace dds::service
