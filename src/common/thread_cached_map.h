// ThreadCachedMap: a process-wide map of shared values (counters, histograms) that a hot path
// reaches without taking a lock once its thread has seen the key. Each thread keeps its own map of
// the value pointers it looked up; any Erase moves a generation number, and a thread whose cache
// is of an older generation drops it first, so an erased value is never reached through a cache.
// Readers that are not on a hot path (Find, GetOrCreate) go through the shared map.
//
// The per-thread caches belong to the instantiation: `Tag` tells apart two maps of the same Key
// and Value types. REQUIRES: one instance per instantiation (a process-wide registry).
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace dds {

template <typename Key, typename Value, typename Tag = void>
class ThreadCachedMap {
 public:
  using Ptr = std::shared_ptr<Value>;

  // The value of `key`, made with `make()` (returning a Ptr) when absent. Lock-free once this
  // thread has looked the key up since the last Erase.
  template <typename Make>
  Value* GetCached(const Key& key, const Make& make) {
    thread_local Cache cache;
    const uint64_t generation = generation_.load(std::memory_order_acquire);
    if (cache.generation != generation) {
      cache.values.clear();
      cache.generation = generation;
    }
    auto it = cache.values.find(key);
    if (it != cache.values.end()) return it->second.get();
    Ptr value = GetOrCreate(key, make);
    Value* raw = value.get();
    cache.values.emplace(key, std::move(value));
    return raw;
  }

  // The value of `key`, made with `make()` when absent.
  template <typename Make>
  Ptr GetOrCreate(const Key& key, const Make& make) {
    {
      std::shared_lock lock(mu_);
      auto it = map_.find(key);
      if (it != map_.end()) return it->second;
    }
    std::unique_lock lock(mu_);
    Ptr& value = map_[key];
    if (value == nullptr) value = make();
    return value;
  }

  // The value of `key`, or null.
  Ptr Find(const Key& key) const {
    std::shared_lock lock(mu_);
    auto it = map_.find(key);
    return it == map_.end() ? nullptr : it->second;
  }

  // Removes `key`; every thread's cache is dropped before its next lookup.
  void Erase(const Key& key) {
    {
      std::unique_lock lock(mu_);
      if (map_.erase(key) == 0) return;
    }
    generation_.fetch_add(1, std::memory_order_acq_rel);
  }

 private:
  struct Cache {
    uint64_t generation = 0;
    std::unordered_map<Key, Ptr> values;
  };

  mutable std::shared_mutex mu_;
  std::unordered_map<Key, Ptr> map_;
  std::atomic<uint64_t> generation_{1};
};

}  // namespace dds
