// Timestamp formats of the DDS and Keystone APIs.
#include "service/time_util.h"

#include "test_util.h"

namespace dds::service {
namespace {

TEST(TimeUtil, FormatsAndParses) {
  int64_t ms = 1704067200000 + 701;  // 2024-01-01T00:00:00.701Z
  EXPECT_EQ(FormatKeystoneTime(ms), "2024-01-01T00:00:00.701000Z");
  EXPECT_EQ(FormatIsoSeconds(ms), "2024-01-01T00:00:00");
  EXPECT_EQ(FormatJobTime(ms), "2024-01-01T00:00:00+0000");
  EXPECT_EQ(FormatSpaceTime(ms), "2024-01-01 00:00:00");
  EXPECT_EQ(ParseSdkDate("20240101T000000Z"), std::optional<int64_t>(1704067200000));
  EXPECT_FALSE(ParseSdkDate("2024-01-01T00:00:00Z"));
  EXPECT_FALSE(ParseSdkDate("20241301T000000Z"));
}

TEST(TimeUtil, JobQueryTimesHonourTheOffset) {
  EXPECT_EQ(ParseJobQueryTime("2024-01-01T08:00:00+0800"), std::optional<int64_t>(1704067200000));
  EXPECT_EQ(ParseJobQueryTime("2024-01-01T00:00:00+0000"), std::optional<int64_t>(1704067200000));
  // '+' decoded from a query string as a space.
  EXPECT_EQ(ParseJobQueryTime("2024-01-01T00:00:00 0000"), std::optional<int64_t>(1704067200000));
  EXPECT_FALSE(ParseJobQueryTime("2024-01-01"));
  EXPECT_FALSE(ParseJobQueryTime("2024-01-01T00:00:00+00"));
}

}  // namespace
}  // namespace dds::service
