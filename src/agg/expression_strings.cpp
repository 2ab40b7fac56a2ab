// Expression operators on strings, types and dates: $concat $toLower $toUpper $strLenBytes
// $strLenCP $substr* $split $trim $ltrim $rtrim $indexOfBytes $indexOfCP $strcasecmp $regexMatch
// $type $toString $toInt $toLong $toDouble $toBool $toDate $toObjectId $isNumber $convert,
// date parts and $dateToString (UTC).
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <random>

#include "agg/expression_internal.h"
#include "agg/expression_ops.h"
#include "query/regex.h"

namespace dds::agg {
namespace {

using bson::BsonElement;
using bson::BsonType;

// String conversion used by $toLower/$toUpper/$substr/$concat-like coercions (mongod's
// Value::coerceToString).
std::string CoerceToString(const Value& v, const char* op) {
  switch (v.type()) {
    case BsonType::kEoo:
    case BsonType::kNull:
    case BsonType::kUndefined: return "";
    case BsonType::kString:
    case BsonType::kSymbol:
    case BsonType::kJavaScript: return std::string(v.element().String());
    case BsonType::kInt32: return std::to_string(v.element().Int32());
    case BsonType::kInt64: return std::to_string(v.element().Int64());
    case BsonType::kDouble: {
      // Shortest round-trip form: 2.0 -> "2", 0.1 -> "0.1".
      double d = v.element().Double();
      if (std::isnan(d)) return "NaN";
      if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
      char buf[64];
      auto res = std::to_chars(buf, buf + sizeof buf, d);
      return std::string(buf, res.ptr);
    }
    case BsonType::kDecimal128: return v.element().Decimal().ToString();
    default:
      ThrowDb(16007, std::string("can't convert from BSON type ") + v.TypeName() + " to String");
  }
}

Value EvalConcat(const std::vector<Value>& a) {
  std::string out;
  for (const Value& v : a) {
    if (v.nullish()) return Value::Null();
    if (v.type() != BsonType::kString) ThrowDb(16702, "$concat only supports strings, not " + v.TypeName());
    out += v.element().String();
  }
  return Value::String(out);
}

template <bool kLower>
Value EvalCase(const std::vector<Value>& a) {
  std::string s = CoerceToString(a[0], kLower ? "$toLower" : "$toUpper");
  for (char& c : s) {
    if (kLower && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (!kLower && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return Value::String(s);
}

bool IsContinuationByte(unsigned char c) { return (c & 0xC0) == 0x80; }

Value EvalStrLenBytes(const std::vector<Value>& a) {
  if (a[0].type() != BsonType::kString) {
    ThrowDb(34473, "$strLenBytes requires a string argument, found: " + a[0].TypeName());
  }
  return MakeInteger(static_cast<int64_t>(a[0].element().String().size()));
}

Value EvalStrLenCP(const std::vector<Value>& a) {
  if (a[0].type() != BsonType::kString) {
    ThrowDb(34471, "$strLenCP requires a string argument, found: " + a[0].TypeName());
  }
  int64_t n = 0;
  for (char c : a[0].element().String()) n += IsContinuationByte(static_cast<unsigned char>(c)) ? 0 : 1;
  return MakeInteger(n);
}

Value EvalSubstrBytes(const std::vector<Value>& a) {
  std::string s = CoerceToString(a[0], "$substrBytes");
  if (!a[1].IsNumber()) ThrowDb(16034, "$substrBytes: starting index must be a numeric type (is BSON type " + a[1].TypeName() + ")");
  if (!a[2].IsNumber()) ThrowDb(16035, "$substrBytes: length must be a numeric type (is BSON type " + a[2].TypeName() + ")");
  double start_d = ToDouble(a[1]), len_d = ToDouble(a[2]);
  if (start_d < 0) ThrowDb(50752, "$substrBytes: starting index must be non-negative (got: " + a[1].ToString() + ")");
  size_t start = static_cast<size_t>(start_d);
  if (start >= s.size()) return Value::String("");
  if (start < s.size() && IsContinuationByte(static_cast<unsigned char>(s[start]))) {
    ThrowDb(28656, "$substrBytes:  Invalid range, starting index is a UTF-8 continuation byte.");
  }
  size_t len = len_d < 0 ? s.size() - start : std::min(static_cast<size_t>(len_d), s.size() - start);
  if (start + len < s.size() && IsContinuationByte(static_cast<unsigned char>(s[start + len]))) {
    ThrowDb(28657, "$substrBytes:  Invalid range, ending index is in the middle of a UTF-8 character.");
  }
  return Value::String(s.substr(start, len));
}

Value EvalSubstrCP(const std::vector<Value>& a) {
  std::string s = CoerceToString(a[0], "$substrCP");
  if (!a[1].IsNumber()) ThrowDb(34450, "$substrCP: starting index must be a numeric type (is BSON type " + a[1].TypeName() + ")");
  if (!a[2].IsNumber()) ThrowDb(34452, "$substrCP: length must be a numeric type (is BSON type " + a[2].TypeName() + ")");
  std::optional<int32_t> start = a[1].element().ExactInt32(), len = a[2].element().ExactInt32();
  if (!start) ThrowDb(34451, "$substrCP: starting index cannot be represented as a 32-bit integral value");
  if (!len) ThrowDb(34453, "$substrCP: length cannot be represented as a 32-bit integral value");
  if (*start < 0) ThrowDb(34455, "$substrCP: the starting index must be nonnegative integer.");
  if (*len < 0) ThrowDb(34454, "$substrCP: length must be a nonnegative integer.");
  size_t i = 0;
  int32_t cp = 0;
  while (i < s.size() && cp < *start) {
    ++i;
    while (i < s.size() && IsContinuationByte(static_cast<unsigned char>(s[i]))) ++i;
    ++cp;
  }
  size_t begin = i;
  cp = 0;
  while (i < s.size() && cp < *len) {
    ++i;
    while (i < s.size() && IsContinuationByte(static_cast<unsigned char>(s[i]))) ++i;
    ++cp;
  }
  return Value::String(s.substr(begin, i - begin));
}

Value EvalSplit(const std::vector<Value>& a) {
  if (a[0].nullish() || a[1].nullish()) return Value::Null();
  if (a[0].type() != BsonType::kString) ThrowDb(40085, "$split requires an expression that evaluates to a string as a first argument, found: " + a[0].TypeName());
  if (a[1].type() != BsonType::kString) ThrowDb(40086, "$split requires an expression that evaluates to a string as a second argument, found: " + a[1].TypeName());
  std::string_view s = a[0].element().String(), d = a[1].element().String();
  if (d.empty()) ThrowDb(40087, "$split requires a non-empty separator");
  std::vector<Value> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(d, start);
    if (pos == std::string_view::npos) {
      out.push_back(Value::String(s.substr(start)));
      break;
    }
    out.push_back(Value::String(s.substr(start, pos - start)));
    start = pos + d.size();
  }
  return Value::ArrayOf(out);
}

Value EvalStrcasecmp(const std::vector<Value>& a) {
  std::string x = CoerceToString(a[0], "$strcasecmp"), y = CoerceToString(a[1], "$strcasecmp");
  for (char& c : x) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (char& c : y) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  int c = x.compare(y);
  return Value::Int32(c < 0 ? -1 : (c > 0 ? 1 : 0));
}

template <bool kCodePoints>
Value EvalIndexOf(const std::vector<Value>& a) {
  const char* name = kCodePoints ? "$indexOfCP" : "$indexOfBytes";
  if (a[0].nullish()) return Value::Null();
  if (a[0].type() != BsonType::kString) ThrowDb(kCodePoints ? 40093 : 40091, std::string(name) + " requires a string as the first argument, found: " + a[0].TypeName());
  if (a[1].type() != BsonType::kString) ThrowDb(kCodePoints ? 40094 : 40092, std::string(name) + " requires a string as the second argument, found: " + a[1].TypeName());
  std::string_view s = a[0].element().String(), t = a[1].element().String();
  // Map code point indexes to byte offsets when needed.
  std::vector<size_t> offsets;
  if (kCodePoints) {
    for (size_t i = 0; i < s.size(); ++i) {
      if (!IsContinuationByte(static_cast<unsigned char>(s[i]))) offsets.push_back(i);
    }
    offsets.push_back(s.size());
  }
  int64_t units = kCodePoints ? static_cast<int64_t>(offsets.size()) - 1 : static_cast<int64_t>(s.size());
  int64_t start = 0, end = units;
  if (a.size() > 2) {
    std::optional<int64_t> v = a[2].IsNumber() ? a[2].element().ExactInt64() : std::nullopt;
    if (!v || *v < 0) ThrowDb(40097, std::string(name) + " requires a starting index that is a nonnegative integer");
    start = *v;
  }
  if (a.size() > 3) {
    std::optional<int64_t> v = a[3].IsNumber() ? a[3].element().ExactInt64() : std::nullopt;
    if (!v || *v < 0) ThrowDb(40097, std::string(name) + " requires an ending index that is a nonnegative integer");
    end = std::min(*v, units);
  }
  if (start > end) return Value::Int32(-1);
  for (int64_t i = start; i <= end; ++i) {
    size_t off = kCodePoints ? offsets[static_cast<size_t>(std::min(i, units))] : static_cast<size_t>(i);
    size_t end_off = kCodePoints ? offsets[static_cast<size_t>(end)] : static_cast<size_t>(end);
    if (off + t.size() <= end_off && s.substr(off, t.size()) == t) return MakeInteger(i);
  }
  return Value::Int32(-1);
}

// $trim / $ltrim / $rtrim take {input, chars}; they are parsed specially.
class TrimExpression : public Expression {
 public:
  int sides;  // 1 left, 2 right, 3 both
  const char* name;
  ExprPtr input, chars;
  Value Evaluate(Variables* vars) const override {
    Value in = input->Evaluate(vars);
    if (in.nullish()) return Value::Null();
    if (in.type() != BsonType::kString) {
      ThrowDb(50699, std::string(name) + " requires its input to be a string, got " + in.ToString() + " (of type " + in.TypeName() + ") instead.");
    }
    std::string_view s = in.element().String();
    std::string set = " \t\n\v\f\r";
    set.push_back('\0');
    if (chars) {
      Value c = chars->Evaluate(vars);
      if (c.nullish()) return Value::Null();
      if (c.type() != BsonType::kString) {
        ThrowDb(50700, std::string(name) + " requires 'chars' to be a string, got " + c.ToString() + " (of type " + c.TypeName() + ") instead.");
      }
      set = std::string(c.element().String());
    }
    size_t b = 0, e = s.size();
    if (sides & 1) {
      while (b < e && set.find(s[b]) != std::string::npos) ++b;
    }
    if (sides & 2) {
      while (e > b && set.find(s[e - 1]) != std::string::npos) --e;
    }
    return Value::String(s.substr(b, e - b));
  }
};

StatusWith<ExprPtr> ParseTrim(const BsonElement& o, ParseScope* s, int sides, const char* name) {
  if (o.type() != BsonType::kObject) {
    return Status(50696, std::string(name) + " only supports an object as an argument, found: " + std::string(bson::TypeAlias(o.type())));
  }
  auto t = std::make_shared<TrimExpression>();
  t->sides = sides;
  t->name = name;
  for (const BsonElement& f : o.Object()) {
    if (f.field_name() == "input") {
      DDS_ASSIGN_OR_RETURN(t->input, ParseExpression(f, s));
    } else if (f.field_name() == "chars") {
      DDS_ASSIGN_OR_RETURN(t->chars, ParseExpression(f, s));
    } else {
      return Status(50694, std::string(name) + " found an unknown argument: " + std::string(f.field_name()));
    }
  }
  if (!t->input) return Status(50695, std::string(name) + " requires an 'input' field");
  return ExprPtr(t);
}

class RegexMatchExpression : public Expression {
 public:
  ExprPtr input, regex, options;
  Value Evaluate(Variables* vars) const override {
    Value in = input->Evaluate(vars);
    Value re = regex->Evaluate(vars);
    Value opt = options ? options->Evaluate(vars) : Value();
    if (re.nullish()) return Value::Bool(false);
    std::string pattern, flags;
    if (re.type() == BsonType::kRegex) {
      pattern = std::string(re.element().RegexPattern());
      flags = std::string(re.element().RegexFlags());
    } else if (re.type() == BsonType::kString) {
      pattern = std::string(re.element().String());
    } else {
      ThrowDb(51105, "$regexMatch needs 'regex' to be of type string or regex");
    }
    if (!opt.nullish()) {
      if (opt.type() != BsonType::kString) ThrowDb(51106, "$regexMatch needs 'options' to be of type string");
      if (!flags.empty()) ThrowDb(51107, "$regexMatch found regex option(s) specified in both 'regex' and 'option' fields");
      flags = std::string(opt.element().String());
    }
    if (in.nullish()) return Value::Bool(false);
    if (in.type() != BsonType::kString) ThrowDb(51104, "$regexMatch needs 'input' to be of type string");
    auto compiled = query::Regex::Compile(pattern, flags);
    if (!compiled.ok()) ThrowDb(compiled.status());
    return Value::Bool(compiled.value()->Matches(in.element().String()));
  }
};

// ---- types ----

Value EvalType(const std::vector<Value>& a) { return Value::String(a[0].TypeName()); }
Value EvalIsNumber(const std::vector<Value>& a) { return Value::Bool(a[0].IsNumber()); }

Value ConversionFailure(const Value& v, const char* to) {
  ThrowDb(ErrorCode::kConversionFailure, "Unsupported conversion from " + v.TypeName() + " to " + to +
                                             " in $convert with no onError value");
}

Value ToBoolValue(const Value& v) {
  if (v.nullish()) return Value::Null();
  return Value::Bool(v.TrueValue());
}

Value ToLongValue(const Value& v, bool to_int) {
  const char* to = to_int ? "int" : "long";
  if (v.nullish()) return Value::Null();
  auto finish = [&](int64_t x) -> Value {
    if (to_int) {
      if (x < INT32_MIN || x > INT32_MAX) {
        ThrowDb(ErrorCode::kConversionFailure, "Conversion would overflow target type in $convert with no onError value: " + v.ToString());
      }
      return Value::Int32(static_cast<int32_t>(x));
    }
    return Value::Int64(x);
  };
  switch (v.type()) {
    case BsonType::kBool: return finish(v.element().Bool() ? 1 : 0);
    case BsonType::kInt32: return finish(v.element().Int32());
    case BsonType::kInt64: return finish(v.element().Int64());
    case BsonType::kDate: return to_int ? ConversionFailure(v, to) : Value::Int64(v.element().Date());
    case BsonType::kDouble:
    case BsonType::kDecimal128: {
      double d = ToDouble(v);
      if (std::isnan(d) || std::isinf(d)) {
        ThrowDb(ErrorCode::kConversionFailure, "Attempt to convert NaN or infinity value to integer type in $convert with no onError value: " + v.ToString());
      }
      double t = std::trunc(d);
      if (t < -9223372036854775808.0 || t >= 9223372036854775808.0) {
        ThrowDb(ErrorCode::kConversionFailure, "Conversion would overflow target type in $convert with no onError value: " + v.ToString());
      }
      return finish(static_cast<int64_t>(t));
    }
    case BsonType::kString: {
      std::string s(v.element().String());
      if (s.empty()) ThrowDb(ErrorCode::kConversionFailure, "Failed to parse number '' in $convert with no onError value: Empty string");
      char* end = nullptr;
      errno = 0;
      long long x = std::strtoll(s.c_str(), &end, 10);
      if (*end != '\0' || errno != 0) {
        ThrowDb(ErrorCode::kConversionFailure, "Failed to parse number '" + s + "' in $convert with no onError value: Did not consume whole string.");
      }
      return finish(x);
    }
    default: return ConversionFailure(v, to);
  }
}

Value ToDoubleValue(const Value& v) {
  if (v.nullish()) return Value::Null();
  switch (v.type()) {
    case BsonType::kBool: return Value::Double(v.element().Bool() ? 1 : 0);
    case BsonType::kInt32:
    case BsonType::kInt64:
    case BsonType::kDouble:
    case BsonType::kDecimal128: return Value::Double(ToDouble(v));
    case BsonType::kDate: return Value::Double(static_cast<double>(v.element().Date()));
    case BsonType::kString: {
      std::string s(v.element().String());
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (s.empty() || *end != '\0') {
        ThrowDb(ErrorCode::kConversionFailure, "Failed to parse number '" + s + "' in $convert with no onError value: Did not consume whole string.");
      }
      return Value::Double(d);
    }
    default: return ConversionFailure(v, "double");
  }
}


Value ToStringValue(const Value& v) {
  if (v.nullish()) return Value::Null();
  switch (v.type()) {
    case BsonType::kString: return v;
    case BsonType::kBool: return Value::String(v.element().Bool() ? "true" : "false");
    case BsonType::kObjectId: return Value::String(v.element().Oid().ToHex());
    case BsonType::kDate: return Value::String(FormatDate(v.element().Date(), "%Y-%m-%dT%H:%M:%S.%LZ", 0));
    case BsonType::kInt32:
    case BsonType::kInt64:
    case BsonType::kDouble:
    case BsonType::kDecimal128: return Value::String(CoerceToString(v, "$toString"));
    default: return ConversionFailure(v, "string");
  }
}

Value ToObjectIdValue(const Value& v) {
  if (v.nullish()) return Value::Null();
  if (v.type() == BsonType::kObjectId) return v;
  if (v.type() == BsonType::kString) {
    auto oid = bson::ObjectId::FromHex(v.element().String());
    if (!oid) {
      ThrowDb(ErrorCode::kConversionFailure, "Failed to parse objectId '" + std::string(v.element().String()) + "' in $convert with no onError value: Invalid string length for parsing to OID, expected 24 but found " + std::to_string(v.element().String().size()));
    }
    bson::BsonBuilder b;
    b.AppendObjectId("", *oid);
    return Value::FromHolder(b.Done());
  }
  return ConversionFailure(v, "objectId");
}

Value ToDateValue(const Value& v) {
  if (v.nullish()) return Value::Null();
  switch (v.type()) {
    case BsonType::kDate: return v;
    case BsonType::kInt64: return Value::Date(v.element().Int64());
    case BsonType::kDouble:
    case BsonType::kDecimal128: return Value::Date(static_cast<int64_t>(ToDouble(v)));
    case BsonType::kObjectId: return Value::Date(static_cast<int64_t>(v.element().Oid().TimestampSeconds()) * 1000);
    case BsonType::kTimestamp: return Value::Date(static_cast<int64_t>(v.element().TimestampSeconds()) * 1000);
    case BsonType::kString: {
      std::optional<int64_t> ms = ParseIsoDate(v.element().String());
      if (!ms) {
        ThrowDb(ErrorCode::kConversionFailure, "Error parsing date string '" + std::string(v.element().String()) +
                                                   "' in $convert with no onError value");
      }
      return Value::Date(*ms);
    }
    default: return ConversionFailure(v, "date");
  }
}

Value EvalToBool(const std::vector<Value>& a) { return ToBoolValue(a[0]); }
Value EvalToInt(const std::vector<Value>& a) { return ToLongValue(a[0], true); }
Value EvalToLong(const std::vector<Value>& a) { return ToLongValue(a[0], false); }
Value EvalToDouble(const std::vector<Value>& a) { return ToDoubleValue(a[0]); }
Value EvalToString(const std::vector<Value>& a) { return ToStringValue(a[0]); }
Value EvalToObjectId(const std::vector<Value>& a) { return ToObjectIdValue(a[0]); }
Value EvalToDate(const std::vector<Value>& a) { return ToDateValue(a[0]); }

class ConvertExpression : public Expression {
 public:
  ExprPtr input, to, on_error, on_null;
  Value Evaluate(Variables* vars) const override {
    Value in = input->Evaluate(vars);
    Value target = to->Evaluate(vars);
    if (in.nullish()) return on_null ? on_null->Evaluate(vars) : Value::Null();
    std::string t;
    if (target.type() == BsonType::kString) {
      t = std::string(target.element().String());
    } else if (target.IsNumber()) {
      std::optional<int32_t> code = target.element().ExactInt32();
      if (code) t = std::string(bson::TypeAlias(static_cast<BsonType>(*code)));
    } else if (target.nullish()) {
      return Value::Null();
    }
    try {
      if (t == "bool") return ToBoolValue(in);
      if (t == "int") return ToLongValue(in, true);
      if (t == "long") return ToLongValue(in, false);
      if (t == "double") return ToDoubleValue(in);
      if (t == "string") return ToStringValue(in);
      if (t == "objectId") return ToObjectIdValue(in);
      if (t == "date") return ToDateValue(in);
      if (t == "decimal") {
        if (!in.IsNumber()) return ConversionFailure(in, "decimal");
        if (in.type() == BsonType::kDecimal128) return in;
        if (in.type() == BsonType::kDouble) {
          return Value::Decimal(bson::Decimal128::FromDoubleRounded15(in.element().Double()));
        }
        return Value::Decimal(bson::Decimal128::FromInt64(*in.element().ExactInt64()));
      }
    } catch (const DbException& ex) {
      if (on_error && ex.status().Is(ErrorCode::kConversionFailure)) return on_error->Evaluate(vars);
      throw;
    }
    ThrowDb(ErrorCode::kBadValue, "Unknown type name: " + target.ToString());
  }
};

}  // namespace

StatusWith<ExprPtr> ParseConcatExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 0, -1, &EvalConcat); }
StatusWith<ExprPtr> ParseToLowerExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalCase<true>); }
StatusWith<ExprPtr> ParseToUpperExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalCase<false>); }
StatusWith<ExprPtr> ParseStrLenBytesExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalStrLenBytes); }
StatusWith<ExprPtr> ParseStrLenCPExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalStrLenCP); }
StatusWith<ExprPtr> ParseSubstrExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 3, 3, &EvalSubstrBytes); }
StatusWith<ExprPtr> ParseSubstrBytesExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 3, 3, &EvalSubstrBytes); }
StatusWith<ExprPtr> ParseSubstrCPExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 3, 3, &EvalSubstrCP); }
StatusWith<ExprPtr> ParseSplitExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, 2, &EvalSplit); }
StatusWith<ExprPtr> ParseStrcasecmpExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, 2, &EvalStrcasecmp); }
StatusWith<ExprPtr> ParseIndexOfBytesExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, 4, &EvalIndexOf<false>); }
StatusWith<ExprPtr> ParseIndexOfCPExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, 4, &EvalIndexOf<true>); }
StatusWith<ExprPtr> ParseTrimExpr(const BsonElement& o, ParseScope* s) { return ParseTrim(o, s, 3, "$trim"); }
StatusWith<ExprPtr> ParseLtrimExpr(const BsonElement& o, ParseScope* s) { return ParseTrim(o, s, 1, "$ltrim"); }
StatusWith<ExprPtr> ParseRtrimExpr(const BsonElement& o, ParseScope* s) { return ParseTrim(o, s, 2, "$rtrim"); }
StatusWith<ExprPtr> ParseTypeExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalType); }
StatusWith<ExprPtr> ParseIsNumberExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalIsNumber); }
StatusWith<ExprPtr> ParseToBoolExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalToBool); }
StatusWith<ExprPtr> ParseToIntExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalToInt); }
StatusWith<ExprPtr> ParseToLongExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalToLong); }
StatusWith<ExprPtr> ParseToDoubleExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalToDouble); }
StatusWith<ExprPtr> ParseToStringExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalToString); }
StatusWith<ExprPtr> ParseToObjectIdExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalToObjectId); }
StatusWith<ExprPtr> ParseToDateExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalToDate); }

