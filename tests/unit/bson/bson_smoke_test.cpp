#include "bson/bson.h"
#include "test_util.h"

namespace dds::bson {
namespace {

TEST(BsonSmoke, RoundTripsJson) {
  BsonDocument doc = FromJson(R"({"a": 1, "b": [1, 2.5, "x"], "c": {"$oid": "507f1f77bcf86cd799439011"}})");
  EXPECT_EQ(doc.ToJson(), R"({"a":1,"b":[1,2.5,"x"],"c":{"$oid":"507f1f77bcf86cd799439011"}})");
  ASSERT_OK(ValidateBson(doc.bytes().data(), doc.bytes().size()));
}

}  // namespace
}  // namespace dds::bson
