#include "service/api_error.h"

#include <nlohmann/json.hpp>

namespace dds::service {
namespace {

std::string_view DefaultDdsCode(int http_status) {
  switch (http_status) {
    case 400:
      return "DBS.200001";
    case 401:
      return "APIG.0301";
    case 403:
      return "DBS.280032";
    case 404:
      return "DBS.280016";
    case 405:
      return "DBS.900405";
    case 409:
      return "DBS.200011";
    case 413:
      return "APIG.0201";
    case 415:
      return "DBS.900415";
    case 422:
      return "DBS.280001";
    case 501:
      return "DBS.900501";
    case 503:
      return "DBS.900503";
    default:
      return "DBS.280005";
  }
}

}  // namespace

Status ApiError(ErrorCode code, std::string_view dds_code, std::string_view msg) {
  std::string reason;
  reason.reserve(dds_code.size() + msg.size() + 3);
  reason.append("[").append(dds_code).append("] ").append(msg);
  return Status(code, std::move(reason));
}

Status BadRequest(std::string_view dds_code, std::string_view msg) {
  return ApiError(ErrorCode::kServiceBadRequest, dds_code, msg);
}
Status Forbidden(std::string_view dds_code, std::string_view msg) {
  return ApiError(ErrorCode::kServiceForbidden, dds_code, msg);
}
Status NotFound(std::string_view dds_code, std::string_view msg) {
  return ApiError(ErrorCode::kServiceNotFound, dds_code, msg);
}
Status Conflict(std::string_view dds_code, std::string_view msg) {
  return ApiError(ErrorCode::kServiceConflict, dds_code, msg);
}
Status Unprocessable(std::string_view dds_code, std::string_view msg) {
  return ApiError(ErrorCode::kServiceUnprocessable, dds_code, msg);
}
Status NotImplementedApi(std::string_view msg) {
  return ApiError(ErrorCode::kServiceNotImplemented, "DBS.900501", msg);
}
Status Unavailable(std::string_view msg) {
  return ApiError(ErrorCode::kServiceUnavailable, "DBS.900503", msg);
}
Status InternalApiError(std::string_view log_reason) {
  return Status(ErrorCode::kServiceInternal, std::string(log_reason));
}

ApiErrorBody MapStatusToError(const Status& status) {
  ApiErrorBody body;
  body.http_status = HttpStatusForCode(status.code());
  const std::string& reason = status.reason();
  std::string_view msg = reason;
  if (reason.size() > 2 && reason.front() == '[') {
    size_t close = reason.find("] ");
    if (close != std::string::npos) {
      body.error_code = reason.substr(1, close - 1);
      msg = std::string_view(reason).substr(close + 2);
    }
  }
  if (body.error_code.empty()) body.error_code = std::string(DefaultDdsCode(body.http_status));
  if (body.http_status == 500) {
    // Internal failures are logged by the caller; the client sees no internals.
    body.error_code = "DBS.280005";
    body.error_msg = "Internal server error. Try again later.";
  } else {
    body.error_msg = std::string(msg);
  }
  return body;
}

std::string ErrorBodyJson(const ApiErrorBody& body) {
  return nlohmann::json{{"error_code", body.error_code}, {"error_msg", body.error_msg}}.dump();
}

}  // namespace dds::service
