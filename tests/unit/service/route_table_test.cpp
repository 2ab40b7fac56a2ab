// The REST route table: sorted and unique, literal segments win, 404 and 405 + Allow.
#include "service/route_table.h"

#include "test_util.h"

namespace dds::service {
namespace {

constexpr const char* kP = "/v3/0549b4a43100d4f32f51c01c2fe4acdb";

TEST(RouteTable, IsSortedAndUnique) {
  auto routes = ServiceRoutes();
  for (size_t i = 1; i < routes.size(); ++i) {
    auto prev = std::make_pair(routes[i - 1].pattern, routes[i - 1].method);
    auto cur = std::make_pair(routes[i].pattern, routes[i].method);
    EXPECT_LT(prev, cur) << routes[i].method << " " << routes[i].pattern;
  }
}

TEST(RouteTable, EveryP0AndP3RouteIsPresent) { EXPECT_GE(ServiceRoutes().size(), 17u + 22u); }

TEST(RouteTable, MatchesTemplatesAndExtractsParams) {
  auto m = MatchRoute(ServiceRoutes(), "POST",
                      std::string(kP) + "/instances/0123456789abcdef0123456789abcdefin02/restart");
  ASSERT_EQ(m.kind, RouteMatchKind::kFound);
  EXPECT_EQ(m.params["project_id"], "0549b4a43100d4f32f51c01c2fe4acdb");
  EXPECT_EQ(m.params["instance_id"], "0123456789abcdef0123456789abcdefin02");
  EXPECT_EQ(m.entry->pattern, "/v3/{project_id}/instances/{instance_id}/restart");
}

TEST(RouteTable, LiteralSegmentsWin) {
  auto m = MatchRoute(ServiceRoutes(), "GET", std::string(kP) + "/instances/logs/lts-configs");
  ASSERT_EQ(m.kind, RouteMatchKind::kFound);
  EXPECT_EQ(m.entry->pattern, "/v3/{project_id}/instances/logs/lts-configs");
  auto t = MatchRoute(ServiceRoutes(), "GET", "/v3/projects");
  ASSERT_EQ(t.kind, RouteMatchKind::kFound);
  EXPECT_EQ(t.entry->pattern, "/v3/projects");
}

TEST(RouteTable, UnknownPathIsNotFound) {
  EXPECT_EQ(MatchRoute(ServiceRoutes(), "GET", "/v9/nothing/here").kind, RouteMatchKind::kNotFound);
  EXPECT_EQ(MatchRoute(ServiceRoutes(), "GET", std::string(kP) + "/instances/").kind,
            RouteMatchKind::kNotFound);
}

TEST(RouteTable, WrongMethodListsAllowedMethods) {
  auto m = MatchRoute(ServiceRoutes(), "PATCH", std::string(kP) + "/instances");
  ASSERT_EQ(m.kind, RouteMatchKind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, POST");
  auto d = MatchRoute(ServiceRoutes(), "GET", std::string(kP) + "/instances/x");
  ASSERT_EQ(d.kind, RouteMatchKind::kMethodNotAllowed);
  EXPECT_EQ(d.allow, "DELETE");
}

TEST(RouteTable, RootAndVersion) {
  EXPECT_EQ(MatchRoute(ServiceRoutes(), "GET", "/").entry->pattern, "/");
  EXPECT_EQ(MatchRoute(ServiceRoutes(), "GET", "/v3").entry->pattern, "/{version}");
}

}  // namespace
}  // namespace dds::service
