// Regex: a compiled PCRE2 regular expression with MongoDB's options (i m s x u), as mongod uses
// PCRE2 since 6.1. Compiled once, matched from any thread (match data is thread-local, so a match
// allocates nothing after the first use on a thread).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace dds::query {

class Regex {
 public:
  // Errors: 51108 "invalid flag in regex options: z"; 51091 "Regular expression is invalid: ...".
  static StatusWith<std::shared_ptr<const Regex>> Compile(std::string_view pattern,
                                                          std::string_view options);
  ~Regex();
  bool Matches(std::string_view subject) const;
  // Returns the byte offsets [start, end) of the first match at or after `from`, or false.
  bool Find(std::string_view subject, size_t from, size_t* start, size_t* end) const;
  const std::string& pattern() const { return pattern_; }
  const std::string& options() const { return options_; }

 private:
  Regex() = default;
  std::string pattern_;
  std::string options_;
  void* code_ = nullptr;  // pcre2_code_8*
};

}  // namespace dds::query
