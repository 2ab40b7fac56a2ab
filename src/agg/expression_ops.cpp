// Expression operators: arithmetic, comparison, boolean, conditional, literal and variables.
#include <cmath>

#include "agg/expression_internal.h"
#include "agg/expression_ops.h"

namespace dds::agg {

using bson::BsonElement;
using bson::BsonType;

StatusWith<std::vector<ExprPtr>> ParseArgs(const BsonElement& operand, ParseScope* scope,
                                           int min_args, int max_args) {
  DDS_ASSIGN_OR_RETURN(std::vector<ExprPtr> args, ParseArguments(operand, scope));
  int n = static_cast<int>(args.size());
  std::string name(operand.field_name());
  if (min_args == max_args && n != min_args) {
    return Status(16020, "Expression " + name + " takes exactly " + std::to_string(min_args) +
                             " arguments. " + std::to_string(n) + " were passed in.");
  }
  if (n < min_args) {
    return Status(16020, "Expression " + name + " takes at least " + std::to_string(min_args) +
                             " arguments, but " + std::to_string(n) + " were passed in.");
  }
  if (max_args >= 0 && n > max_args) {
    return Status(16020, "Expression " + name + " takes at most " + std::to_string(max_args) +
                             " arguments, but " + std::to_string(n) + " were passed in.");
  }
  return args;
}

StatusWith<ExprPtr> MakeFunction(const BsonElement& operand, ParseScope* scope, int min_args,
                                 int max_args, EvalFn fn) {
  DDS_ASSIGN_OR_RETURN(std::vector<ExprPtr> args, ParseArgs(operand, scope, min_args, max_args));
  return ExprPtr(std::make_shared<FunctionExpression>(std::move(args), fn));
}

bool IsNumericValue(const Value& v) { return v.IsNumber(); }
double ToDouble(const Value& v) { return v.element().NumberDouble(); }
bson::Decimal128 ToDecimal(const Value& v) {
  switch (v.type()) {
    case BsonType::kDecimal128: return v.element().Decimal();
    case BsonType::kDouble: return bson::Decimal128::FromDoubleExact(v.element().Double());
    default: return bson::Decimal128::FromInt64(*v.element().ExactInt64());
  }
}
Value MakeInteger(int64_t v) {
  if (v >= INT32_MIN && v <= INT32_MAX) return Value::Int32(static_cast<int32_t>(v));
  return Value::Int64(v);
}

namespace {

// Numeric accumulation with mongod's type widening int32 -> int64 -> double -> decimal. Once a
// decimal joins, the total is exact decimal128 arithmetic (doubles join with their exact binary
// value rounded to 34 digits, as mongod's kRoundTo34Digits).
struct NumberAcc {
  enum Kind { kInt, kLong, kDouble, kDecimal } kind = kInt;
  int64_t l = 0;
  double d = 0;
  bson::Decimal128 dec;

