// The expression-operator table (STYLE §6): "$add" -> parse function. Sorted, unique, exact.
#pragma once

#include <span>
#include <string_view>

#include "agg/expression.h"

namespace dds::agg {

using ExpressionParser = StatusWith<ExprPtr> (*)(const bson::BsonElement& operand, ParseScope* scope);

struct ExpressionEntry {
  std::string_view name;
  ExpressionParser parse;
};

const ExpressionEntry* FindExpressionOperator(std::string_view name);
std::span<const ExpressionEntry> AllExpressionOperators();

}  // namespace dds::agg
