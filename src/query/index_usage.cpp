#include "query/index_usage.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

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

using CounterPtr = std::shared_ptr<Counter>;

// One key space of counters. Lookups go through a per-thread cache of counter pointers that is
// dropped whenever the registry's generation changes (a Forget), so the query path takes no lock
// once a thread has seen a key.
class Registry {
 public:
  explicit Registry(int slot) : slot_(slot) {}

  void Increment(uint64_t key) { Lookup(key)->ops.fetch_add(1, std::memory_order_relaxed); }

  UsageSnapshot Read(uint64_t key) const {
    std::shared_lock lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return {0, g_process_start_ms};
    return {it->second->ops.load(std::memory_order_relaxed),
            it->second->since_ms.load(std::memory_order_relaxed)};
  }

  void Reset(uint64_t key) {
    CounterPtr c = GetOrCreate(key);
    c->ops.store(0, std::memory_order_relaxed);
    c->since_ms.store(NowMs(), std::memory_order_relaxed);
  }

  void Forget(uint64_t key) {
    {
      std::unique_lock lock(mu_);
      if (map_.erase(key) == 0) return;
    }
    generation_.fetch_add(1, std::memory_order_acq_rel);
  }

 private:
  struct ThreadCache {
    uint64_t generation = 0;
    std::unordered_map<uint64_t, CounterPtr> counters;
  };

  Counter* Lookup(uint64_t key) {
    thread_local ThreadCache caches[2];
    ThreadCache& cache = caches[slot_];
    uint64_t generation = generation_.load(std::memory_order_acquire);
    if (cache.generation != generation) {
      cache.counters.clear();
      cache.generation = generation;
    }
    auto it = cache.counters.find(key);
    if (it != cache.counters.end()) return it->second.get();
    CounterPtr c = GetOrCreate(key);
    Counter* raw = c.get();
    cache.counters.emplace(key, std::move(c));
    return raw;
  }

  CounterPtr GetOrCreate(uint64_t key) {
    {
      std::shared_lock lock(mu_);
      auto it = map_.find(key);
      if (it != map_.end()) return it->second;
    }
    std::unique_lock lock(mu_);
    CounterPtr& c = map_[key];
    if (c == nullptr) c = std::make_shared<Counter>(g_process_start_ms);
    return c;
  }

  const int slot_;
  mutable std::shared_mutex mu_;
  std::unordered_map<uint64_t, CounterPtr> map_;
  std::atomic<uint64_t> generation_{1};
};

Registry& Indexes() {
  static Registry* r = new Registry(0);
  return *r;
}

Registry& CollectionScanRegistry() {
  static Registry* r = new Registry(1);
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