  void Widen(Kind k) {
    if (k <= kind) return;
    if (k == kDecimal) {
      dec = kind <= kLong ? bson::Decimal128::FromInt64(l) : bson::Decimal128::FromDoubleExact(d);
    } else if (kind <= kLong && k >= kDouble) {
      d = static_cast<double>(l);
    }
    kind = k;
  }
  static Kind KindOf(const Value& v) {
    switch (v.type()) {
      case BsonType::kInt32: return kInt;
      case BsonType::kInt64: return kLong;
      case BsonType::kDouble: return kDouble;
      default: return kDecimal;
    }
  }
  void Add(const Value& v) {
    Widen(KindOf(v));
    if (kind == kDecimal) {
      dec = dec.Add(ToDecimal(v));
    } else if (kind <= kLong) {
      int64_t x = *v.element().ExactInt64();
      int64_t r;
      if (__builtin_add_overflow(l, x, &r)) {
        Widen(kDouble);
        d += static_cast<double>(x);
      } else {
        l = r;
        if (kind == kInt && (r < INT32_MIN || r > INT32_MAX)) kind = kLong;
      }
    } else {
      d += ToDouble(v);
    }
  }
  void Multiply(const Value& v) {
    Widen(KindOf(v));
    if (kind == kDecimal) {
      dec = dec.Multiply(ToDecimal(v));
    } else if (kind <= kLong) {
      int64_t x = *v.element().ExactInt64();
      int64_t r;
      if (__builtin_mul_overflow(l, x, &r)) {
        Widen(kDouble);
        d *= static_cast<double>(x);
      } else {
        l = r;
        if (kind == kInt && (r < INT32_MIN || r > INT32_MAX)) kind = kLong;
      }
    } else {
      d *= ToDouble(v);
    }
  }
  Value Result() const {
    switch (kind) {
      case kInt: return MakeInteger(l);
      case kLong: return Value::Int64(l);
      case kDouble: return Value::Double(d);
      default: return Value::Decimal(dec);
    }
  }
};

Value EvalAdd(const std::vector<Value>& args) {
  NumberAcc acc;
  bool has_date = false;
  int64_t date_ms = 0;
  double date_offset = 0;
  for (const Value& v : args) {
    if (v.nullish()) return Value::Null();
    if (v.type() == BsonType::kDate) {
      if (has_date) ThrowDb(16612, "only one date allowed in an $add expression");
      has_date = true;
      date_ms = v.element().Date();
      continue;
    }
    if (!v.IsNumber()) {
      ThrowDb(16554, "$add only supports numeric or date types, not " + v.TypeName());
    }
    acc.Add(v);
    date_offset += ToDouble(v);
  }
  if (has_date) return Value::Date(date_ms + static_cast<int64_t>(std::llround(date_offset)));
  return acc.Result();
}

Value EvalSubtract(const std::vector<Value>& args) {
  const Value& a = args[0];
  const Value& b = args[1];
  if (a.nullish() || b.nullish()) return Value::Null();
  if (a.type() == BsonType::kDate) {
    if (b.type() == BsonType::kDate) return Value::Int64(a.element().Date() - b.element().Date());
    if (b.IsNumber()) return Value::Date(a.element().Date() - std::llround(ToDouble(b)));
    ThrowDb(16613, "cant $subtract a " + b.TypeName() + " from a Date");
  }
  if (!a.IsNumber() || !b.IsNumber()) {
    ThrowDb(16556, "cant $subtract a " + b.TypeName() + " from a " + a.TypeName());
  }
  if (a.type() == BsonType::kDecimal128 || b.type() == BsonType::kDecimal128) {
    return Value::Decimal(ToDecimal(a).Subtract(ToDecimal(b)));
  }
  NumberAcc acc;
  acc.Add(a);
  NumberAcc::Kind kb = NumberAcc::KindOf(b);
  acc.Widen(kb);
  if (acc.kind <= NumberAcc::kLong) {
    int64_t r;
    if (__builtin_sub_overflow(acc.l, *b.element().ExactInt64(), &r)) {
      return Value::Double(static_cast<double>(acc.l) - ToDouble(b));
    }
    return acc.kind == NumberAcc::kInt ? MakeInteger(r) : Value::Int64(r);
  }
  acc.d -= ToDouble(b);
  return acc.Result();
}

Value EvalMultiply(const std::vector<Value>& args) {
  NumberAcc acc;
  acc.l = 1;
  for (const Value& v : args) {
    if (v.nullish()) return Value::Null();
    if (!v.IsNumber()) ThrowDb(16555, "$multiply only supports numeric types, not " + v.TypeName());
    acc.Multiply(v);
  }
  return acc.Result();
}

Value EvalDivide(const std::vector<Value>& args) {
  const Value& a = args[0];
  const Value& b = args[1];
  if (a.nullish() || b.nullish()) return Value::Null();
  if (!a.IsNumber() || !b.IsNumber()) {
    ThrowDb(16609, "$divide only supports numeric types, not " + a.TypeName() + " and " + b.TypeName());
  }
  double denom = ToDouble(b);
  if (denom == 0) ThrowDb(16608, "can't $divide by zero");
  if (a.type() == BsonType::kDecimal128 || b.type() == BsonType::kDecimal128) {
    return Value::Decimal(ToDecimal(a).Divide(ToDecimal(b)));
  }
  return Value::Double(ToDouble(a) / denom);
}

Value EvalMod(const std::vector<Value>& args) {
  const Value& a = args[0];
  const Value& b = args[1];
  if (a.nullish() || b.nullish()) return Value::Null();
  if (!a.IsNumber() || !b.IsNumber()) {
    ThrowDb(16611, "$mod only supports numeric types, not " + a.TypeName() + " and " + b.TypeName());
  }
  NumberAcc::Kind k = std::max(NumberAcc::KindOf(a), NumberAcc::KindOf(b));
  if (k <= NumberAcc::kLong) {
    int64_t y = *b.element().ExactInt64();
    if (y == 0) ThrowDb(16610, "can't $mod by zero");
    int64_t x = *a.element().ExactInt64();
    int64_t r = y == -1 ? 0 : x % y;
    return k == NumberAcc::kInt ? Value::Int32(static_cast<int32_t>(r)) : Value::Int64(r);
  }
  double y = ToDouble(b);
  if (y == 0) ThrowDb(16610, "can't $mod by zero");
  double r = std::fmod(ToDouble(a), y);
  if (k == NumberAcc::kDecimal) return Value::Decimal(bson::Decimal128::FromDouble(r));
  return Value::Double(r);
}

// Rounds `a` to a multiple of 10^-place: exactly for decimals; doubles go through their exact
// decimal value and back (as mongod does, so 2.675 rounds to 2.67: it is 2.67499999...);
// integers keep their type.
Value RoundNumber(const Value& a, int64_t place, bson::Decimal128::Rounding rounding) {
  int exponent = static_cast<int>(-place);
  switch (a.type()) {
    case BsonType::kInt32:
    case BsonType::kInt64: {
      if (place >= 0) return a;
      bson::Decimal128 r =
          bson::Decimal128::FromInt64(*a.element().ExactInt64()).RoundToExponent(exponent, rounding);
      double v = r.ToDouble();
      if (v > 9.2e18 || v < -9.2e18) return Value::Double(v);
      int64_t n = static_cast<int64_t>(v);
      return a.type() == BsonType::kInt32 ? MakeInteger(n) : Value::Int64(n);
    }
    case BsonType::kDouble: {
      double x = a.element().Double();
      if (!std::isfinite(x)) return a;
      bson::Decimal128 exact = bson::Decimal128::FromDoubleExact(x);
      unsigned __int128 coefficient;
      int current;
      exact.Decompose(&coefficient, &current);
      if (current >= exponent) return a;  // already a multiple of 10^-place
      return Value::Double(exact.RoundToExponent(exponent, rounding).ToDouble());
    }
    default: return Value::Decimal(a.element().Decimal().RoundToExponent(exponent, rounding));
  }
}

// $round and $trunc take an optional place in [-20, 100]; $ceil and $floor take none.
template <bson::Decimal128::Rounding kRounding>
Value EvalRoundToPlace(const std::vector<Value>& args) {
  const Value& a = args[0];
  bool is_round = kRounding == bson::Decimal128::Rounding::kHalfEven;
  if (a.nullish()) return Value::Null();
  std::string name = is_round ? "$round" : "$trunc";
  if (!a.IsNumber()) ThrowDb(51081, name + " only supports numeric types, not " + a.TypeName());
  int64_t place = 0;
  if (args.size() > 1) {
    if (args[1].nullish()) return Value::Null();
    std::optional<int64_t> p = args[1].element().ExactInt64();
    if (!args[1].IsNumber() || !p) {
      ThrowDb(51082, "precision argument to  " + name + " must be a integral value");
    }
    if (*p < -20 || *p > 100) {
      ThrowDb(51083, "cannot apply " + name + " with precision value " + std::to_string(*p) +
                         " value must be in [-20, 100]");
    }
    place = *p;
  }
  return RoundNumber(a, place, kRounding);
}

template <bson::Decimal128::Rounding kRounding>
Value EvalIntegral(const std::vector<Value>& args) {
  const Value& a = args[0];
  if (a.nullish()) return Value::Null();
  if (!a.IsNumber()) ThrowDb(28765, "argument must be numeric, not " + a.TypeName());
  return RoundNumber(a, 0, kRounding);
}

Value EvalAbs(const std::vector<Value>& args) {
  const Value& a = args[0];
  if (a.nullish()) return Value::Null();
  if (!a.IsNumber()) ThrowDb(28765, "$abs only supports numeric types, not " + a.TypeName());
  switch (a.type()) {
    case BsonType::kInt32: return MakeInteger(std::llabs(static_cast<int64_t>(a.element().Int32())));
    case BsonType::kInt64: {
      int64_t v = a.element().Int64();
      if (v == INT64_MIN) ThrowDb(28680, "can't take $abs of long long min");
      return Value::Int64(v < 0 ? -v : v);
    }
    case BsonType::kDouble: return Value::Double(std::fabs(a.element().Double()));
    default: return Value::Decimal(a.element().Decimal().Abs());
  }
}

template <double (*F)(double), int kCode>
Value EvalMath(const std::vector<Value>& args) {
  const Value& a = args[0];
  if (a.nullish()) return Value::Null();
  if (!a.IsNumber()) ThrowDb(kCode, "argument must be numeric, not " + a.TypeName());
  return Value::Double(F(ToDouble(a)));
}

double Sqrt(double x) {
  if (x < 0) ThrowDb(28714, "$sqrt's argument must be greater than or equal to 0");
  return std::sqrt(x);
}
double Ln(double x) {
  if (x <= 0) ThrowDb(28766, "$ln's argument must be a positive number, but is " + std::to_string(x));
  return std::log(x);
}
double Log10(double x) {
  if (x <= 0) ThrowDb(28761, "$log10's argument must be a positive number, but is " + std::to_string(x));
  return std::log10(x);
}
double Exp(double x) { return std::exp(x); }

Value EvalPow(const std::vector<Value>& args) {
  if (args[0].nullish() || args[1].nullish()) return Value::Null();
  if (!args[0].IsNumber()) ThrowDb(28762, "$pow's base must be numeric, not " + args[0].TypeName());
  if (!args[1].IsNumber()) ThrowDb(28763, "$pow's exponent must be numeric, not " + args[1].TypeName());
  double r = std::pow(ToDouble(args[0]), ToDouble(args[1]));
  bool ints = args[0].type() != BsonType::kDouble && args[1].type() != BsonType::kDouble &&
              args[0].type() != BsonType::kDecimal128 && args[1].type() != BsonType::kDecimal128;
  if (ints && ToDouble(args[1]) >= 0 && std::fabs(r) < 9.2e18) {
    if (args[0].type() == BsonType::kInt64 || args[1].type() == BsonType::kInt64) {
      return Value::Int64(static_cast<int64_t>(r));
    }
    return MakeInteger(static_cast<int64_t>(r));
  }
  if (ints && ToDouble(args[0]) == 0 && ToDouble(args[1]) < 0) {
    ThrowDb(28764, "$pow cannot take a base of 0 and a negative exponent");
  }
  return Value::Double(r);
}

Value EvalLog(const std::vector<Value>& args) {
  if (args[0].nullish() || args[1].nullish()) return Value::Null();
  if (!args[0].IsNumber()) ThrowDb(28756, "$log's argument must be numeric, not " + args[0].TypeName());
  if (!args[1].IsNumber()) ThrowDb(28757, "$log's base must be numeric, not " + args[1].TypeName());
  double x = ToDouble(args[0]), base = ToDouble(args[1]);
  if (x <= 0) ThrowDb(28758, "$log's argument must be a positive number");
  if (base <= 0 || base == 1) ThrowDb(28759, "$log's base must be a positive number not equal to 1");
  return Value::Double(std::log(x) / std::log(base));
}

template <int kOp>
Value EvalCompare(const std::vector<Value>& args) {
  int c = CompareValues(args[0], args[1]);
  switch (kOp) {
    case 0: return Value::Bool(c == 0);
    case 1: return Value::Bool(c != 0);
    case 2: return Value::Bool(c > 0);
    case 3: return Value::Bool(c >= 0);
    case 4: return Value::Bool(c < 0);
    case 5: return Value::Bool(c <= 0);
    default: return Value::Int32(c < 0 ? -1 : (c > 0 ? 1 : 0));
  }
}

Value EvalNot(const std::vector<Value>& args) { return Value::Bool(!args[0].TrueValue()); }

// $and / $or short-circuit, so they evaluate lazily.
class LogicalExpression : public Expression {
 public:
  LogicalExpression(std::vector<ExprPtr> args, bool is_and) : args_(std::move(args)), and_(is_and) {}
  Value Evaluate(Variables* vars) const override {
    for (const auto& a : args_) {
      bool t = a->Evaluate(vars).TrueValue();
      if (and_ && !t) return Value::Bool(false);
      if (!and_ && t) return Value::Bool(true);
    }
    return Value::Bool(and_);
  }

