// Sort spilling for blocking sorts with allowDiskUse: sorted runs written to temporary files and
// merged back in order, so a sort larger than the memory limit still completes (mongod's
// external sorter). Run files live in <dbpath>/_tmp, are unlinked as soon as they are created
// (nothing is left behind by a crash), and are read back sequentially through a k-way merge that
// keeps one item per run in memory.
//
// Single-threaded: owned by one PlanExecutor.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bson/bson.h"
#include "common/status.h"

namespace dds::query {

// One item of a blocking sort: the extracted sort key, the document, and its arrival order
// (which breaks ties, so paging with skip/limit is stable).
struct SortItem {
  bson::BsonDocument key;
  bson::BsonDocument doc;
  uint64_t seq = 0;
};

class SortSpill {
 public:
  // Orders items; must be a strict weak order consistent with how runs were sorted.
  using Less = std::function<bool(const SortItem&, const SortItem&)>;

  SortSpill(std::string dir, Less less);
  ~SortSpill();
  SortSpill(const SortSpill&) = delete;
  SortSpill& operator=(const SortSpill&) = delete;

  // Writes `items` (already sorted by `less`) as one run and clears it.
  Status WriteRun(std::vector<SortItem>* items);
  // Starts the merge of every run written. REQUIRES: at least one run.
  Status StartMerge();
  // Sets *out to the next item in order and returns true, or returns false at the end.
  StatusWith<bool> Next(SortItem* out);

  int runs() const { return static_cast<int>(runs_.size()); }
  int64_t bytes_written() const { return bytes_written_; }

 private:
  struct Run;
  StatusWith<bool> ReadItem(Run* run, SortItem* out);
  // The merge heap's order: std's heap functions build a max-heap, so run a sorts "before" run b
  // when a's head comes after b's, and the smallest head is popped first.
  bool HeadAfter(size_t a, size_t b) const;

  std::string dir_;
  Less less_;
  std::vector<std::unique_ptr<Run>> runs_;
  // Merge heap: indexes into runs_, ordered by each run's current head item.
  std::vector<size_t> heap_;
  int64_t bytes_written_ = 0;
};

}  // namespace dds::query
