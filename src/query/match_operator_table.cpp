#include "query/match_operator_table.h"

#include <algorithm>

#include "query/match_parser_internal.h"

namespace dds::query {
namespace {

constexpr uint32_t kTop = kMatchTopLevel;
constexpr uint32_t kField = kMatchFieldLevel;

// Sorted by name (bytewise); tests/unit/query/match_operator_table_test.cpp checks it.
constexpr MatchOperatorEntry kMatchOperators[] = {
    {"$all", &ParseAll, kField},
    {"$alwaysFalse", &ParseAlwaysFalse, kTop},
    {"$alwaysTrue", &ParseAlwaysTrue, kTop},
    {"$and", &ParseAnd, kTop},
    {"$bitsAllClear", &ParseBitsAllClear, kField},
    {"$bitsAllSet", &ParseBitsAllSet, kField},
    {"$bitsAnyClear", &ParseBitsAnyClear, kField},
    {"$bitsAnySet", &ParseBitsAnySet, kField},
    {"$comment", &ParseComment, kTop},
    {"$elemMatch", &ParseElemMatch, kField},
    {"$eq", &ParseEq, kField},
    {"$exists", &ParseExists, kField},
    {"$expr", &ParseExpr, kTop},
    {"$geoIntersects", &ParseGeoUnsupported, kField},
    {"$geoWithin", &ParseGeoUnsupported, kField},
    {"$gt", &ParseGt, kField},
    {"$gte", &ParseGte, kField},
    {"$in", &ParseIn, kField},
    {"$jsonSchema", &ParseJsonSchema, kTop},
    {"$lt", &ParseLt, kField},
    {"$lte", &ParseLte, kField},
    {"$mod", &ParseMod, kField},
    {"$ne", &ParseNe, kField},
    {"$near", &ParseGeoNear, kField},
    {"$nearSphere", &ParseGeoNear, kField},
    {"$nin", &ParseNin, kField},
    {"$nor", &ParseNor, kTop},
    {"$not", &ParseNot, kField},
    {"$options", &ParseOptions, kField},
    {"$or", &ParseOr, kTop},
    {"$regex", &ParseRegex, kField},
    {"$sampleRate", &ParseSampleRate, kTop},
    {"$size", &ParseSize, kField},
    {"$text", &ParseText, kTop},
    {"$type", &ParseType, kField},
    {"$where", &ParseWhere, kTop},
};

}  // namespace

const MatchOperatorEntry* FindMatchOperator(std::string_view name) {
  auto it = std::lower_bound(std::begin(kMatchOperators), std::end(kMatchOperators), name,
                             [](const MatchOperatorEntry& e, std::string_view n) { return e.name < n; });
  if (it == std::end(kMatchOperators) || it->name != name) return nullptr;
  return &*it;
}

std::span<const MatchOperatorEntry> AllMatchOperators() { return kMatchOperators; }

}  // namespace dds::query