 private:
  std::vector<ExprPtr> args_;
  bool and_;
};

class CondExpression : public Expression {
 public:
  CondExpression(ExprPtr i, ExprPtr t, ExprPtr e) : if_(std::move(i)), then_(std::move(t)), else_(std::move(e)) {}
  Value Evaluate(Variables* vars) const override {
    return if_->Evaluate(vars).TrueValue() ? then_->Evaluate(vars) : else_->Evaluate(vars);
  }

 private:
  ExprPtr if_, then_, else_;
};

class IfNullExpression : public Expression {
 public:
  explicit IfNullExpression(std::vector<ExprPtr> args) : args_(std::move(args)) {}
  Value Evaluate(Variables* vars) const override {
    for (size_t i = 0; i + 1 < args_.size(); ++i) {
      Value v = args_[i]->Evaluate(vars);
      if (!v.nullish()) return v;
    }
    return args_.back()->Evaluate(vars);
  }

 private:
  std::vector<ExprPtr> args_;
};

class SwitchExpression : public Expression {
 public:
  std::vector<std::pair<ExprPtr, ExprPtr>> branches;
  ExprPtr default_expr;
  Value Evaluate(Variables* vars) const override {
    for (const auto& [c, v] : branches) {
      if (c->Evaluate(vars).TrueValue()) return v->Evaluate(vars);
    }
    if (!default_expr) {
      ThrowDb(40066, "$switch could not find a matching branch for an input, and no default was specified.");
    }
    return default_expr->Evaluate(vars);
  }
};

class LetExpression : public Expression {
 public:
  std::vector<std::pair<std::string, ExprPtr>> vars;
  ExprPtr in;
  Value Evaluate(Variables* v) const override {
    std::vector<Value> values;
    for (const auto& [name, e] : vars) values.push_back(e->Evaluate(v));
    for (size_t i = 0; i < vars.size(); ++i) v->Push(vars[i].first, std::move(values[i]));
    Value r;
    try {
      r = in->Evaluate(v);
    } catch (...) {
      for (size_t i = 0; i < vars.size(); ++i) v->Pop();
      throw;
    }
    for (size_t i = 0; i < vars.size(); ++i) v->Pop();
    return r;
  }
};

}  // namespace

Status ValidateUserVariableName(std::string_view name) {
  if (name.empty()) return Status(ErrorCode::kFailedToParse, "empty variable names are not allowed");
  unsigned char c = static_cast<unsigned char>(name[0]);
  if (!((c >= 'a' && c <= 'z') || c >= 0x80)) {
    return Status(ErrorCode::kFailedToParse,
                  "'" + std::string(name) + "' starts with an invalid character for a user variable name");
  }
  for (char ch : name) {
    unsigned char u = static_cast<unsigned char>(ch);
    if (!(std::isalnum(u) || u == '_' || u >= 0x80)) {
      return Status(ErrorCode::kFailedToParse,
                    "'" + std::string(name) + "' contains an invalid character for a variable name: '" +
                        std::string(1, ch) + "'");
    }
  }
  return Status::OK();
}

StatusWith<ExprPtr> ParseAddExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 0, -1, &EvalAdd); }
StatusWith<ExprPtr> ParseSubtractExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, 2, &EvalSubtract); }
StatusWith<ExprPtr> ParseMultiplyExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 0, -1, &EvalMultiply); }
StatusWith<ExprPtr> ParseDivideExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, 2, &EvalDivide); }
StatusWith<ExprPtr> ParseModExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, 2, &EvalMod); }
StatusWith<ExprPtr> ParseAbsExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalAbs); }
StatusWith<ExprPtr> ParseCeilExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalIntegral<bson::Decimal128::Rounding::kCeiling>); }
StatusWith<ExprPtr> ParseFloorExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalIntegral<bson::Decimal128::Rounding::kFloor>); }
StatusWith<ExprPtr> ParseTruncExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 2, &EvalRoundToPlace<bson::Decimal128::Rounding::kTowardZero>); }
StatusWith<ExprPtr> ParseRoundExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 2, &EvalRoundToPlace<bson::Decimal128::Rounding::kHalfEven>); }
StatusWith<ExprPtr> ParseSqrtExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalMath<Sqrt, 28765>); }
StatusWith<ExprPtr> ParseExpExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalMath<Exp, 28765>); }
StatusWith<ExprPtr> ParseLnExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalMath<Ln, 28765>); }
StatusWith<ExprPtr> ParseLog10Expr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalMath<Log10, 28765>); }
StatusWith<ExprPtr> ParseLogExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, 2, &EvalLog); }
StatusWith<ExprPtr> ParsePowExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, 2, &EvalPow); }
StatusWith<ExprPtr> ParseEqExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, 2, &EvalCompare<0>); }
StatusWith<ExprPtr> ParseNeExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, 2, &EvalCompare<1>); }
StatusWith<ExprPtr> ParseGtExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, 2, &EvalCompare<2>); }
StatusWith<ExprPtr> ParseGteExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, 2, &EvalCompare<3>); }
StatusWith<ExprPtr> ParseLtExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, 2, &EvalCompare<4>); }
StatusWith<ExprPtr> ParseLteExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, 2, &EvalCompare<5>); }
StatusWith<ExprPtr> ParseCmpExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, 2, &EvalCompare<6>); }
StatusWith<ExprPtr> ParseNotExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalNot); }

