// Parse functions of the expression operators, referenced by agg/expression_table.cpp.
#pragma once

#include "agg/expression.h"

namespace dds::agg {

// Returns OK if `name` is a valid user variable name ($let, $map "as", ...).
Status ValidateUserVariableName(std::string_view name);

#define DDS_EXPR_PARSERS(X)                                                                      \
  X(Abs) X(Add) X(And) X(ArrayElemAt) X(ArrayToObject) X(Ceil) X(Cmp) X(Concat) X(ConcatArrays)  \
  X(Cond) X(Convert) X(DateToString) X(DayOfMonth) X(DayOfWeek) X(DayOfYear) X(Divide) X(Eq)     \
  X(Exp) X(Filter) X(First) X(Floor) X(Gt) X(Gte) X(Hour) X(IfNull) X(In) X(IndexOfArray)        \
  X(IndexOfBytes) X(IndexOfCP) X(IsArray) X(IsNumber) X(Last) X(Let) X(Literal) X(Ln) X(Log)      \
  X(Log10) X(Lt) X(Lte) X(Ltrim) X(Map) X(MergeObjects) X(Millisecond) X(Minute) X(Mod) X(Month) \
  X(Multiply) X(Ne) X(Not) X(ObjectToArray) X(Or) X(Pow) X(Range) X(Reduce) X(RegexMatch)        \
  X(ReverseArray) X(Round) X(Rtrim) X(Second) X(SetUnion) X(Size) X(Slice) X(Split) X(Sqrt)      \
  X(Strcasecmp) X(StrLenBytes) X(StrLenCP) X(Substr) X(SubstrBytes) X(SubstrCP) X(Subtract)      \
  X(Switch) X(ToBool) X(ToDate) X(ToDouble) X(ToInt) X(ToLong) X(ToLower) X(ToObjectId)          \
  X(ToString) X(ToUpper) X(Trim) X(Trunc) X(Type) X(Year) X(GetField) X(Rand) X(DateFromString) X(IsoWeek) X(Week) X(IsoDayOfWeek) X(IsoWeekYear) X(DateToParts) X(DateFromParts) X(DateAdd) X(DateSubtract) X(DateDiff) X(DateTrunc) X(SetIntersection) X(SetDifference) X(SetEquals) X(SetIsSubset) X(AllElementsTrue) X(AnyElementTrue) X(ToDecimal) X(BsonSize) X(BinarySize) X(TsSecond) X(TsIncrement) X(RegexFind) X(RegexFindAll) X(ReplaceOne) X(ReplaceAll) X(SortArray) X(FirstN) X(LastN) X(MaxN) X(MinN) X(Zip) X(SetField) X(UnsetField) X(Meta) \
  X(Avg) X(Max) X(Min) X(Sum) X(StdDevPop) X(StdDevSamp)

#define DDS_DECLARE_EXPR_PARSER(Name) \
  StatusWith<ExprPtr> Parse##Name##Expr(const bson::BsonElement& operand, ParseScope* scope);
DDS_EXPR_PARSERS(DDS_DECLARE_EXPR_PARSER)
#undef DDS_DECLARE_EXPR_PARSER

}  // namespace dds::agg
