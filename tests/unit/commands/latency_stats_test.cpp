#include "commands/latency_stats.h"

#include <gtest/gtest.h>

#include "bson/bson.h"

namespace dds::commands {
namespace {

bson::BsonDocument Stats(const std::string& ns, bool histograms) {
  bson::BsonBuilder b;
  AppendLatencyStats(ns, histograms, &b);
  return b.Done();
}

TEST(LatencyStatsTest, Classification) {
  EXPECT_EQ(LatencyKindOf("find", true), LatencyKind::kRead);
  EXPECT_EQ(LatencyKindOf("getMore", false), LatencyKind::kRead);
  EXPECT_EQ(LatencyKindOf("aggregate", true), LatencyKind::kRead);
  EXPECT_EQ(LatencyKindOf("findAndModify", true), LatencyKind::kWrite);
  EXPECT_EQ(LatencyKindOf("insert", true), LatencyKind::kWrite);
  EXPECT_EQ(LatencyKindOf("listIndexes", true), LatencyKind::kCommand);
  EXPECT_EQ(LatencyKindOf("ping", false), std::nullopt);
  EXPECT_EQ(LatencyNamespace("db", bson::FromJson(R"({"find": "c"})").view()), "db.c");
  EXPECT_EQ(LatencyNamespace("db", bson::FromJson(
                                       R"({"getMore": {"$numberLong": "5"}, "collection": "x"})")
                                       .view()),
            "db.x");
  EXPECT_EQ(LatencyNamespace("db", bson::FromJson(R"({"aggregate": 1})").view()), "");
}

TEST(LatencyStatsTest, UnknownNamespaceIsAllZero) {
  bson::BsonDocument d = Stats("lat.none", false);
  EXPECT_EQ(d.view()["latencyStats"].Object().ToJson(),
            bson::FromJson(R"({"reads": {"latency": {"$numberLong": "0"}, "ops": {"$numberLong": "0"}},
                               "writes": {"latency": {"$numberLong": "0"}, "ops": {"$numberLong": "0"}},
                               "commands": {"latency": {"$numberLong": "0"}, "ops": {"$numberLong": "0"}},
                               "transactions": {"latency": {"$numberLong": "0"}, "ops": {"$numberLong": "0"}}})")
                .view()
                .ToJson());
}

TEST(LatencyStatsTest, HistogramBucketsFollowMongod) {
  const std::string ns = "lat.h";
  RecordLatency(ns, LatencyKind::kRead, 1);        // bucket 0 (lower bound 0)
  RecordLatency(ns, LatencyKind::kRead, 3000);     // [2048, 3072)
  RecordLatency(ns, LatencyKind::kRead, 3100);     // [3072, 4096)
  RecordLatency(ns, LatencyKind::kRead, 5000000);  // [4194304, 8388608)
  RecordLatency(ns, LatencyKind::kWrite, 7);
  bson::BsonDocument d = Stats(ns, true);
  bson::BsonView reads = d.view()["latencyStats"].Object()["reads"].Object();
  EXPECT_EQ(reads["latency"].Int64(), 1 + 3000 + 3100 + 5000000);
  EXPECT_EQ(reads["ops"].Int64(), 4);
  std::vector<int64_t> micros;
  for (const bson::BsonElement& e : reads["histogram"].Array()) {
    micros.push_back(e.Object()["micros"].Int64());
    EXPECT_EQ(e.Object()["count"].Int64(), 1);
  }
  EXPECT_EQ(micros, (std::vector<int64_t>{0, 2048, 3072, 4194304}));
  bson::BsonView writes = d.view()["latencyStats"].Object()["writes"].Object();
  EXPECT_EQ(writes["ops"].Int64(), 1);
  EXPECT_EQ(writes["histogram"].Array().FirstElement().Object()["micros"].Int64(), 4);

  ForgetLatencyStats(ns);
  EXPECT_EQ(Stats(ns, false).view()["latencyStats"].Object()["reads"].Object()["ops"].Int64(), 0);
  RecordLatency(ns, LatencyKind::kCommand, 10);
  EXPECT_EQ(Stats(ns, false).view()["latencyStats"].Object()["commands"].Object()["ops"].Int64(), 1);
}

}  // namespace
}  // namespace dds::commands