StatusWith<ExprPtr> ParseAndExpr(const BsonElement& o, ParseScope* s) {
  DDS_ASSIGN_OR_RETURN(std::vector<ExprPtr> args, ParseArguments(o, s));
  return ExprPtr(std::make_shared<LogicalExpression>(std::move(args), true));
}
StatusWith<ExprPtr> ParseOrExpr(const BsonElement& o, ParseScope* s) {
  DDS_ASSIGN_OR_RETURN(std::vector<ExprPtr> args, ParseArguments(o, s));
  return ExprPtr(std::make_shared<LogicalExpression>(std::move(args), false));
}

StatusWith<ExprPtr> ParseLiteralExpr(const BsonElement& o, ParseScope*) {
  return MakeConstant(Value::FromElement(o));
}

StatusWith<ExprPtr> ParseCondExpr(const BsonElement& o, ParseScope* s) {
  if (o.type() == BsonType::kObject) {
    ExprPtr parts[3];
    for (const BsonElement& f : o.Object()) {
      std::string_view n = f.field_name();
      int idx = n == "if" ? 0 : n == "then" ? 1 : n == "else" ? 2 : -1;
      if (idx < 0) return Status(17083, "Unrecognized parameter to $cond: " + std::string(n));
      DDS_ASSIGN_OR_RETURN(parts[idx], ParseExpression(f, s));
    }
    if (!parts[0]) return Status(17080, "Missing 'if' parameter to $cond");
    if (!parts[1]) return Status(17081, "Missing 'then' parameter to $cond");
    if (!parts[2]) return Status(17082, "Missing 'else' parameter to $cond");
    return ExprPtr(std::make_shared<CondExpression>(parts[0], parts[1], parts[2]));
  }
  DDS_ASSIGN_OR_RETURN(std::vector<ExprPtr> args, ParseArgs(o, s, 3, 3));
  return ExprPtr(std::make_shared<CondExpression>(args[0], args[1], args[2]));
}

