// Shared pieces of the filter parser: the recursive entry points used by operator parse functions
// ($and, $not, $elemMatch, $all) and the declarations of every parse function in the table.
#pragma once

#include <memory>
#include <vector>

#include "query/match_nodes.h"
#include "query/match_operator_table.h"

namespace dds::query {

using MatchNodePtr = std::unique_ptr<MatchExpression>;

// Parses a whole filter document into an $and node (possibly with zero or one child).
StatusWith<std::unique_ptr<ListMatch>> ParseFilterInto(const bson::BsonView& filter,
                                                       const MatchParseContext& ctx);
// Parses the operators of `{path: {$op: ..., ...}}` and appends their nodes to `out`.
Status ParseFieldOperators(std::string_view path, const bson::BsonView& ops,
                           const MatchParseContext& ctx, std::vector<MatchNodePtr>* out);
// Parses `{path: value}` (equality, regex, or operator object) and appends to `out`.
Status ParseFieldPredicate(std::string_view path, const bson::BsonElement& value,
                           const MatchParseContext& ctx, std::vector<MatchNodePtr>* out);
// Returns true if `e` is an object whose first field is an operator (not a DBRef field).
bool IsExpressionDocument(const bson::BsonElement& e);

// Parse functions (match_operators.cpp, match_parser.cpp).
StatusWith<MatchNodePtr> ParseAll(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseAlwaysFalse(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseAlwaysTrue(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseAnd(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseBitsAllClear(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseBitsAllSet(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseBitsAnyClear(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseBitsAnySet(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseComment(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseElemMatch(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseEq(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseExists(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseExpr(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseGeoNear(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseGeoUnsupported(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseGt(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseGte(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseIn(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseJsonSchema(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseLt(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseLte(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseMod(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseNe(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseNin(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseNor(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseNot(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseOptions(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseOr(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseRegex(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseSampleRate(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseSize(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseText(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseType(const MatchOperatorArgs& a);
StatusWith<MatchNodePtr> ParseWhere(const MatchOperatorArgs& a);

// Helpers shared with update/projection: compiles a BSON regex element or $regex/$options.
StatusWith<std::shared_ptr<const Regex>> CompileRegexElement(const bson::BsonElement& e);

}  // namespace dds::query
