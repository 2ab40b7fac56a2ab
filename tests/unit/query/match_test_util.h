// Helpers for matcher tests: parse a filter from JSON and match documents given as JSON.
#pragma once

#include <string_view>

#include "bson/bson.h"
#include "query/match_parser.h"
#include "test_util.h"

namespace dds::query {

inline bool Matches(std::string_view filter, std::string_view doc) {
  auto parsed = ParseMatchExpression(bson::FromJson(filter));
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << " for " << filter;
  if (!parsed.ok()) return false;
  return parsed.value()->Matches(bson::FromJson(doc));
}

inline Status ParseStatus(std::string_view filter) {
  return ParseMatchExpression(bson::FromJson(filter)).status();
}

}  // namespace dds::query
