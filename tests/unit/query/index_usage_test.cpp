#include "query/index_usage.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "query/planner.h"

namespace dds::query {
namespace {

// Ids far from anything another test in this binary could allocate.
constexpr uint64_t kColl = 900001;
constexpr uint64_t kIndexA = 900002;
constexpr uint64_t kIndexB = 900003;

TEST(IndexUsageTest, UnknownIndexCountsZeroSinceProcessStart) {
  UsageSnapshot u = IndexUsage(kColl + 100, kIndexA + 100);
  EXPECT_EQ(u.ops, 0);
  EXPECT_EQ(u.since_ms, UsageProcessStartMs());
}

TEST(IndexUsageTest, IdIndexIsKeyedByCollection) {
  EXPECT_EQ(UsageKey(7, 0), 7u);
  EXPECT_EQ(UsageKey(7, 12), 12u);
  RecordIndexUse(kColl, 0);
  RecordIndexUse(kColl, 0);
  EXPECT_EQ(IndexUsage(kColl, 0).ops, 2);
  ForgetCollectionUsage([] {
    storage::CollectionDescriptor d;
    d.id = kColl;
    storage::IndexDescriptor id_index;
    id_index.name = "_id_";
    d.indexes.push_back(id_index);
    return d;
  }());
  EXPECT_EQ(IndexUsage(kColl, 0).ops, 0);
}

TEST(IndexUsageTest, PlanCountsEachIndexOnceAndCollScans) {
  QueryPlan plan;
  plan.kind = QueryPlan::Kind::kOr;
  plan.collection_id = kColl + 1;
  for (uint64_t id : {kIndexA, kIndexB, kIndexA}) {
    IndexScanNode node;
    node.info.index_id = id;
    plan.scans.push_back(std::move(node));
  }
  RecordPlanUse(plan);
  EXPECT_EQ(IndexUsage(kColl + 1, kIndexA).ops, 1);
  EXPECT_EQ(IndexUsage(kColl + 1, kIndexB).ops, 1);
  EXPECT_EQ(CollectionScans(kColl + 1).ops, 0);

  QueryPlan scan;
  scan.collection_id = kColl + 1;
  RecordPlanUse(scan);
  RecordPlanUse(scan);
  EXPECT_EQ(CollectionScans(kColl + 1).ops, 2);
}

TEST(IndexUsageTest, ResetAndForget) {
  RecordIndexUse(kColl + 2, kIndexA + 10);
  EXPECT_EQ(IndexUsage(kColl + 2, kIndexA + 10).ops, 1);
  ResetIndexUsage(kColl + 2, kIndexA + 10);
  UsageSnapshot u = IndexUsage(kColl + 2, kIndexA + 10);
  EXPECT_EQ(u.ops, 0);
  EXPECT_GE(u.since_ms, UsageProcessStartMs());
  // The per-thread cache still works after a reset (same counter) ...
  RecordIndexUse(kColl + 2, kIndexA + 10);
  EXPECT_EQ(IndexUsage(kColl + 2, kIndexA + 10).ops, 1);
  // ... and after a forget (the cache is dropped; a new counter starts).
  ForgetIndexUsage(kColl + 2, kIndexA + 10);
  EXPECT_EQ(IndexUsage(kColl + 2, kIndexA + 10).ops, 0);
  RecordIndexUse(kColl + 2, kIndexA + 10);
  EXPECT_EQ(IndexUsage(kColl + 2, kIndexA + 10).ops, 1);
}

TEST(IndexUsageTest, ConcurrentIncrementsAreAllCounted) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([] {
      for (int i = 0; i < kPerThread; ++i) RecordIndexUse(kColl + 3, kIndexB + 10);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(IndexUsage(kColl + 3, kIndexB + 10).ops, kThreads * kPerThread);
}

}  // namespace
}  // namespace dds::query
