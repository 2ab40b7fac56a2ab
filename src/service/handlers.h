// Route handlers of dds-service, one function per operation; route_table.cpp maps method and
// path template to them. Each returns the reply or a Status that api_error.h maps at the edge.
//
// Handlers are called concurrently from HTTP worker threads; they reach shared state only through
// ctx.service, whose parts are thread-safe.
#pragma once

#include "common/status.h"
#include "service/request_context.h"

namespace dds::service {

StatusWith<ApiReply> HandleAssignRole(RequestContext& ctx);
StatusWith<ApiReply> HandleCloudOnly(RequestContext& ctx);
StatusWith<ApiReply> HandleCreateCredential(RequestContext& ctx);
StatusWith<ApiReply> HandleCreateInstance(RequestContext& ctx);
StatusWith<ApiReply> HandleCreateProject(RequestContext& ctx);
StatusWith<ApiReply> HandleCreateUser(RequestContext& ctx);
StatusWith<ApiReply> HandleDeleteCredential(RequestContext& ctx);
StatusWith<ApiReply> HandleChangePassword(RequestContext& ctx);
StatusWith<ApiReply> HandleDeleteInstance(RequestContext& ctx);
StatusWith<ApiReply> HandleDeleteUser(RequestContext& ctx);
StatusWith<ApiReply> HandleEnlargeVolume(RequestContext& ctx);
StatusWith<ApiReply> HandleIssueToken(RequestContext& ctx);
StatusWith<ApiReply> HandleListApiVersions(RequestContext& ctx);
StatusWith<ApiReply> HandleListCredentials(RequestContext& ctx);
StatusWith<ApiReply> HandleListDatastoreVersions(RequestContext& ctx);
StatusWith<ApiReply> HandleListFlavors(RequestContext& ctx);
StatusWith<ApiReply> HandleListFlavorsV31(RequestContext& ctx);
StatusWith<ApiReply> HandleListInstances(RequestContext& ctx);
StatusWith<ApiReply> HandleListJobs(RequestContext& ctx);
StatusWith<ApiReply> HandleListProjects(RequestContext& ctx);
StatusWith<ApiReply> HandleListRoles(RequestContext& ctx);
StatusWith<ApiReply> HandleListStorageTypes(RequestContext& ctx);
StatusWith<ApiReply> HandleListUsers(RequestContext& ctx);
StatusWith<ApiReply> HandleNotYetImplemented(RequestContext& ctx);
StatusWith<ApiReply> HandleRenameInstance(RequestContext& ctx);
StatusWith<ApiReply> HandleResetPassword(RequestContext& ctx);
StatusWith<ApiReply> HandleResizeInstance(RequestContext& ctx);
StatusWith<ApiReply> HandleRestartInstance(RequestContext& ctx);
StatusWith<ApiReply> HandleShowApiVersion(RequestContext& ctx);
StatusWith<ApiReply> HandleShowJob(RequestContext& ctx);
StatusWith<ApiReply> HandleShowQuotas(RequestContext& ctx);
StatusWith<ApiReply> HandleValidateToken(RequestContext& ctx);

}  // namespace dds::service
