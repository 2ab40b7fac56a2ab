#include "query/path.h"

namespace dds::query {

bool IsAllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

FieldPath::FieldPath(std::string dotted) : dotted_(std::move(dotted)) {
  if (dotted_.empty()) return;
  size_t start = 0;
  while (true) {
    size_t dot = dotted_.find('.', start);
    size_t end = dot == std::string::npos ? dotted_.size() : dot;
    parts_.emplace_back(static_cast<uint32_t>(start), static_cast<uint32_t>(end - start));
    numeric_.push_back(IsAllDigits(std::string_view(dotted_).substr(start, end - start)));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
}

}  // namespace dds::query
