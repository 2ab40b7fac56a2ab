// The match-operator table (STYLE §6): every query operator name with its parse function and
// whether it is accepted at the top level of a filter or under a field. Sorted, unique, exact
// (case-sensitive) lookup. Adding an operator = one entry here + one parse function.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "bson/document.h"
#include "common/status.h"
#include "query/match_expression.h"
#include "query/match_parser.h"

namespace dds::query {

struct MatchParseContext {
  const MatchParseOptions& options;
  int depth = 0;
  // Inside an $elemMatch document: $expr, $where and $text "can only be applied to the top-level
  // document" (mongod's DocumentParseLevel::kUserSubDocument).
  bool sub_document = false;
};

// What a parse function receives.
struct MatchOperatorArgs {
  // The field path for field-level operators ("" at top level and inside $elemMatch values).
  std::string_view path;
  // The operator's element ({$gt: 5} -> the element "$gt": 5).
  bson::BsonElement operand;
  // The whole operator object the operand sits in (siblings such as $options).
  bson::BsonView siblings;
  const MatchParseContext& ctx;
};

// Returns the node, or nullptr when the operator contributes nothing ($comment, $options).
using MatchOperatorParser =
    StatusWith<std::unique_ptr<MatchExpression>> (*)(const MatchOperatorArgs& args);

enum MatchOperatorFlags : uint32_t {
  kMatchTopLevel = 1 << 0,    // {$op: ...} at the top of a filter
  kMatchFieldLevel = 1 << 1,  // {field: {$op: ...}}
};

struct MatchOperatorEntry {
  std::string_view name;
  MatchOperatorParser parse;
  uint32_t flags;
};

// Returns the entry for `name` (exact), or nullptr.
const MatchOperatorEntry* FindMatchOperator(std::string_view name);
// Returns the whole table (sorted by name, unique).
std::span<const MatchOperatorEntry> AllMatchOperators();

}  // namespace dds::query
