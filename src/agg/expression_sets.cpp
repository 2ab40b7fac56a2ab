// P2 expression operators: set operators, $anyElementTrue/$allElementsTrue, $zip, $sortArray,
// $firstN/$lastN/$maxN/$minN (array forms), $regexFind/$regexFindAll, $replaceOne/$replaceAll,
// $toDecimal, $bsonSize, $binarySize, $tsSecond/$tsIncrement, $setField/$unsetField.
#include <algorithm>

#include "agg/expression_internal.h"
#include "agg/expression_ops.h"
#include "query/regex.h"
#include "query/sort_pattern.h"

namespace dds::agg {
namespace {

using bson::BsonElement;
using bson::BsonType;

std::vector<Value> Dedupe(std::vector<Value> v) {
  std::sort(v.begin(), v.end(), [](const Value& a, const Value& b) { return CompareValues(a, b) < 0; });
  v.erase(std::unique(v.begin(), v.end(), [](const Value& a, const Value& b) { return ValuesEqual(a, b); }), v.end());
  return v;
}

bool Contains(const std::vector<Value>& set, const Value& x) {
  for (const Value& v : set) {
    if (ValuesEqual(v, x)) return true;
  }
  return false;
}

void RequireArray(const Value& v, const char* op, int code) {
  if (!v.IsArray()) {
    ThrowDb(code, std::string("All operands of ") + op + " must be arrays. One argument is of type: " + v.TypeName());
  }
}

Value EvalSetIntersection(const std::vector<Value>& a) {
  for (const Value& v : a) {
    if (v.nullish()) return Value::Null();
  }
  std::vector<Value> result;
  for (size_t i = 0; i < a.size(); ++i) {
    RequireArray(a[i], "$setIntersection", 17047);
    std::vector<Value> items = Dedupe(a[i].ArrayItems());
    if (i == 0) {
      result = std::move(items);
      continue;
    }
    std::vector<Value> next;
    for (Value& r : result) {
      if (Contains(items, r)) next.push_back(std::move(r));
    }
    result = std::move(next);
  }
  return Value::ArrayOf(result);
}

Value EvalSetDifference(const std::vector<Value>& a) {
  if (a[0].nullish() || a[1].nullish()) return Value::Null();
  if (!a[0].IsArray()) ThrowDb(17048, "both operands of $setDifference must be arrays. First argument is of type: " + a[0].TypeName());
  if (!a[1].IsArray()) ThrowDb(17049, "both operands of $setDifference must be arrays. Second argument is of type: " + a[1].TypeName());
  std::vector<Value> rhs = a[1].ArrayItems();
  std::vector<Value> out;
  for (Value& v : Dedupe(a[0].ArrayItems())) {
    if (!Contains(rhs, v)) out.push_back(std::move(v));
  }
  return Value::ArrayOf(out);
}

Value EvalSetEquals(const std::vector<Value>& a) {
  std::vector<Value> first;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].IsArray()) ThrowDb(17044, "All operands of $setEquals must be arrays. One argument is of type: " + a[i].TypeName());
    std::vector<Value> s = Dedupe(a[i].ArrayItems());
    if (i == 0) {
      first = std::move(s);
    } else if (s.size() != first.size() || !std::equal(s.begin(), s.end(), first.begin(), ValuesEqual)) {
      return Value::Bool(false);
    }
  }
  return Value::Bool(true);
}

Value EvalSetIsSubset(const std::vector<Value>& a) {
  if (!a[0].IsArray()) ThrowDb(17046, "both operands of $setIsSubset must be arrays. First argument is of type: " + a[0].TypeName());
  if (!a[1].IsArray()) ThrowDb(17042, "both operands of $setIsSubset must be arrays. Second argument is of type: " + a[1].TypeName());
  std::vector<Value> rhs = a[1].ArrayItems();
  for (const Value& v : a[0].ArrayItems()) {
    if (!Contains(rhs, v)) return Value::Bool(false);
  }
  return Value::Bool(true);
}

