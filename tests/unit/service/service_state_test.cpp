// The request pipeline in-process: the order of checks of dds-api.md §1.5.2 (route -> auth ->
// content type -> JSON -> project -> role), standard headers, and draining.
#include "service/service_state.h"

#include <filesystem>

#include <nlohmann/json.hpp>
#include <stdlib.h>
#include <unistd.h>

#include "common/logging.h"
#include "test_util.h"

namespace dds::service {
namespace {

using nlohmann::json;

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogQuiet(true);
    dir_ = std::filesystem::temp_directory_path() /
           ("dds-pipeline-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    ServiceConfig config;
    config.data_dir = dir_;
    config.ddsd_path = "/nonexistent/ddsd";
    config.flavors = DefaultFlavors();
    ::setenv("DDS_ADMIN_PASSWORD", "Admin-Pass-1", 1);
    auto state = ServiceState::Open(config);
    ASSERT_OK(state);
    state_ = std::move(state.value());
    HttpResponse r = Call("POST", "/v3/auth/tokens", R"({"auth": {"identity": {"methods":
        ["password"], "password": {"user": {"name": "admin", "password": "Admin-Pass-1",
        "domain": {"name": "admin"}}}}, "scope": {"project": {"name": "default"}}}})",
                          "");
    ASSERT_EQ(r.status, 201) << r.body;
    for (auto& [k, v] : r.headers) {
      if (k == "X-Subject-Token") token_ = v;
    }
    project_ = json::parse(r.body)["token"]["project"]["id"];
  }

  void TearDown() override {
    state_.reset();
    std::filesystem::remove_all(dir_);
  }

  HttpResponse Call(const std::string& method, const std::string& target, const std::string& body,
                    const std::string& token,
                    const std::string& content_type = "application/json") {
    HttpRequest req;
    req.method = method;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.raw_query = target.substr(q + 1);
    if (!content_type.empty()) req.headers.emplace_back("content-type", content_type);
    if (!token.empty()) req.headers.emplace_back("x-auth-token", token);
    req.body = body;
    return state_->Dispatch(req);
  }

  static std::string Code(const HttpResponse& r) {
    return json::parse(r.body).value("error_code", "");
  }

  static std::string HeaderOf(const HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }

  std::string dir_;
  std::unique_ptr<ServiceState> state_;
  std::string token_;
  std::string project_;
};

TEST_F(PipelineTest, RouteComesBeforeAuthentication) {
  HttpResponse r = Call("GET", "/nothing/here", "", "");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Code(r), "APIG.0101");
  r = Call("PATCH", "/v3/" + project_ + "/instances", "", "");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(HeaderOf(r, "Allow"), "GET, POST");
}

TEST_F(PipelineTest, AuthenticationComesBeforeContentTypeAndJson) {
  HttpResponse r = Call("POST", "/v3/" + project_ + "/instances", "x=1", "", "text/plain");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Code(r), "APIG.0301");
  r = Call("POST", "/v3/" + project_ + "/instances", "x=1", token_, "text/plain");
  EXPECT_EQ(r.status, 415);
  r = Call("POST", "/v3/" + project_ + "/instances", "{bad", token_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), "DBS.200001");
}

TEST_F(PipelineTest, ProjectChecks) {
  HttpResponse r = Call("GET", "/v3/not-a-project/instances", "", token_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), "DBS.280408");
  r = Call("GET", "/v3/" + project_ + "/instances", "", token_);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["total_count"], 0);
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/json;charset=UTF-8");
  EXPECT_FALSE(HeaderOf(r, "X-Request-Id").empty());
}

TEST_F(PipelineTest, MissingDdsdIsAnOpaque500) {
  json body = json::parse(R"({"name": "demo-1", "datastore": {"type": "DDS-Community",
      "version": "4.0"}, "region": "local", "availability_zone": "local", "vpc_id": "v",
      "subnet_id": "s", "security_group_id": "g", "mode": "Single",
      "flavor": [{"type": "single", "num": 1, "size": 10,
                  "spec_code": "dds.mongodb.s6.large.4.single"}]})");
  HttpResponse r = Call("POST", "/v3/" + project_ + "/instances", body.dump(), token_);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(Code(r), "DBS.280005");
  EXPECT_EQ(r.body.find("nonexistent"), std::string::npos);
}

TEST_F(PipelineTest, DrainingAnswers503WithRetryAfter) {
  state_->SetDraining();
  HttpResponse r = Call("GET", "/v3/" + project_ + "/instances", "", token_);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Code(r), "DBS.900503");
  EXPECT_FALSE(HeaderOf(r, "Retry-After").empty());
}

}  // namespace
}  // namespace dds::service
