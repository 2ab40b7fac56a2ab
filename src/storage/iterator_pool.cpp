#include "storage/iterator_pool_internal.h"

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/snapshot.h>

namespace dds::storage {

PooledIterator::~PooledIterator() {
  it.reset();  // before the snapshot it reads at
  if (own_snapshot != nullptr) db->ReleaseSnapshot(own_snapshot);
}

void PooledIterator::SetBounds(std::string new_lower, std::string new_upper) {
  lower = std::move(new_lower);
  upper = std::move(new_upper);
  lower_slice = rocksdb::Slice(lower);
  upper_slice = rocksdb::Slice(upper);
}

uint64_t PooledIterator::sequence() const { return own_snapshot->GetSequenceNumber(); }

std::unique_ptr<PooledIterator> IteratorPool::Take(uint64_t sequence, bool prefix_mode) {
  std::vector<std::unique_ptr<PooledIterator>> dropped;  // destroyed after the lock
  std::unique_ptr<PooledIterator> found;
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < entries_.size();) {
      PooledIterator& e = *entries_[i];
      bool stale = e.sequence() < sequence || now - e.created > kMaxIdle;
      bool match = !stale && found == nullptr && e.sequence() == sequence &&
                   e.prefix_mode == prefix_mode;
      if (stale || match) {
        (match ? found : dropped.emplace_back()) = std::move(entries_[i]);
        entries_[i] = std::move(entries_.back());
        entries_.pop_back();
      } else {
        ++i;
      }
    }
  }
  return found;
}

void IteratorPool::Return(std::unique_ptr<PooledIterator> entry) {
  if (entry == nullptr || entry->own_snapshot == nullptr || !entry->it->status().ok() ||
      std::chrono::steady_clock::now() - entry->created > kMaxIdle) {
    return;
  }
  std::lock_guard lock(mutex_);
  if (entries_.size() < capacity_) entries_.push_back(std::move(entry));
  // else: `entry` is destroyed on return, after the lock (more concurrent scans than capacity).
}

void IteratorPool::DropExpired() {
  std::vector<std::unique_ptr<PooledIterator>> dropped;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  for (size_t i = 0; i < entries_.size();) {
    if (now - entries_[i]->created > kMaxIdle) {
      dropped.push_back(std::move(entries_[i]));
      entries_[i] = std::move(entries_.back());
      entries_.pop_back();
    } else {
      ++i;
    }
  }
}

void IteratorPool::Clear() {
  std::vector<std::unique_ptr<PooledIterator>> dropped;
  std::lock_guard lock(mutex_);
  dropped.swap(entries_);
}

}  // namespace dds::storage
