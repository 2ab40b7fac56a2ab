#include "service/service_state.h"

#include <filesystem>

#include <sys/stat.h>

#include "common/logging.h"
#include "service/api_error.h"
#include "service/crypto.h"

namespace dds::service {
namespace {

using nlohmann::json;

// Returns the media type of a Content-Type value, lowercased, without parameters.
std::string MediaType(const std::string& content_type) {
  std::string mt(TrimSpaces(content_type.substr(0, content_type.find(';'))));
  for (char& c : mt) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return mt;
}

struct InFlight {
  explicit InFlight(std::atomic<int>* n) : n_(n) { n_->fetch_add(1); }
  ~InFlight() { n_->fetch_sub(1); }
  std::atomic<int>* n_;
};

}  // namespace

void AddStandardHeaders(HttpResponse* resp, const std::string& request_id) {
  resp->headers.emplace_back("Content-Type", "application/json;charset=UTF-8");
  resp->headers.emplace_back("X-Request-Id", request_id);
}

StatusWith<std::unique_ptr<ServiceState>> ServiceState::Open(ServiceConfig config) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    return Status(ErrorCode::kBadValue,
                  "cannot create data dir " + config.data_dir + ": " + ec.message());
  }
  config.data_dir = std::filesystem::canonical(config.data_dir, ec).string();
  ::chmod(config.data_dir.c_str(), 0700);
  std::unique_ptr<ServiceState> state(new ServiceState(std::move(config)));
  DDS_ASSIGN_OR_RETURN(state->store_,
                       MetadataStore::Open(state->config_.data_dir + "/metadata.sqlite"));
  state->identity_ = std::make_unique<Identity>(state->store_.get(), &state->config_);
  DDS_RETURN_IF_ERROR(state->identity_->Bootstrap());
  state->instances_ = std::make_unique<InstanceManager>(&state->config_, state->store_.get());
  DDS_RETURN_IF_ERROR(state->instances_->Recover());
  return state;
}

RouteMatch ServiceState::Match(const std::string& method, const std::string& path) const {
  return MatchRoute(ServiceRoutes(), method, path);
}

HttpResponse ServiceState::ErrorResponse(const Status& status,
                                         const std::string& request_id) const {
  ApiErrorBody body = MapStatusToError(status);
  if (body.http_status == 500) {
    DDS_LOG_ERROR("SERVICE", 9300, "Internal error",
                  {{"requestId", request_id}, {"error", status.ToString()}});
  }
  HttpResponse resp;
  resp.status = body.http_status;
  resp.body = ErrorBodyJson(body);
  AddStandardHeaders(&resp, request_id);
  if (body.http_status == 503) resp.headers.emplace_back("Retry-After", "5");
  return resp;
}

StatusWith<ApiReply> ServiceState::RunPipeline(
    const HttpRequest& req, RequestContext& ctx,
    std::vector<std::pair<std::string, std::string>>* extra) {
  RouteMatch match = Match(req.method, req.path);
  if (match.kind == RouteMatchKind::kNotFound) {
    return NotFound("APIG.0101",
                    "The API does not exist or has not been published in the environment.");
  }
  if (match.kind == RouteMatchKind::kMethodNotAllowed) {
    extra->emplace_back("Allow", match.allow);
    return ApiError(ErrorCode::kServiceMethodNotAllowed, "DBS.900405",
                    "Method " + req.method + " is not allowed here; allowed: " + match.allow);
  }
  const RouteEntry& route = *match.entry;
  ctx.params = match.params;
  if (!ParseQuery(req.raw_query, &ctx.query)) {
    return BadRequest("DBS.200001", "malformed percent-encoding in the query string");
  }
  if (!(route.flags & kRoutePublic)) {
    DDS_ASSIGN_OR_RETURN(ctx.caller, identity_->Authenticate(req));
  }
  if (!req.body.empty()) {
    std::optional<std::string> ct = req.Header("content-type");
    if (!ct || MediaType(*ct) != "application/json") {
      return ApiError(ErrorCode::kServiceUnsupportedMediaType, "DBS.900415",
                      "Content-Type must be application/json.");
    }
    ctx.body = json::parse(req.body, nullptr, false);
    if (ctx.body.is_discarded() || !ctx.body.is_object()) {
      return BadRequest("DBS.200001", "The request body is not a JSON object.");
    }
  } else {
    ctx.body = json::object();
  }
  if (route.flags & kRouteProject) {
    std::string project_id = ctx.Param("project_id");
    if (!identity_->ProjectExists(project_id)) {
      return BadRequest("DBS.280408", "Invalid project ID.");
    }
    if (project_id != ctx.caller.project_id) {
      return Forbidden("DBS.280032", "The credentials do not belong to this project.");
    }
    if (std::optional<std::string> xp = req.Header("x-project-id")) {
      if (TrimSpaces(*xp) != project_id) {
        return Forbidden("DBS.280032", "X-Project-Id does not match the path project.");
      }
    }
    if (req.method != "GET" && !ctx.caller.IsAdmin()) {
      return Forbidden("DBS.280032", "The caller's role does not allow this operation.");
    }
    if (ctx.caller.roles.empty()) {
      return Forbidden("DBS.280032", "The caller has no role in this project.");
    }
  }
  if ((route.flags & kRouteIamAdmin) && !ctx.caller.IsAdmin()) {
    return Forbidden("DBS.280032", "Only an administrator may manage identities.");
  }
  return route.handler(ctx);
}

HttpResponse ServiceState::Dispatch(const HttpRequest& req) {
  InFlight guard(&in_flight_);
  RequestContext ctx;
  ctx.service = this;
  ctx.request = &req;
  ctx.request_id = UuidV4();
  if (draining()) {
    return ErrorResponse(Unavailable("The service is shutting down. Retry later."), ctx.request_id);
  }
  std::vector<std::pair<std::string, std::string>> extra;
  StatusWith<ApiReply> reply = Status(ErrorCode::kServiceInternal, "unset");
  try {
    reply = RunPipeline(req, ctx, &extra);
  } catch (const std::exception& e) {
    reply = InternalApiError(std::string("exception: ") + e.what());
  }
  HttpResponse resp;
  if (!reply.ok()) {
    resp = ErrorResponse(reply.status(), ctx.request_id);
  } else {
    resp.status = reply->status;
    resp.body = reply->raw_body.empty() ? reply->body.dump() : std::move(reply->raw_body);
    AddStandardHeaders(&resp, ctx.request_id);
    for (auto& h : reply->headers) resp.headers.push_back(std::move(h));
  }
  for (auto& h : extra) resp.headers.push_back(std::move(h));
  return resp;
}

}  // namespace dds::service
