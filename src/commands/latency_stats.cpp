#include "commands/latency_stats.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <memory>
#include <string>

#include "common/thread_cached_map.h"

namespace dds::commands {

namespace {

using bson::BsonElement;
using bson::BsonType;

// OperationLatencyHistogram's buckets and their lower bounds (microseconds).
constexpr int kMaxBuckets = 51;
constexpr std::array<int64_t, kMaxBuckets> kLowerBounds = [] {
  std::array<int64_t, kMaxBuckets> a{};
  a[0] = 0;
  for (int i = 1; i < 11; ++i) a[i] = int64_t{1} << i;
  int i = 11;
  for (int log2 = 11; log2 < 21; ++log2) {
    a[i++] = int64_t{1} << log2;
    a[i++] = int64_t{3} << (log2 - 1);
  }
  for (int log2 = 21; i < kMaxBuckets; ++log2) a[i++] = int64_t{1} << log2;
  return a;
}();

int Bucket(int64_t micros) {
  if (micros <= 0) return 0;
  uint64_t value = static_cast<uint64_t>(micros);
  int log2 = 63 - std::countl_zero(value);
  if (log2 < 11) return log2;
  if (log2 < 21) {
    int extra = log2 - 11;
    if (value >= (uint64_t{3} << (log2 - 1))) ++extra;
    return log2 + extra;
  }
  return std::min(log2 + 10, kMaxBuckets - 1);
}

struct Histogram {
  std::atomic<int64_t> sum{0};
  std::atomic<int64_t> count{0};
  std::array<std::atomic<int64_t>, kMaxBuckets> buckets{};
};

struct Entry {
  Histogram kinds[3];  // reads, writes, commands
};

// Histograms per namespace; the command path takes no lock once its thread has seen the
// namespace (ThreadCachedMap).
ThreadCachedMap<std::string, Entry>& Entries() {
  static auto* entries = new ThreadCachedMap<std::string, Entry>();
  return *entries;
}

void AppendHistogram(const char* name, const Histogram* h, bool histograms, bson::BsonBuilder* b) {
  b->StartDocument(name);
  if (histograms) {
    b->StartArray("histogram");
    int n = 0;
    for (int i = 0; h != nullptr && i < kMaxBuckets; ++i) {
      int64_t c = h->buckets[i].load(std::memory_order_relaxed);
      if (c == 0) continue;
      b->StartDocument(bson::IndexName(n++));
      b->AppendInt64("micros", kLowerBounds[i]);
      b->AppendInt64("count", c);
      b->End();
    }
    b->End();
  }
  b->AppendInt64("latency", h == nullptr ? 0 : h->sum.load(std::memory_order_relaxed));
  b->AppendInt64("ops", h == nullptr ? 0 : h->count.load(std::memory_order_relaxed));
  b->End();
}

}  // namespace

std::optional<LatencyKind> LatencyKindOf(std::string_view name, bool collection_level) {
  if (name == "find" || name == "getMore" || name == "count" || name == "distinct" ||
      name == "aggregate") {
    return LatencyKind::kRead;
  }
  if (name == "insert" || name == "update" || name == "delete" || name == "findAndModify" ||
      name == "findandmodify") {
    return LatencyKind::kWrite;
  }
  if (collection_level) return LatencyKind::kCommand;
  return std::nullopt;
}

std::string LatencyNamespace(std::string_view db, const bson::BsonView& body) {
  BsonElement first = body.FirstElement();
  BsonElement coll = first.field_name() == "getMore" ? body.Get("collection") : first;
  if (coll.type() != BsonType::kString || coll.String().empty()) return std::string();
  return std::string(db) + "." + std::string(coll.String());
}

void RecordLatency(const std::string& ns, LatencyKind kind, int64_t micros) {
  Entry* entry = Entries().GetCached(ns, [] { return std::make_shared<Entry>(); });
  Histogram& h = entry->kinds[static_cast<int>(kind)];
  h.sum.fetch_add(micros, std::memory_order_relaxed);
  h.count.fetch_add(1, std::memory_order_relaxed);
  h.buckets[Bucket(micros)].fetch_add(1, std::memory_order_relaxed);
}

void AppendLatencyStats(const std::string& ns, bool histograms, bson::BsonBuilder* b) {
  std::shared_ptr<Entry> e = Entries().Find(ns);
  b->StartDocument("latencyStats");
  AppendHistogram("reads", e ? &e->kinds[0] : nullptr, histograms, b);
  AppendHistogram("writes", e ? &e->kinds[1] : nullptr, histograms, b);
  AppendHistogram("commands", e ? &e->kinds[2] : nullptr, histograms, b);
  AppendHistogram("transactions", nullptr, histograms, b);
  b->End();
}

void ForgetLatencyStats(const std::string& ns) { Entries().Erase(ns); }

}  // namespace dds::commands
