#include "query/index_usage.h"

#include <atomic>
#include <chrono>
#include <memory>

#include "common/thread_cached_map.h"
#include "query/planner.h"

namespace dds::query {

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Set during static initialization, i.e. at process start.
const int64_t g_process_start_ms = NowMs();

struct Counter {
  explicit Counter(int64_t since) : since_ms(since) {}
  std::atomic<int64_t> ops{0};
  std::atomic<int64_t> since_ms;
};

// One key space of counters (ThreadCachedMap: the query path takes no lock once a thread has
// seen a key). `Tag` keeps the two registries' per-thread caches apart.
template <typename Tag>
class Registry {
 public:
  void Increment(uint64_t key) {
    map_.GetCached(key, MakeCounter)->ops.fetch_add(1, std::memory_order_relaxed);
  }

  UsageSnapshot Read(uint64_t key) const {
    std::shared_ptr<Counter> c = map_.Find(key);
    if (c == nullptr) return {0, g_process_start_ms};
    return {c->ops.load(std::memory_order_relaxed), c->since_ms.load(std::memory_order_relaxed)};
  }

  void Reset(uint64_t key) {
    std::shared_ptr<Counter> c = map_.GetOrCreate(key, MakeCounter);
    c->ops.store(0, std::memory_order_relaxed);
    c->since_ms.store(NowMs(), std::memory_order_relaxed);
  }

  void Forget(uint64_t key) { map_.Erase(key); }

 private:
  static std::shared_ptr<Counter> MakeCounter() {
    return std::make_shared<Counter>(g_process_start_ms);
  }

  ThreadCachedMap<uint64_t, Counter, Tag> map_;
};

struct IndexTag {};
struct CollectionScanTag {};

Registry<IndexTag>& Indexes() {
  static auto* r = new Registry<IndexTag>();
  return *r;
}

Registry<CollectionScanTag>& CollectionScanRegistry() {
  static auto* r = new Registry<CollectionScanTag>();
  return *r;
}

}  // namespace

void RecordPlanUse(const QueryPlan& plan) {
  if (plan.kind == QueryPlan::Kind::kCollScan) {
    RecordCollectionScan(plan.collection_id);
    return;
  }
  // An OR plan may scan one index in several branches: one use per index, as mongod's
  // PlanSummaryStats.indexesUsed (a set).
  for (size_t i = 0; i < plan.scans.size(); ++i) {
    uint64_t id = plan.scans[i].info.index_id;
    bool seen = false;
    for (size_t j = 0; j < i && !seen; ++j) seen = plan.scans[j].info.index_id == id;
    if (!seen) RecordIndexUse(plan.collection_id, id);
  }
}

void RecordIndexUse(uint64_t collection_id, uint64_t index_id) {
  Indexes().Increment(UsageKey(collection_id, index_id));
}

void RecordCollectionScan(uint64_t collection_id) {
  CollectionScanRegistry().Increment(collection_id);
}

UsageSnapshot IndexUsage(uint64_t collection_id, uint64_t index_id) {
  return Indexes().Read(UsageKey(collection_id, index_id));
}

UsageSnapshot CollectionScans(uint64_t collection_id) {
  return CollectionScanRegistry().Read(collection_id);
}

void ResetIndexUsage(uint64_t collection_id, uint64_t index_id) {
  Indexes().Reset(UsageKey(collection_id, index_id));
}

void ForgetIndexUsage(uint64_t collection_id, uint64_t index_id) {
  Indexes().Forget(UsageKey(collection_id, index_id));
}

void ForgetCollectionUsage(const storage::CollectionDescriptor& coll) {
  for (const storage::IndexDescriptor& idx : coll.indexes) ForgetIndexUsage(coll.id, idx.index_id);
  CollectionScanRegistry().Forget(coll.id);
}

int64_t UsageProcessStartMs() { return g_process_start_ms; }

}  // namespace dds::query