template <bool kAll>
Value EvalElementsTrue(const std::vector<Value>& a) {
  const char* name = kAll ? "$allElementsTrue" : "$anyElementTrue";
  if (!a[0].IsArray()) ThrowDb(kAll ? 17040 : 17041, std::string(name) + "'s argument must be an array, but is " + a[0].TypeName());
  for (const Value& v : a[0].ArrayItems()) {
    if (kAll && !v.TrueValue()) return Value::Bool(false);
    if (!kAll && v.TrueValue()) return Value::Bool(true);
  }
  return Value::Bool(kAll);
}

Value EvalToDecimal(const std::vector<Value>& a) {
  const Value& v = a[0];
  if (v.nullish()) return Value::Null();
  switch (v.type()) {
    case BsonType::kDecimal128: return v;
    case BsonType::kInt32:
    case BsonType::kInt64: return Value::Decimal(bson::Decimal128::FromInt64(*v.element().ExactInt64()));
    case BsonType::kDouble: return Value::Decimal(bson::Decimal128::FromDoubleRounded15(v.element().Double()));
    case BsonType::kBool: return Value::Decimal(bson::Decimal128::FromInt64(v.element().Bool() ? 1 : 0));
    case BsonType::kDate: return Value::Decimal(bson::Decimal128::FromInt64(v.element().Date()));
    case BsonType::kString: {
      auto d = bson::Decimal128::FromString(v.element().String());
      if (!d) ThrowDb(ErrorCode::kConversionFailure, "Failed to parse number '" + std::string(v.element().String()) + "' in $convert with no onError value");
      return Value::Decimal(*d);
    }
    default:
      ThrowDb(ErrorCode::kConversionFailure, "Unsupported conversion from " + v.TypeName() + " to decimal in $convert with no onError value");
  }
}

Value EvalBsonSize(const std::vector<Value>& a) {
  if (a[0].nullish()) return Value::Null();
  if (!a[0].IsObject()) ThrowDb(31393, "$bsonSize requires a document input, found: " + a[0].TypeName());
  return Value::Int32(a[0].element().Object().size());
}

Value EvalBinarySize(const std::vector<Value>& a) {
  if (a[0].nullish()) return Value::Null();
  if (a[0].type() == BsonType::kString) return Value::Int32(static_cast<int32_t>(a[0].element().String().size()));
  if (a[0].type() == BsonType::kBinData) return Value::Int32(static_cast<int32_t>(a[0].element().BinData().size()));
  ThrowDb(51276, "$binarySize requires a string or BinData argument, found: " + a[0].TypeName());
}

template <bool kSeconds>
Value EvalTs(const std::vector<Value>& a) {
  if (a[0].nullish()) return Value::Null();
  if (a[0].type() != BsonType::kTimestamp) {
    ThrowDb(5687301, std::string(kSeconds ? "$tsSecond" : "$tsIncrement") + " expects argument of type timestamp but received " + a[0].TypeName());
  }
  return Value::Int64(kSeconds ? a[0].element().TimestampSeconds() : a[0].element().TimestampIncrement());
}

// Named-argument helper shared by the object-form operators below.
struct Named {
  std::vector<std::pair<std::string, ExprPtr>> args;
  ExprPtr Get(std::string_view n) const {
    for (const auto& [k, v] : args) {
      if (k == n) return v;
    }
    return nullptr;
  }
};

StatusWith<Named> ParseNamedArgs(const BsonElement& o, ParseScope* s, const std::vector<std::string_view>& allowed,
                                 const std::vector<std::string_view>& required) {
  std::string name(o.field_name());
  if (o.type() != BsonType::kObject) {
    return Status(ErrorCode::kFailedToParse, name + " requires an object as an argument, found: " + std::string(bson::TypeAlias(o.type())));
  }
  Named n;
  for (const BsonElement& f : o.Object()) {
    if (std::find(allowed.begin(), allowed.end(), f.field_name()) == allowed.end()) {
      return Status(ErrorCode::kFailedToParse, name + " found an unknown argument: " + std::string(f.field_name()));
    }
    DDS_ASSIGN_OR_RETURN(ExprPtr e, ParseExpression(f, s));
    n.args.emplace_back(std::string(f.field_name()), std::move(e));
  }
  for (std::string_view r : required) {
    if (!n.Get(r)) return Status(ErrorCode::kFailedToParse, name + " requires '" + std::string(r) + "' to be specified");
  }
  return n;
}

