// DDS API errors: a Status whose code is one of the management-plane codes of error_codes.def
// (ServiceBadRequest ... ServiceUnavailable, or any code with an HTTP column) and whose reason
// carries the DDS error_code as a "[DBS.200001] " prefix. MapStatusToError() is the one edge
// function that turns a Status into the HTTP status plus the DDS body
// {"error_code": "...", "error_msg": "..."} (dds-api.md §1.5).
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace dds::service {

// Returns Status(code, "[<dds_code>] <msg>").
Status ApiError(ErrorCode code, std::string_view dds_code, std::string_view msg);

// Shorthands for the common kinds (each uses the documented DDS code passed in).
Status BadRequest(std::string_view dds_code, std::string_view msg);     // 400
Status Forbidden(std::string_view dds_code, std::string_view msg);      // 403
Status NotFound(std::string_view dds_code, std::string_view msg);       // 404
Status Conflict(std::string_view dds_code, std::string_view msg);       // 409
Status Unprocessable(std::string_view dds_code, std::string_view msg);  // 422
Status NotImplementedApi(std::string_view msg);                         // 501 DBS.900501
Status Unavailable(std::string_view msg);                               // 503 DBS.900503
Status InternalApiError(std::string_view log_reason);                   // 500 DBS.280005

// The edge view of an error.
struct ApiErrorBody {
  int http_status = 500;
  std::string error_code;
  std::string error_msg;
};

// Maps a non-OK Status to its HTTP status (the error_codes.def column), its DDS error_code (the
// reason's prefix, else a default per status) and message. 5xx internal errors never leak their
// reason: the message is generic.
ApiErrorBody MapStatusToError(const Status& status);

// Returns the JSON text {"error_code": ..., "error_msg": ...}.
std::string ErrorBodyJson(const ApiErrorBody& body);

}  // namespace dds::service
