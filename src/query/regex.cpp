#include "query/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace dds::query {
namespace {

// One match-data block per thread, grown on demand.
pcre2_match_data* ThreadMatchData() {
  thread_local std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> data(
      pcre2_match_data_create(16, nullptr), &pcre2_match_data_free);
  return data.get();
}

}  // namespace

StatusWith<std::shared_ptr<const Regex>> Regex::Compile(std::string_view pattern,
                                                        std::string_view options) {
  uint32_t flags = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
  for (char c : options) {
    switch (c) {
      case 'i': flags |= PCRE2_CASELESS; break;
      case 'm': flags |= PCRE2_MULTILINE; break;
      case 's': flags |= PCRE2_DOTALL; break;
      case 'x': flags |= PCRE2_EXTENDED; break;
      case 'u': break;  // UTF is always on
      default:
        return Status(51108, std::string("invalid flag in regex options: ") + c);
    }
  }
  if (pattern.find('\0') != std::string_view::npos) {
    return Status(51091, "Regular expression is invalid: pattern contains a null byte");
  }
  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   flags, &error_code, &error_offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(error_code, buf, sizeof buf);
    return Status(51091, std::string("Regular expression is invalid: ") +
                             reinterpret_cast<const char*>(buf));
  }
  std::shared_ptr<Regex> re(new Regex());
  re->pattern_ = std::string(pattern);
  re->options_ = std::string(options);
  re->code_ = code;
  return std::shared_ptr<const Regex>(std::move(re));
}

Regex::~Regex() {
  if (code_ != nullptr) pcre2_code_free(static_cast<pcre2_code*>(code_));
}

bool Regex::Matches(std::string_view subject) const {
  int rc = pcre2_match(static_cast<pcre2_code*>(code_),
                       reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0,
                       ThreadMatchData(), nullptr);
  return rc >= 0;
}

bool Regex::Find(std::string_view subject, size_t from, size_t* start, size_t* end) const {
  pcre2_match_data* md = ThreadMatchData();
  int rc = pcre2_match(static_cast<pcre2_code*>(code_),
                       reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), from, 0, md,
                       nullptr);
  if (rc < 0) return false;
  PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
  *start = ov[0];
  *end = ov[1];
  return true;
}

}  // namespace dds::query