class RegexFindExpression : public Expression {
 public:
  Named n;
  bool all = false;
  Value Evaluate(Variables* vars) const override {
    const char* op = all ? "$regexFindAll" : "$regexFind";
    Value in = n.Get("input")->Evaluate(vars);
    Value re = n.Get("regex")->Evaluate(vars);
    ExprPtr opt_e = n.Get("options");
    Value opt = opt_e ? opt_e->Evaluate(vars) : Value();
    std::string pattern, flags;
    if (re.nullish()) return all ? Value::ArrayOf({}) : Value::Null();
    if (re.type() == BsonType::kRegex) {
      pattern = std::string(re.element().RegexPattern());
      flags = std::string(re.element().RegexFlags());
    } else if (re.type() == BsonType::kString) {
      pattern = std::string(re.element().String());
    } else {
      ThrowDb(51105, std::string(op) + " needs 'regex' to be of type string or regex");
    }
    if (!opt.nullish()) {
      if (opt.type() != BsonType::kString) ThrowDb(51106, std::string(op) + " needs 'options' to be of type string");
      flags = std::string(opt.element().String());
    }
    if (in.nullish()) return all ? Value::ArrayOf({}) : Value::Null();
    if (in.type() != BsonType::kString) ThrowDb(51104, std::string(op) + " needs 'input' to be of type string");
    auto compiled = query::Regex::Compile(pattern, flags);
    if (!compiled.ok()) ThrowDb(compiled.status());
    std::string_view subject = in.element().String();
    std::vector<Value> matches;
    size_t from = 0;
    while (from <= subject.size()) {
      size_t start, end;
      if (!compiled.value()->Find(subject, from, &start, &end)) break;
      bson::BsonBuilder b;
      b.StartDocument("");
      b.AppendString("match", subject.substr(start, end - start));
      // Code-point index of the match, as mongod reports it.
      int32_t idx = 0;
      for (size_t i = 0; i < start; ++i) idx += (static_cast<unsigned char>(subject[i]) & 0xC0) != 0x80;
      b.AppendInt32("idx", idx);
      b.StartArray("captures");
      b.End();
      b.End();
      matches.push_back(Value::FromHolder(b.Done()));
      if (!all) break;
      from = end > start ? end : end + 1;
    }
    if (all) return Value::ArrayOf(matches);
    return matches.empty() ? Value::Null() : matches[0];
  }
};

class ReplaceExpression : public Expression {
 public:
  Named n;
  bool all = false;
  Value Evaluate(Variables* vars) const override {
    const char* op = all ? "$replaceAll" : "$replaceOne";
    Value in = n.Get("input")->Evaluate(vars), find = n.Get("find")->Evaluate(vars),
          rep = n.Get("replacement")->Evaluate(vars);
    for (const Value* v : {&in, &find, &rep}) {
      if (!v->nullish() && v->type() != BsonType::kString) {
        ThrowDb(51746, std::string(op) + " requires that 'input', 'find' and 'replacement' be strings, found: " + v->TypeName());
      }
    }
    if (in.nullish() || find.nullish() || rep.nullish()) return Value::Null();
    std::string s(in.element().String());
    std::string_view f = find.element().String(), r = rep.element().String();
    if (f.empty()) {
      if (!all) return Value::String(std::string(r) + s);
    }
    std::string out;
    size_t pos = 0;
    while (true) {
      size_t hit = f.empty() ? (pos <= s.size() ? pos : std::string::npos) : s.find(f, pos);
      if (hit == std::string::npos) break;
      out.append(s, pos, hit - pos);
      out.append(r);
      if (f.empty()) {
        if (hit < s.size()) out += s[hit];
        pos = hit + 1;
        if (pos > s.size()) break;
        continue;
      }
      pos = hit + f.size();
      if (!all) break;
    }
    if (pos <= s.size()) out.append(s, std::min(pos, s.size()), std::string::npos);
    return Value::String(out);
  }
};

