#include "common/thread_cached_map.h"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace dds {
namespace {

struct Count {
  std::atomic<int> n{0};
};

std::shared_ptr<Count> MakeCount() { return std::make_shared<Count>(); }

// One map per tag in the whole test binary (the per-thread caches belong to the tag).
struct TagA {};
struct TagB {};
struct TagC {};
struct TagD {};

TEST(ThreadCachedMap, CachedLookupsShareOneValueAndEraseDropsIt) {
  ThreadCachedMap<int, Count, TagA> map;
  EXPECT_EQ(map.Find(1), nullptr);
  Count* first = map.GetCached(1, MakeCount);
  EXPECT_EQ(map.GetCached(1, MakeCount), first);
  EXPECT_EQ(map.Find(1).get(), first);
  EXPECT_EQ(map.GetOrCreate(1, MakeCount).get(), first);
  first->n = 5;
  std::shared_ptr<Count> held = map.Find(1);
  map.Erase(1);
  EXPECT_EQ(map.Find(1), nullptr);
  // The thread's cache went with the erase: a new value, not the erased one.
  Count* second = map.GetCached(1, MakeCount);
  EXPECT_EQ(second->n.load(), 0);
  EXPECT_EQ(held->n.load(), 5);
  map.Erase(42);  // absent: nothing happens
  EXPECT_EQ(map.GetCached(1, MakeCount), second);
}

TEST(ThreadCachedMap, TagsKeepTheCachesOfTwoMapsApart) {
  ThreadCachedMap<int, Count, TagB> a;
  ThreadCachedMap<int, Count, TagC> b;
  a.GetCached(7, MakeCount)->n = 1;
  b.GetCached(7, MakeCount)->n = 2;
  EXPECT_EQ(a.GetCached(7, MakeCount)->n.load(), 1);
  EXPECT_EQ(b.GetCached(7, MakeCount)->n.load(), 2);
}

TEST(ThreadCachedMap, ThreadsCountIntoTheSameValue) {
  ThreadCachedMap<int, Count, TagD> map;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) map.GetCached(i % 3, MakeCount)->n.fetch_add(1);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(map.Find(0)->n + map.Find(1)->n + map.Find(2)->n, 4000);
}

}  // namespace
}  // namespace dds
