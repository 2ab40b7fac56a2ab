#include "commands/write_concern.h"

#include <gtest/gtest.h>

#include "bson/bson.h"
#include "test_util.h"

namespace dds::commands {
namespace {

StatusWith<WriteConcern> Parse(const char* json) {
  static thread_local bson::BsonDocument doc;
  doc = bson::FromJson(json);
  return ParseWriteConcernFromCommand(doc);
}

TEST(WriteConcern, Defaults) {
  auto wc = Parse(R"({"insert": "c"})");
  ASSERT_OK(wc);
  EXPECT_FALSE(wc->durable);
  EXPECT_FALSE(wc->unacknowledged);
  EXPECT_FALSE(wc->write_concern_error.has_value());
}

TEST(WriteConcern, JournalAndFsyncAreDurable) {
  EXPECT_TRUE(Parse(R"({"insert": "c", "writeConcern": {"j": true}})")->durable);
  EXPECT_TRUE(Parse(R"({"insert": "c", "writeConcern": {"fsync": 1}})")->durable);
  EXPECT_FALSE(Parse(R"({"insert": "c", "writeConcern": {"w": "majority", "wtimeout": 100}})")
                   ->durable);
  EXPECT_CODE(Parse(R"({"insert": "c", "writeConcern": {"j": true, "fsync": true}})"),
              ErrorCode::kFailedToParse);
}

TEST(WriteConcern, UnacknowledgedAndErrors) {
  EXPECT_TRUE(Parse(R"({"insert": "c", "writeConcern": {"w": 0}})")->unacknowledged);
  auto wc = Parse(R"({"insert": "c", "writeConcern": {"w": 2}})");
  ASSERT_OK(wc);
  ASSERT_TRUE(wc->write_concern_error.has_value());
  EXPECT_EQ((*wc->write_concern_error)["code"].Int32(), 2);
  EXPECT_EQ((*wc->write_concern_error)["errInfo"].Object()["writeConcern"].Object()["provenance"]
                .String(),
            "clientSupplied");
  wc = Parse(R"({"insert": "c", "writeConcern": {"w": "dc1"}})");
  ASSERT_TRUE(wc->write_concern_error.has_value());
  EXPECT_EQ((*wc->write_concern_error)["code"].Int32(), 79);
  EXPECT_CODE(Parse(R"({"insert": "c", "writeConcern": 1})"), ErrorCode::kTypeMismatch);
  EXPECT_CODE(Parse(R"({"insert": "c", "writeConcern": {"w": -1}})"), ErrorCode::kFailedToParse);
  EXPECT_CODE(Parse(R"({"insert": "c", "writeConcern": {"w": true}})"), ErrorCode::kFailedToParse);
}

}  // namespace
}  // namespace dds::commands