StatusWith<ExprPtr> ParseIfNullExpr(const BsonElement& o, ParseScope* s) {
  DDS_ASSIGN_OR_RETURN(std::vector<ExprPtr> args, ParseArguments(o, s));
  if (args.size() < 2) return Status(1257300, "$ifNull needs at least two arguments, had: " + std::to_string(args.size()));
  return ExprPtr(std::make_shared<IfNullExpression>(std::move(args)));
}

StatusWith<ExprPtr> ParseSwitchExpr(const BsonElement& o, ParseScope* s) {
  if (o.type() != BsonType::kObject) {
    return Status(40060, "$switch requires an object as an argument, found: " + std::string(bson::TypeAlias(o.type())));
  }
  auto sw = std::make_shared<SwitchExpression>();
  for (const BsonElement& f : o.Object()) {
    if (f.field_name() == "branches") {
      if (f.type() != BsonType::kArray) return Status(40061, "$switch expected an array for 'branches'");
      for (const BsonElement& b : f.Array()) {
        if (b.type() != BsonType::kObject) return Status(40062, "$switch expected each branch to be an object");
        ExprPtr c, t;
        for (const BsonElement& bf : b.Object()) {
          if (bf.field_name() == "case") {
            DDS_ASSIGN_OR_RETURN(c, ParseExpression(bf, s));
          } else if (bf.field_name() == "then") {
            DDS_ASSIGN_OR_RETURN(t, ParseExpression(bf, s));
          } else {
            return Status(40063, "$switch found an unknown argument to a branch: " + std::string(bf.field_name()));
          }
        }
        if (!c) return Status(40064, "$switch requires each branch have a 'case' expression");
        if (!t) return Status(40065, "$switch requires each branch have a 'then' expression.");
        sw->branches.emplace_back(c, t);
      }
    } else if (f.field_name() == "default") {
      DDS_ASSIGN_OR_RETURN(sw->default_expr, ParseExpression(f, s));
    } else {
      return Status(40067, "$switch found an unknown argument: " + std::string(f.field_name()));
    }
  }
  if (sw->branches.empty()) return Status(40068, "$switch requires at least one branch.");
  return ExprPtr(sw);
}

