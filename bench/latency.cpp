#include "latency.h"

#include <algorithm>

namespace dds::bench {

bool CaseSelected(const std::string& only, const std::string& name) {
  if (only.empty()) return true;
  size_t start = 0;
  while (start <= only.size()) {
    size_t end = only.find(',', start);
    if (end == std::string::npos) end = only.size();
    std::string item = only.substr(start, end - start);
    if (!item.empty() && name.rfind(item, 0) == 0) return true;
    start = end + 1;
  }
  return false;
}

void SummarizeLatencies(std::vector<std::vector<uint32_t>>& per_thread, CaseResult* result) {
  std::vector<uint32_t> all;
  for (auto& v : per_thread) all.insert(all.end(), v.begin(), v.end());
  if (all.empty()) return;
  auto pct = [&](double p) {
    size_t k = std::min(all.size() - 1, static_cast<size_t>(p * (all.size() - 1) + 0.5));
    std::nth_element(all.begin(), all.begin() + k, all.end());
    return all[k] / 1000.0;
  };
  result->p50_us = pct(0.50);
  result->p99_us = pct(0.99);
}

}  // namespace dds::bench