StatusWith<ExprPtr> ParseRegexMatchExpr(const BsonElement& o, ParseScope* s) {
  if (o.type() != BsonType::kObject) return Status(51103, "$regexMatch expects an object of named arguments but found: " + std::string(bson::TypeAlias(o.type())));
  auto r = std::make_shared<RegexMatchExpression>();
  for (const BsonElement& f : o.Object()) {
    std::string_view n = f.field_name();
    if (n == "input") { DDS_ASSIGN_OR_RETURN(r->input, ParseExpression(f, s)); }
    else if (n == "regex") { DDS_ASSIGN_OR_RETURN(r->regex, ParseExpression(f, s)); }
    else if (n == "options") { DDS_ASSIGN_OR_RETURN(r->options, ParseExpression(f, s)); }
    else return Status(31024, "$regexMatch found an unknown field: " + std::string(n));
  }
  if (!r->input) return Status(31022, "$regexMatch requires 'input' parameter");
  if (!r->regex) return Status(31023, "$regexMatch requires 'regex' parameter");
  return ExprPtr(r);
}

StatusWith<ExprPtr> ParseConvertExpr(const BsonElement& o, ParseScope* s) {
  if (o.type() != BsonType::kObject) return Status(ErrorCode::kFailedToParse, "$convert expects an object of named arguments but found: " + std::string(bson::TypeAlias(o.type())));
  auto c = std::make_shared<ConvertExpression>();
  for (const BsonElement& f : o.Object()) {
    std::string_view n = f.field_name();
    if (n == "input") { DDS_ASSIGN_OR_RETURN(c->input, ParseExpression(f, s)); }
    else if (n == "to") { DDS_ASSIGN_OR_RETURN(c->to, ParseExpression(f, s)); }
    else if (n == "onError") { DDS_ASSIGN_OR_RETURN(c->on_error, ParseExpression(f, s)); }
    else if (n == "onNull") { DDS_ASSIGN_OR_RETURN(c->on_null, ParseExpression(f, s)); }
    else return Status(ErrorCode::kFailedToParse, "$convert found an unknown argument: " + std::string(n));
  }
  if (!c->input) return Status(ErrorCode::kFailedToParse, "Missing 'input' parameter to $convert");
  if (!c->to) return Status(ErrorCode::kFailedToParse, "Missing 'to' parameter to $convert");
  return ExprPtr(c);
}

namespace {
// A uniform double in [0, 1), drawn anew for every evaluation.
Value EvalRand(const std::vector<Value>&) {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return Value::Double(std::uniform_real_distribution<double>(0.0, 1.0)(generator));
}
}  // namespace

StatusWith<ExprPtr> ParseRandExpr(const BsonElement& o, ParseScope*) {
  // mongod accepts only an empty document: {$rand: {}}.
  if (o.type() != BsonType::kObject || !o.Object().empty()) {
    return Status(3040500, "$rand does not currently accept arguments");
  }
  return ExprPtr(std::make_shared<FunctionExpression>(std::vector<ExprPtr>{}, &EvalRand));
}
}  // namespace dds::agg