class SortArrayExpression : public Expression {
 public:
  ExprPtr input;
  int direction = 0;
  std::shared_ptr<const query::SortPattern> pattern;
  Value Evaluate(Variables* vars) const override {
    Value in = input->Evaluate(vars);
    if (in.nullish()) return Value::Null();
    if (!in.IsArray()) ThrowDb(2942504, "The input argument to $sortArray must be an array, but was of type: " + in.TypeName());
    std::vector<Value> items = in.ArrayItems();
    std::stable_sort(items.begin(), items.end(), [&](const Value& a, const Value& b) {
      if (pattern) {
        bson::BsonView da = a.IsObject() ? a.element().Object() : bson::BsonView();
        bson::BsonView db = b.IsObject() ? b.element().Object() : bson::BsonView();
        return pattern->CompareDocuments(da, db) < 0;
      }
      int c = CompareValues(a, b);
      return direction > 0 ? c < 0 : c > 0;
    });
    return Value::ArrayOf(items);
  }
};

class NExpression : public Expression {
 public:
  ExprPtr input, n;
  int kind;  // 0 firstN, 1 lastN, 2 maxN, 3 minN
  Value Evaluate(Variables* vars) const override {
    static const char* kNames[] = {"$firstN", "$lastN", "$maxN", "$minN"};
    Value count = n->Evaluate(vars);
    std::optional<int64_t> k = count.IsNumber() ? count.element().ExactInt64() : std::nullopt;
    if (!k || *k <= 0) ThrowDb(5787908, std::string("Value for 'n' must be a positive integer: ") + count.ToString());
    Value in = input->Evaluate(vars);
    if (in.nullish()) return Value::Null();
    if (!in.IsArray()) ThrowDb(5787902, std::string(kNames[kind]) + " requires 'input' to be an array, found: " + in.TypeName());
    std::vector<Value> items = in.ArrayItems();
    if (kind >= 2) {
      std::vector<Value> kept;
      for (Value& v : items) {
        if (!v.nullish()) kept.push_back(std::move(v));
      }
      items = std::move(kept);
      std::stable_sort(items.begin(), items.end(), [&](const Value& a, const Value& b) {
        int c = CompareValues(a, b);
        return kind == 2 ? c > 0 : c < 0;
      });
    }
    size_t take = static_cast<size_t>(std::min<int64_t>(*k, static_cast<int64_t>(items.size())));
    if (kind == 1) items.erase(items.begin(), items.end() - static_cast<long>(take));
    else items.resize(take);
    return Value::ArrayOf(items);
  }
};

class ZipExpression : public Expression {
 public:
  ExprPtr inputs, defaults;
  bool longest = false;
  Value Evaluate(Variables* vars) const override {
    Value in = inputs->Evaluate(vars);
    if (in.nullish()) return Value::Null();
    if (!in.IsArray()) ThrowDb(34461, "inputs must be an array of expressions, found " + in.TypeName());
    std::vector<std::vector<Value>> arrays;
    for (const Value& a : in.ArrayItems()) {
      if (a.nullish()) return Value::Null();
      if (!a.IsArray()) ThrowDb(34468, "$zip found a non-array expression in input: " + a.ToString());
      arrays.push_back(a.ArrayItems());
    }
    std::vector<Value> defs;
    if (defaults) {
      Value d = defaults->Evaluate(vars);
      if (!d.IsArray()) ThrowDb(34462, "defaults must be an array of expressions, found " + d.TypeName());
      defs = d.ArrayItems();
      if (defs.size() != arrays.size()) ThrowDb(34466, "$zip requires that 'defaults' be the same length as 'inputs'");
    }
    size_t len = arrays.empty() ? 0 : (longest ? 0 : SIZE_MAX);
    for (const auto& a : arrays) len = longest ? std::max(len, a.size()) : std::min(len, a.size());
    std::vector<Value> out;
    for (size_t i = 0; i < len; ++i) {
      std::vector<Value> row;
      for (size_t j = 0; j < arrays.size(); ++j) {
        row.push_back(i < arrays[j].size() ? arrays[j][i] : (defs.empty() ? Value::Null() : defs[j]));
      }
      out.push_back(Value::ArrayOf(row));
    }
    return Value::ArrayOf(out);
  }
};

