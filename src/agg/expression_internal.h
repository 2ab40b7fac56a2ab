// Shared helpers of the expression operator implementations (expression_*.cpp).
#pragma once

#include <string>
#include <vector>

#include "agg/expression.h"

namespace dds::agg {

// Evaluates every argument, then calls `fn`.
using EvalFn = Value (*)(const std::vector<Value>& args);

class FunctionExpression : public Expression {
 public:
  FunctionExpression(std::vector<ExprPtr> args, EvalFn fn) : args_(std::move(args)), fn_(fn) {}
  Value Evaluate(Variables* vars) const override {
    std::vector<Value> values;
    values.reserve(args_.size());
    for (const auto& a : args_) values.push_back(a->Evaluate(vars));
    return fn_(values);
  }

 private:
  std::vector<ExprPtr> args_;
  EvalFn fn_;
};

// Parses the operand as arguments and checks the count ([min, max]; max < 0 = unbounded), with
// mongod's 16020 message.
StatusWith<std::vector<ExprPtr>> ParseArgs(const bson::BsonElement& operand, ParseScope* scope,
                                           int min_args, int max_args);
// Parses a FunctionExpression.
StatusWith<ExprPtr> MakeFunction(const bson::BsonElement& operand, ParseScope* scope, int min_args,
                                 int max_args, EvalFn fn);

// Numeric helpers.
bool IsNumericValue(const Value& v);
// Returns the value as a double (REQUIRES numeric).
double ToDouble(const Value& v);
// Returns a number as a decimal: integers exactly, doubles by their exact binary value rounded
// to 34 digits (mongod's kRoundTo34Digits). REQUIRES numeric.
bson::Decimal128 ToDecimal(const Value& v);
// Returns int32 when it fits, else int64.
Value MakeInteger(int64_t v);

// Dates (expression_dates.cpp). Formats `ms` (UTC millis) shifted by `offset_minutes` with
// mongod's %-specifiers; 18536 on a bad specifier.
std::string FormatDate(int64_t ms, std::string_view format, int64_t offset_minutes);
// Parses ISO-8601 forms ("2021-03-04", "2021-03-04T05:06:07.123Z", "... +02:00", "... 05:06").
std::optional<int64_t> ParseIsoDate(std::string_view s);

}  // namespace dds::agg
