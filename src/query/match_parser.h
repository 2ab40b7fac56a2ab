// ParseMatchExpression: turns a find filter into a MatchExpression tree, with MongoDB's errors
// (compat §3.1): 2 "unknown top level operator: $foo", 2 "unknown operator: $foo", ...
// Operators are looked up in match_operator_table.cpp. Stateless and thread-safe.
#pragma once

#include <memory>

#include "bson/document.h"
#include "common/status.h"
#include "query/match_expression.h"

namespace dds::query {

struct MatchParseOptions {
  // `let` variables visible to $expr. Default: none.
  bson::BsonView let_vars;
  // Whether $expr is allowed. Default: true.
  bool allow_expr = true;
  // Whether $text / $where / geo near are allowed (they answer clear errors anyway). Default: true.
  bool allow_text = true;
};

// Parses `filter`. The returned tree does not reference `filter`'s buffer.
StatusWith<std::unique_ptr<MatchExpression>> ParseMatchExpression(
    const bson::BsonView& filter, const MatchParseOptions& options = {});

}  // namespace dds::query