class SetFieldExpression : public Expression {
 public:
  ExprPtr field, input, value;  // value null => $unsetField
  Value Evaluate(Variables* vars) const override {
    Value f = field->Evaluate(vars);
    if (f.type() != BsonType::kString) ThrowDb(4161106, "$setField requires 'field' to evaluate to type String");
    Value in = input->Evaluate(vars);
    if (in.nullish()) return Value::Null();
    if (!in.IsObject()) ThrowDb(4161105, "$setField requires 'input' to evaluate to type Object");
    Value v = value ? value->Evaluate(vars) : Value();
    bson::BsonBuilder b;
    b.StartDocument("");
    bool done = false;
    for (const BsonElement& e : in.element().Object()) {
      if (e.field_name() == f.element().String()) {
        done = true;
        AppendValue(&b, e.field_name(), v);
      } else {
        b.AppendElement(e);
      }
    }
    if (!done) AppendValue(&b, f.element().String(), v);
    b.End();
    return Value::FromHolder(b.Done());
  }
};

}  // namespace

StatusWith<ExprPtr> ParseSetIntersectionExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 0, -1, &EvalSetIntersection); }
StatusWith<ExprPtr> ParseSetDifferenceExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, 2, &EvalSetDifference); }
StatusWith<ExprPtr> ParseSetEqualsExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, -1, &EvalSetEquals); }
StatusWith<ExprPtr> ParseSetIsSubsetExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, 2, &EvalSetIsSubset); }
StatusWith<ExprPtr> ParseAllElementsTrueExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalElementsTrue<true>); }
StatusWith<ExprPtr> ParseAnyElementTrueExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalElementsTrue<false>); }
StatusWith<ExprPtr> ParseToDecimalExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalToDecimal); }
StatusWith<ExprPtr> ParseBsonSizeExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalBsonSize); }
StatusWith<ExprPtr> ParseBinarySizeExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalBinarySize); }
StatusWith<ExprPtr> ParseTsSecondExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalTs<true>); }
StatusWith<ExprPtr> ParseTsIncrementExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalTs<false>); }

StatusWith<ExprPtr> ParseRegexFindExpr(const BsonElement& o, ParseScope* s) {
  auto e = std::make_shared<RegexFindExpression>();
  DDS_ASSIGN_OR_RETURN(e->n, ParseNamedArgs(o, s, {"input", "regex", "options"}, {"input", "regex"}));
  return ExprPtr(e);
}
StatusWith<ExprPtr> ParseRegexFindAllExpr(const BsonElement& o, ParseScope* s) {
  auto e = std::make_shared<RegexFindExpression>();
  e->all = true;
  DDS_ASSIGN_OR_RETURN(e->n, ParseNamedArgs(o, s, {"input", "regex", "options"}, {"input", "regex"}));
  return ExprPtr(e);
}
StatusWith<ExprPtr> ParseReplaceOneExpr(const BsonElement& o, ParseScope* s) {
  auto e = std::make_shared<ReplaceExpression>();
  DDS_ASSIGN_OR_RETURN(e->n, ParseNamedArgs(o, s, {"input", "find", "replacement"}, {"input", "find", "replacement"}));
  return ExprPtr(e);
}
StatusWith<ExprPtr> ParseReplaceAllExpr(const BsonElement& o, ParseScope* s) {
  auto e = std::make_shared<ReplaceExpression>();
  e->all = true;
  DDS_ASSIGN_OR_RETURN(e->n, ParseNamedArgs(o, s, {"input", "find", "replacement"}, {"input", "find", "replacement"}));
  return ExprPtr(e);
}

