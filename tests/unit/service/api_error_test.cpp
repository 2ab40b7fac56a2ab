// The service's error edge: Status -> HTTP status (error_codes.def column) + DDS body.
#include "service/api_error.h"

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace dds::service {
namespace {

TEST(ApiError, CarriesDdsCodeAndStatus) {
  ApiErrorBody b = MapStatusToError(BadRequest("DBS.280234", "bad name"));
  EXPECT_EQ(b.http_status, 400);
  EXPECT_EQ(b.error_code, "DBS.280234");
  EXPECT_EQ(b.error_msg, "bad name");
  EXPECT_EQ(MapStatusToError(Conflict("DBS.200011", "busy")).http_status, 409);
  EXPECT_EQ(MapStatusToError(Unprocessable("DBS.280122", "x")).http_status, 422);
  EXPECT_EQ(MapStatusToError(NotFound("APIG.0101", "x")).http_status, 404);
  EXPECT_EQ(MapStatusToError(Forbidden("DBS.280032", "x")).http_status, 403);
}

TEST(ApiError, EveryServiceCodeMapsToItsStatus) {
  struct Case {
    ErrorCode code;
    int http;
    const char* dds;
  } cases[] = {{ErrorCode::kServiceBadRequest, 400, "DBS.200001"},
               {ErrorCode::kServiceUnauthenticated, 401, "APIG.0301"},
               {ErrorCode::kServiceForbidden, 403, "DBS.280032"},
               {ErrorCode::kServiceMethodNotAllowed, 405, "DBS.900405"},
               {ErrorCode::kServicePayloadTooLarge, 413, "APIG.0201"},
               {ErrorCode::kServiceUnsupportedMediaType, 415, "DBS.900415"},
               {ErrorCode::kServiceNotImplemented, 501, "DBS.900501"},
               {ErrorCode::kServiceUnavailable, 503, "DBS.900503"}};
  for (const Case& c : cases) {
    ApiErrorBody b = MapStatusToError(Status(c.code, "plain reason"));
    EXPECT_EQ(b.http_status, c.http);
    EXPECT_EQ(b.error_code, c.dds);
    EXPECT_EQ(b.error_msg, "plain reason");
  }
}

TEST(ApiError, InternalErrorsLeakNothing) {
  ApiErrorBody b = MapStatusToError(InternalApiError("ddsd missing at /secret/path/ddsd"));
  EXPECT_EQ(b.http_status, 500);
  EXPECT_EQ(b.error_code, "DBS.280005");
  EXPECT_EQ(b.error_msg.find("/secret"), std::string::npos);
  // Any code without a mapping (e.g. an SQLite failure surfacing as InternalError) is a 500 too.
  EXPECT_EQ(MapStatusToError(Status(ErrorCode::kInternalError, "sqlite: disk I/O"))
                .error_msg.find("sqlite"),
            std::string::npos);
}

TEST(ApiError, BodyHasExactlyTwoStringFields) {
  auto j = nlohmann::json::parse(ErrorBodyJson(MapStatusToError(NotImplementedApi("no"))));
  EXPECT_EQ(j.size(), 2u);
  EXPECT_EQ(j["error_code"], "DBS.900501");
  EXPECT_EQ(j["error_msg"], "no");
}

}  // namespace
}  // namespace dds::service
