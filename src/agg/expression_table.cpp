#include "agg/expression_table.h"

#include <algorithm>

#include "agg/expression_ops.h"

namespace dds::agg {
namespace {

// Sorted by name (bytewise); tests/unit/agg/table_test.cpp checks it.
constexpr ExpressionEntry kExpressions[] = {
    {"$abs", &ParseAbsExpr},
    {"$add", &ParseAddExpr},
    {"$and", &ParseAndExpr},
    {"$arrayElemAt", &ParseArrayElemAtExpr},
    {"$arrayToObject", &ParseArrayToObjectExpr},
    {"$ceil", &ParseCeilExpr},
    {"$cmp", &ParseCmpExpr},
    {"$concat", &ParseConcatExpr},
    {"$concatArrays", &ParseConcatArraysExpr},
    {"$cond", &ParseCondExpr},
    {"$convert", &ParseConvertExpr},
    {"$dateAdd", &ParseDateAddExpr},
    {"$dateDiff", &ParseDateDiffExpr},
    {"$dateFromParts", &ParseDateFromPartsExpr},
    {"$dateFromString", &ParseDateFromStringExpr},
    {"$dateSubtract", &ParseDateSubtractExpr},
    {"$dateToParts", &ParseDateToPartsExpr},
    {"$dateToString", &ParseDateToStringExpr},
    {"$dateTrunc", &ParseDateTruncExpr},
    {"$dayOfMonth", &ParseDayOfMonthExpr},
    {"$dayOfWeek", &ParseDayOfWeekExpr},
    {"$dayOfYear", &ParseDayOfYearExpr},
    {"$divide", &ParseDivideExpr},
    {"$eq", &ParseEqExpr},
    {"$exp", &ParseExpExpr},
    {"$filter", &ParseFilterExpr},
    {"$first", &ParseFirstExpr},
    {"$floor", &ParseFloorExpr},
    {"$getField", &ParseGetFieldExpr},
    {"$gt", &ParseGtExpr},
    {"$gte", &ParseGteExpr},
    {"$hour", &ParseHourExpr},
    {"$ifNull", &ParseIfNullExpr},
    {"$in", &ParseInExpr},
    {"$indexOfArray", &ParseIndexOfArrayExpr},
    {"$indexOfBytes", &ParseIndexOfBytesExpr},
    {"$indexOfCP", &ParseIndexOfCPExpr},
    {"$isArray", &ParseIsArrayExpr},
    {"$isNumber", &ParseIsNumberExpr},
    {"$isoDayOfWeek", &ParseIsoDayOfWeekExpr},
    {"$isoWeek", &ParseIsoWeekExpr},
    {"$isoWeekYear", &ParseIsoWeekYearExpr},
    {"$last", &ParseLastExpr},
    {"$let", &ParseLetExpr},
    {"$literal", &ParseLiteralExpr},
    {"$ln", &ParseLnExpr},
    {"$log", &ParseLogExpr},
    {"$log10", &ParseLog10Expr},
    {"$lt", &ParseLtExpr},
    {"$lte", &ParseLteExpr},
    {"$ltrim", &ParseLtrimExpr},
    {"$map", &ParseMapExpr},
    {"$mergeObjects", &ParseMergeObjectsExpr},
    {"$millisecond", &ParseMillisecondExpr},
    {"$minute", &ParseMinuteExpr},
    {"$mod", &ParseModExpr},
    {"$month", &ParseMonthExpr},
    {"$multiply", &ParseMultiplyExpr},
    {"$ne", &ParseNeExpr},
    {"$not", &ParseNotExpr},
    {"$objectToArray", &ParseObjectToArrayExpr},
    {"$or", &ParseOrExpr},
    {"$pow", &ParsePowExpr},
    {"$rand", &ParseRandExpr},
    {"$range", &ParseRangeExpr},
    {"$reduce", &ParseReduceExpr},
    {"$regexMatch", &ParseRegexMatchExpr},
    {"$reverseArray", &ParseReverseArrayExpr},
    {"$round", &ParseRoundExpr},
    {"$rtrim", &ParseRtrimExpr},
    {"$second", &ParseSecondExpr},
    {"$setUnion", &ParseSetUnionExpr},
    {"$size", &ParseSizeExpr},
    {"$slice", &ParseSliceExpr},
    {"$split", &ParseSplitExpr},
    {"$sqrt", &ParseSqrtExpr},
    {"$strLenBytes", &ParseStrLenBytesExpr},
    {"$strLenCP", &ParseStrLenCPExpr},
    {"$strcasecmp", &ParseStrcasecmpExpr},
    {"$substr", &ParseSubstrExpr},
    {"$substrBytes", &ParseSubstrBytesExpr},
    {"$substrCP", &ParseSubstrCPExpr},
    {"$subtract", &ParseSubtractExpr},
    {"$switch", &ParseSwitchExpr},
    {"$toBool", &ParseToBoolExpr},
    {"$toDate", &ParseToDateExpr},
    {"$toDouble", &ParseToDoubleExpr},
    {"$toInt", &ParseToIntExpr},
    {"$toLong", &ParseToLongExpr},
    {"$toLower", &ParseToLowerExpr},
    {"$toObjectId", &ParseToObjectIdExpr},
    {"$toString", &ParseToStringExpr},
    {"$toUpper", &ParseToUpperExpr},
    {"$trim", &ParseTrimExpr},
    {"$trunc", &ParseTruncExpr},
    {"$type", &ParseTypeExpr},
    {"$week", &ParseWeekExpr},
    {"$year", &ParseYearExpr},
};

}  // namespace

const ExpressionEntry* FindExpressionOperator(std::string_view name) {
  auto it = std::lower_bound(std::begin(kExpressions), std::end(kExpressions), name,
                             [](const ExpressionEntry& e, std::string_view n) { return e.name < n; });
  if (it == std::end(kExpressions) || it->name != name) return nullptr;
  return &*it;
}

std::span<const ExpressionEntry> AllExpressionOperators() { return kExpressions; }

}  // namespace dds::agg