StatusWith<ExprPtr> ParseLetExpr(const BsonElement& o, ParseScope* s) {
  if (o.type() != BsonType::kObject) return Status(16874, "$let only supports an object as its argument");
  BsonElement vars_e = o.Object().Get("vars"), in_e = o.Object().Get("in");
  for (const BsonElement& f : o.Object()) {
    if (f.field_name() != "vars" && f.field_name() != "in") {
      return Status(16875, "Unrecognized parameter to $let: " + std::string(f.field_name()));
    }
  }
  if (vars_e.eoo()) return Status(16876, "Missing 'vars' parameter to $let");
  if (in_e.eoo()) return Status(16877, "Missing 'in' parameter to $let");
  if (vars_e.type() != BsonType::kObject) return Status(ErrorCode::kFailedToParse, "invalid parameter: expected an object (vars)");
  auto let = std::make_shared<LetExpression>();
  for (const BsonElement& v : vars_e.Object()) {
    DDS_RETURN_IF_ERROR(ValidateUserVariableName(v.field_name()));
    DDS_ASSIGN_OR_RETURN(ExprPtr e, ParseExpression(v, s));
    let->vars.emplace_back(std::string(v.field_name()), std::move(e));
  }
  for (const auto& [name, e] : let->vars) s->Define(name);
  auto in = ParseExpression(in_e, s);
  for (size_t i = 0; i < let->vars.size(); ++i) s->Undefine();
  if (!in.ok()) return in.status();
  let->in = std::move(in).value();
  return ExprPtr(let);
}

}  // namespace dds::agg
