// Checks that simple predicates evaluate without heap allocation per document: this test binary
// counts calls to the global operator new.
#include <atomic>
#include <cstdlib>
#include <new>

#include "match_test_util.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

// Sanitizers install their own allocator; counting is only done in plain builds.
#if !defined(__SANITIZE_ADDRESS__)
#define DDS_COUNT_ALLOCATIONS 1
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
#endif

namespace dds::query {
namespace {

long AllocationsWhileMatching(std::string_view filter, std::string_view doc_json) {
  auto m = ParseMatchExpression(bson::FromJson(filter));
  EXPECT_TRUE(m.ok());
  bson::BsonDocument doc = bson::FromJson(doc_json);
  // Warm up (thread-local regex match data is allocated once per thread).
  m.value()->Matches(doc);
  long before = g_allocations.load();
  for (int i = 0; i < 100; ++i) m.value()->Matches(doc);
  return g_allocations.load() - before;
}

TEST(MatchAllocation, SimplePredicatesDoNotAllocate) {
#if !defined(DDS_COUNT_ALLOCATIONS)
  GTEST_SKIP() << "allocation counting is disabled under sanitizers";
#endif
  const char* doc = R"({"_id": 1, "a": 5, "s": "hello", "b": {"c": [1, 2, {"d": 3}]}, "t": ["x", "y"]})";
  EXPECT_EQ(AllocationsWhileMatching(R"({"a": 5})", doc), 0);
  EXPECT_EQ(AllocationsWhileMatching(R"({"a": {"$gt": 1, "$lte": 9}})", doc), 0);
  EXPECT_EQ(AllocationsWhileMatching(R"({"b.c.d": 3})", doc), 0);
  EXPECT_EQ(AllocationsWhileMatching(R"({"b.c.1": 2})", doc), 0);
  EXPECT_EQ(AllocationsWhileMatching(R"({"t": {"$in": ["z", "y"]}})", doc), 0);
  EXPECT_EQ(AllocationsWhileMatching(R"({"$or": [{"a": 1}, {"s": {"$regex": "^he"}}]})", doc), 0);
  EXPECT_EQ(AllocationsWhileMatching(R"({"zz": {"$exists": false}, "a": {"$ne": null}})", doc), 0);
  EXPECT_EQ(AllocationsWhileMatching(R"({"t": {"$size": 2}, "a": {"$type": "int"}})", doc), 0);
  EXPECT_EQ(AllocationsWhileMatching(R"({"b.c": {"$elemMatch": {"d": 3}}})", doc), 0);
}

}  // namespace
}  // namespace dds::query
