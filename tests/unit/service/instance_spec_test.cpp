// Create-instance validation: field rules, DDS codes, §1.3 numeric leniency, 400 < 422 < 501.
#include "service/instance_spec.h"

#include "service/api_error.h"
#include "test_util.h"

namespace dds::service {
namespace {

using nlohmann::json;

ServiceConfig Config() {
  ServiceConfig c;
  c.flavors = DefaultFlavors();
  return c;
}

json ValidBody() {
  return json::parse(R"({
    "name": "demo-1", "datastore": {"type": "DDS-Community", "version": "4.0",
    "storage_engine": "rocksDB"}, "region": "local", "availability_zone": "local",
    "vpc_id": "vpc", "subnet_id": "subnet", "security_group_id": "sg",
    "password": "Secret-Pass1", "mode": "Single",
    "flavor": [{"type": "single", "num": 1, "storage": "ULTRAHIGH", "size": 10,
                "spec_code": "dds.mongodb.s6.large.4.single"}]})");
}

std::string DdsCode(const Status& s) { return MapStatusToError(s).error_code; }

TEST(InstanceSpec, AcceptsAValidSingleRequest) {
  auto spec = ParseCreateInstance(ValidBody(), Config());
  ASSERT_OK(spec);
  EXPECT_EQ(spec->name, "demo-1");
  EXPECT_EQ(spec->flavor[0].size_gb, 10);
  EXPECT_EQ(spec->backup_strategy["keep_days"], 7);
}

TEST(InstanceSpec, NumbersMayBeStrings) {
  json body = ValidBody();
  body["flavor"][0]["num"] = "1";
  body["flavor"][0]["size"] = "20";
  body["port"] = "8700";
  body["backup_strategy"] = {{"start_time", "23:00-00:00"}, {"keep_days", "3"}};
  auto spec = ParseCreateInstance(body, Config());
  ASSERT_OK(spec);
  EXPECT_EQ(spec->flavor[0].size_gb, 20);
  EXPECT_EQ(*spec->port, 8700);
  EXPECT_EQ(spec->backup_strategy["keep_days"], 3);
}

TEST(InstanceSpec, RejectsBadFieldsWithTheirCodes) {
  auto with = [](const char* key, json value) {
    json b = ValidBody();
    b[key] = value;
    return b;
  };
  EXPECT_EQ(DdsCode(ParseCreateInstance(with("name", "1abc"), Config()).status()), "DBS.280234");
  EXPECT_EQ(DdsCode(ParseCreateInstance(with("name", std::string(65, 'a')), Config()).status()),
            "DBS.280234");
  EXPECT_EQ(DdsCode(ParseCreateInstance(with("name", "../../etc"), Config()).status()),
            "DBS.280234");
  EXPECT_EQ(DdsCode(ParseCreateInstance(with("name", 42), Config()).status()), "DBS.280234");
  EXPECT_EQ(DdsCode(ParseCreateInstance(with("region", "mars"), Config()).status()), "DBS.200024");
  EXPECT_EQ(DdsCode(ParseCreateInstance(with("mode", "single"), Config()).status()), "DBS.280342");
  EXPECT_EQ(DdsCode(ParseCreateInstance(with("port", 80), Config()).status()), "DBS.200060");
  EXPECT_EQ(DdsCode(ParseCreateInstance(with("password", "short"), Config()).status()),
            "DBS.200052");
  EXPECT_EQ(DdsCode(ParseCreateInstance(with("password", "Bad Pass 1!"), Config()).status()),
            "DBS.280200");
  json bad_size = ValidBody();
  bad_size["flavor"][0]["size"] = 15;
  EXPECT_EQ(DdsCode(ParseCreateInstance(bad_size, Config()).status()), "DBS.200302");
}

TEST(InstanceSpec, SemanticMisfitIs422AndReplicationIs501) {
  json wt = ValidBody();
  wt["datastore"]["storage_engine"] = "wiredTiger";
  auto s = ParseCreateInstance(wt, Config()).status();
  EXPECT_EQ(MapStatusToError(s).http_status, 422);
  EXPECT_EQ(DdsCode(s), "DBS.280122");
  json spec = ValidBody();
  spec["flavor"][0]["spec_code"] = "dds.mongodb.nope";
  EXPECT_EQ(MapStatusToError(ParseCreateInstance(spec, Config()).status()).http_status, 422);
  json rs = ValidBody();
  rs["mode"] = "ReplicaSet";
  rs["flavor"][0]["type"] = "replica";
  rs["flavor"][0]["num"] = 3;
  rs["flavor"][0]["spec_code"] = "dds.mongodb.s6.large.4.repset";
  EXPECT_EQ(MapStatusToError(ParseCreateInstance(rs, Config()).status()).http_status, 501);
  json prepaid = ValidBody();
  prepaid["charge_info"] = {{"charge_mode", "prePaid"}};
  EXPECT_EQ(DdsCode(ParseCreateInstance(prepaid, Config()).status()), "DBS.900501");
}

TEST(InstanceSpec, UnknownFieldsAreIgnored) {
  json body = ValidBody();
  body["some_future_field"] = {{"x", 1}};
  EXPECT_OK(ParseCreateInstance(body, Config()));
}

TEST(InstanceSpec, Paging) {
  int offset = 0, limit = 100;
  EXPECT_OK(ParsePagingParams(std::string("5"), std::string("10"), &offset, &limit));
  EXPECT_EQ(offset, 5);
  EXPECT_EQ(limit, 10);
  EXPECT_EQ(DdsCode(ParsePagingParams(std::nullopt, std::string("0"), &offset, &limit)),
            "DBS.280439");
  EXPECT_EQ(DdsCode(ParsePagingParams(std::string("-1"), std::nullopt, &offset, &limit)),
            "DBS.280440");
}

}  // namespace
}  // namespace dds::service
