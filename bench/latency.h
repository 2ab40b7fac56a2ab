#pragma once
// Latency samples and their summary (ops/s, p50, p99) for one benchmark case.

#include <cstdint>
#include <string>
#include <vector>

namespace dds::bench {

struct CaseResult {
  std::string name;
  int conns = 1;
  uint64_t ops = 0;          // operations completed (documents for batch cases)
  double seconds = 0;        // wall time of the measured phase
  double p50_us = 0;         // per request (per batch for batch cases)
  double p99_us = 0;
  std::string unit = "ops";  // what `ops` counts ("ops" or "docs")
  double OpsPerSecond() const { return seconds > 0 ? ops / seconds : 0; }
};

// Whether the case `name` is selected by `only`: comma-separated name prefixes (--only);
// empty selects every case.
bool CaseSelected(const std::string& only, const std::string& name);

// Merges per-thread latency samples (nanoseconds) and fills p50/p99 of `result`.
void SummarizeLatencies(std::vector<std::vector<uint32_t>>& per_thread, CaseResult* result);

}  // namespace dds::bench