StatusWith<ExprPtr> ParseSortArrayExpr(const BsonElement& o, ParseScope* s) {
  if (o.type() != BsonType::kObject) return Status(2942500, "$sortArray requires an object as an argument");
  auto e = std::make_shared<SortArrayExpression>();
  BsonElement sort_by;
  for (const BsonElement& f : o.Object()) {
    if (f.field_name() == "input") {
      DDS_ASSIGN_OR_RETURN(e->input, ParseExpression(f, s));
    } else if (f.field_name() == "sortBy") {
      sort_by = f;
    } else {
      return Status(2942501, "$sortArray found an unknown argument: " + std::string(f.field_name()));
    }
  }
  if (!e->input) return Status(2942502, "$sortArray requires 'input' to be specified");
  if (sort_by.eoo()) return Status(2942503, "$sortArray requires 'sortBy' to be specified");
  if (sort_by.IsNumber() && (sort_by.NumberDouble() == 1 || sort_by.NumberDouble() == -1)) {
    e->direction = sort_by.NumberDouble() > 0 ? 1 : -1;
  } else if (sort_by.type() == BsonType::kObject) {
    DDS_ASSIGN_OR_RETURN(query::SortPattern p, query::SortPattern::Parse(sort_by.Object()));
    e->pattern = std::make_shared<const query::SortPattern>(std::move(p));
  } else {
    return Status(2942505, "$sortArray requires sortBy to be either 1, -1, or an object");
  }
  return ExprPtr(e);
}

namespace {
StatusWith<ExprPtr> ParseN(const BsonElement& o, ParseScope* s, int kind) {
  DDS_ASSIGN_OR_RETURN(Named n, ParseNamedArgs(o, s, {"input", "n"}, {"input", "n"}));
  auto e = std::make_shared<NExpression>();
  e->input = n.Get("input");
  e->n = n.Get("n");
  e->kind = kind;
  return ExprPtr(e);
}
}  // namespace

StatusWith<ExprPtr> ParseFirstNExpr(const BsonElement& o, ParseScope* s) { return ParseN(o, s, 0); }
StatusWith<ExprPtr> ParseLastNExpr(const BsonElement& o, ParseScope* s) { return ParseN(o, s, 1); }
StatusWith<ExprPtr> ParseMaxNExpr(const BsonElement& o, ParseScope* s) { return ParseN(o, s, 2); }
StatusWith<ExprPtr> ParseMinNExpr(const BsonElement& o, ParseScope* s) { return ParseN(o, s, 3); }

StatusWith<ExprPtr> ParseZipExpr(const BsonElement& o, ParseScope* s) {
  if (o.type() != BsonType::kObject) return Status(34460, "$zip only supports an object as an argument");
  auto e = std::make_shared<ZipExpression>();
  for (const BsonElement& f : o.Object()) {
    if (f.field_name() == "inputs") {
      DDS_ASSIGN_OR_RETURN(e->inputs, ParseExpression(f, s));
    } else if (f.field_name() == "defaults") {
      DDS_ASSIGN_OR_RETURN(e->defaults, ParseExpression(f, s));
    } else if (f.field_name() == "useLongestLength") {
      e->longest = f.TrueValue();
    } else {
      return Status(34464, "$zip found an unknown argument: " + std::string(f.field_name()));
    }
  }
  if (!e->inputs) return Status(34465, "$zip requires at least one input array");
  if (e->defaults && !e->longest) return Status(34466, "cannot specify defaults unless useLongestLength is true");
  return ExprPtr(e);
}

StatusWith<ExprPtr> ParseSetFieldExpr(const BsonElement& o, ParseScope* s) {
  DDS_ASSIGN_OR_RETURN(Named n, ParseNamedArgs(o, s, {"field", "input", "value"}, {"field", "input", "value"}));
  auto e = std::make_shared<SetFieldExpression>();
  e->field = n.Get("field");
  e->input = n.Get("input");
  e->value = n.Get("value");
  return ExprPtr(e);
}

StatusWith<ExprPtr> ParseUnsetFieldExpr(const BsonElement& o, ParseScope* s) {
  DDS_ASSIGN_OR_RETURN(Named n, ParseNamedArgs(o, s, {"field", "input"}, {"field", "input"}));
  auto e = std::make_shared<SetFieldExpression>();
  e->field = n.Get("field");
  e->input = n.Get("input");
  return ExprPtr(e);
}

StatusWith<ExprPtr> ParseMetaExpr(const BsonElement& o, ParseScope*) {
  return Status(ErrorCode::kBadValue, "$meta is not supported (no text or search indexes)");
}

}  // namespace dds::agg
