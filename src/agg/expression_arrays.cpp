// Expression operators on arrays and objects: $size $arrayElemAt $first $last $in $concatArrays
// $isArray $reverseArray $slice $range $indexOfArray $arrayToObject $objectToArray $mergeObjects
// $filter $map $reduce $setUnion $getField.
#include <algorithm>

#include "agg/expression_internal.h"
#include "agg/expression_ops.h"

namespace dds::agg {
namespace {

using bson::BsonElement;
using bson::BsonType;

std::optional<int64_t> AsInteger(const Value& v) {
  if (!v.IsNumber()) return std::nullopt;
  return v.element().ExactInt64();
}

Value EvalSize(const std::vector<Value>& a) {
  if (!a[0].IsArray()) {
    ThrowDb(17124, "The argument to $size must be an array, but was of type: " + a[0].TypeName());
  }
  int32_t n = 0;
  for (auto it = a[0].element().Array().begin(); it != a[0].element().Array().end(); ++it) ++n;
  return Value::Int32(n);
}

Value ElementAt(const Value& arr, int64_t idx) {
  std::vector<Value> items = arr.ArrayItems();
  int64_t n = static_cast<int64_t>(items.size());
  if (idx < 0) idx += n;
  if (idx < 0 || idx >= n) return Value();
  return items[static_cast<size_t>(idx)];
}

Value EvalArrayElemAt(const std::vector<Value>& a) {
  if (a[0].nullish() || a[1].nullish()) return Value::Null();
  if (!a[0].IsArray()) {
    ThrowDb(28689, "$arrayElemAt's first argument must be an array, but is " + a[0].TypeName());
  }
  if (!a[1].IsNumber()) {
    ThrowDb(28690, "$arrayElemAt's second argument must be a numeric value, but is " + a[1].TypeName());
  }
  std::optional<int32_t> idx = a[1].element().ExactInt32();
  if (!idx) {
    ThrowDb(28691, "$arrayElemAt's second argument must be representable as a 32-bit integer: " +
                       a[1].ToString());
  }
  return ElementAt(a[0], *idx);
}

template <bool kFirst>
Value EvalFirstLast(const std::vector<Value>& a) {
  const char* name = kFirst ? "$first" : "$last";
  if (a[0].missing()) return Value();
  if (a[0].nullish()) return Value::Null();
  if (!a[0].IsArray()) {
    ThrowDb(28689, std::string(name) + "'s argument must be an array, but is " + a[0].TypeName());
  }
  return ElementAt(a[0], kFirst ? 0 : -1);
}

Value EvalIn(const std::vector<Value>& a) {
  if (!a[1].IsArray()) {
    ThrowDb(40081, "$in requires an array as a second argument, found: " + a[1].TypeName());
  }
  for (const BsonElement& e : a[1].element().Array()) {
    if (bson::CompareElementValues(a[0].element(), e) == 0) return Value::Bool(true);
  }
  return Value::Bool(false);
}

Value EvalConcatArrays(const std::vector<Value>& a) {
  std::vector<Value> out;
  for (const Value& v : a) {
    if (v.nullish()) return Value::Null();
    if (!v.IsArray()) ThrowDb(28664, "$concatArrays only supports arrays, not " + v.TypeName());
    for (Value& item : v.ArrayItems()) out.push_back(std::move(item));
  }
  return Value::ArrayOf(out);
}

Value EvalIsArray(const std::vector<Value>& a) { return Value::Bool(a[0].IsArray()); }

Value EvalReverseArray(const std::vector<Value>& a) {
  if (a[0].nullish()) return Value::Null();
  if (!a[0].IsArray()) {
    ThrowDb(34435, "The argument to $reverseArray must be an array, but was of type: " + a[0].TypeName());
  }
  std::vector<Value> items = a[0].ArrayItems();
  std::reverse(items.begin(), items.end());
  return Value::ArrayOf(items);
}

Value EvalSlice(const std::vector<Value>& a) {
  for (const Value& v : a) {
    if (v.nullish()) return Value::Null();
  }
  if (!a[0].IsArray()) {
    ThrowDb(28724, "First argument to $slice must be an array, but is of type: " + a[0].TypeName());
  }
  std::vector<Value> items = a[0].ArrayItems();
  int64_t n = static_cast<int64_t>(items.size());
  std::optional<int64_t> x = AsInteger(a[1]);
  if (!x) ThrowDb(28725, "Second argument to $slice must be a numeric value, but is of type: " + a[1].TypeName());
  int64_t start, count;
  if (a.size() == 2) {
    if (*x >= 0) {
      start = 0;
      count = *x;
    } else {
      start = std::max<int64_t>(0, n + *x);
      count = n;
    }
  } else {
    std::optional<int64_t> c = AsInteger(a[2]);
    if (!c) ThrowDb(28727, "Third argument to $slice must be numeric, but is of type: " + a[2].TypeName());
    if (*c <= 0) ThrowDb(28729, "Third argument to $slice must be positive: " + a[2].ToString());
    start = *x >= 0 ? std::min(*x, n) : std::max<int64_t>(0, n + *x);
    count = *c;
  }
  std::vector<Value> out;
  for (int64_t i = start; i < n && static_cast<int64_t>(out.size()) < count; ++i) out.push_back(items[static_cast<size_t>(i)]);
  return Value::ArrayOf(out);
}

Value EvalRange(const std::vector<Value>& a) {
  std::optional<int32_t> start = a[0].IsNumber() ? a[0].element().ExactInt32() : std::nullopt;
  std::optional<int32_t> end = a[1].IsNumber() ? a[1].element().ExactInt32() : std::nullopt;
  if (!a[0].IsNumber()) ThrowDb(34443, "$range requires a numeric starting value, found value of type: " + a[0].TypeName());
  if (!start) ThrowDb(34444, "$range requires a starting value that can be represented as a 32-bit integer, found value: " + a[0].ToString());
  if (!a[1].IsNumber()) ThrowDb(34445, "$range requires a numeric ending value, found value of type: " + a[1].TypeName());
  if (!end) ThrowDb(34446, "$range requires an ending value that can be represented as a 32-bit integer, found value: " + a[1].ToString());
  int64_t step = 1;
  if (a.size() > 2) {
    if (!a[2].IsNumber()) ThrowDb(34447, "$range requires a numeric step value, found value of type: " + a[2].TypeName());
    std::optional<int32_t> s = a[2].element().ExactInt32();
    if (!s) ThrowDb(34448, "$range requires a step value that can be represented as a 32-bit integer, found value: " + a[2].ToString());
    if (*s == 0) ThrowDb(34449, "$range requires a non-zero step value");
    step = *s;
  }
  std::vector<Value> out;
  for (int64_t i = *start; step > 0 ? i < *end : i > *end; i += step) {
    out.push_back(Value::Int32(static_cast<int32_t>(i)));
    if (out.size() > 10'000'000) ThrowDb(ErrorCode::kExceededMemoryLimit, "$range would produce too many elements");
  }
  return Value::ArrayOf(out);
}

Value EvalIndexOfArray(const std::vector<Value>& a) {
  if (a[0].nullish()) return Value::Null();
  if (!a[0].IsArray()) {
    ThrowDb(40090, "$indexOfArray requires an array as a first argument, found: " + a[0].TypeName());
  }
  std::vector<Value> items = a[0].ArrayItems();
  int64_t n = static_cast<int64_t>(items.size());
  int64_t start = 0, end = n;
  if (a.size() > 2) {
    std::optional<int64_t> s = AsInteger(a[2]);
    if (!s || *s < 0) ThrowDb(40097, "$indexOfArray requires a starting index that is a non-negative integer");
    start = *s;
  }
  if (a.size() > 3) {
    std::optional<int64_t> e = AsInteger(a[3]);
    if (!e || *e < 0) ThrowDb(40097, "$indexOfArray requires an ending index that is a non-negative integer");
    end = std::min(*e, n);
  }
  for (int64_t i = start; i < end; ++i) {
    if (ValuesEqual(items[static_cast<size_t>(i)], a[1])) return MakeInteger(i);
  }
  return Value::Int32(-1);
}

Value EvalArrayToObject(const std::vector<Value>& a) {
  if (a[0].nullish()) return Value::Null();
  if (!a[0].IsArray()) {
    ThrowDb(40386, "$arrayToObject requires an array input, found: " + a[0].TypeName());
  }
  std::vector<std::pair<std::string, Value>> fields;
  for (const BsonElement& e : a[0].element().Array()) {
    std::string key;
    BsonElement val;
    if (e.type() == BsonType::kArray) {
      std::vector<BsonElement> kv;
      for (const BsonElement& x : e.Array()) kv.push_back(x);
      if (kv.size() != 2) ThrowDb(40397, "$arrayToObject requires an array of size 2 arrays");
      if (kv[0].type() != BsonType::kString) ThrowDb(40395, "$arrayToObject requires an array of key-value pairs, where the key must be of type string");
      key = std::string(kv[0].String());
      val = kv[1];
    } else if (e.type() == BsonType::kObject) {
      BsonElement k = e.Object().Get("k"), v = e.Object().Get("v");
      if (k.eoo() || v.eoo() || e.Object().CountFields() != 2) {
        ThrowDb(40392, "$arrayToObject requires an object keys of 'k' and 'v'");
      }
      if (k.type() != BsonType::kString) ThrowDb(40394, "$arrayToObject requires an object with keys 'k' and 'v', where the value of 'k' must be of type string");
      key = std::string(k.String());
      val = v;
    } else {
      ThrowDb(40398, "Unrecognised input type format for $arrayToObject: " + std::string(bson::TypeAlias(e.type())));
    }
    if (key.find('\0') != std::string::npos) ThrowDb(4940400, "Key field cannot contain an embedded null byte");
    bool replaced = false;
    for (auto& f : fields) {
      if (f.first == key) {
        f.second = Value::FromElement(val);
        replaced = true;
      }
    }
    if (!replaced) fields.emplace_back(key, Value::FromElement(val));
  }
  bson::BsonBuilder b;
  for (const auto& [k, v] : fields) AppendValue(&b, k, v);
  return Value::Document(b.Done());
}

Value EvalObjectToArray(const std::vector<Value>& a) {
  if (a[0].nullish()) return Value::Null();
  if (!a[0].IsObject()) {
    ThrowDb(40390, "$objectToArray requires a document input, found: " + a[0].TypeName());
  }
  bson::BsonBuilder b;
  b.StartArray("");
  size_t i = 0;
  for (const BsonElement& e : a[0].element().Object()) {
    b.StartDocument(bson::IndexName(i++));
    b.AppendString("k", e.field_name());
    b.AppendElementAs("v", e);
    b.End();
  }
  b.End();
  return Value::FromHolder(b.Done());
}

Value EvalSetUnion(const std::vector<Value>& a) {
  std::vector<Value> out;
  for (const Value& v : a) {
    if (v.nullish()) return Value::Null();
    if (!v.IsArray()) ThrowDb(17043, "All operands of $setUnion must be arrays. One argument is of type: " + v.TypeName());
    for (Value& item : v.ArrayItems()) {
      bool dup = false;
      for (const Value& o : out) dup = dup || ValuesEqual(o, item);
      if (!dup) out.push_back(std::move(item));
    }
  }
  std::sort(out.begin(), out.end(), [](const Value& x, const Value& y) { return CompareValues(x, y) < 0; });
  return Value::ArrayOf(out);
}

}  // namespace

Value MergeObjectValues(const std::vector<Value>& a) {
  std::vector<std::pair<std::string, Value>> fields;
  for (const Value& v : a) {
    if (v.nullish()) continue;
    if (!v.IsObject()) {
      ThrowDb(40400, "$mergeObjects requires object inputs, but input " + v.ToString() +
                         " is of type " + v.TypeName());
    }
    for (const BsonElement& e : v.element().Object()) {
      bool replaced = false;
      for (auto& f : fields) {
        if (f.first == e.field_name()) {
          f.second = Value::FromElement(e);
          replaced = true;
          break;
        }
      }
      if (!replaced) fields.emplace_back(std::string(e.field_name()), Value::FromElement(e));
    }
  }
  bson::BsonBuilder b;
  for (const auto& [k, v] : fields) AppendValue(&b, k, v);
  return Value::Document(b.Done());
}

namespace {

// $filter / $map / $reduce bind variables per element, so they evaluate lazily.
class IterateExpression : public Expression {
 public:
  enum class Kind { kFilter, kMap, kReduce };
  Kind kind;
  ExprPtr input, body, initial, limit;
  std::string as;
  Value Evaluate(Variables* vars) const override {
    Value in = input->Evaluate(vars);
    if (in.nullish()) return Value::Null();
    if (!in.IsArray()) {
      switch (kind) {
        case Kind::kFilter: ThrowDb(28651, "input to $filter must be an array not " + in.TypeName());
        case Kind::kMap: ThrowDb(16883, "input to $map must be an array not " + in.TypeName());
        default: ThrowDb(40080, "$reduce requires that 'input' be an array, found: " + in.TypeName());
      }
    }
    std::vector<Value> items = in.ArrayItems();
    if (kind == Kind::kReduce) {
      Value acc = initial->Evaluate(vars);
      for (Value& item : items) {
        vars->Push("value", std::move(acc));
        vars->Push("this", std::move(item));
        Value next;
        try {
          next = body->Evaluate(vars);
        } catch (...) {
          vars->Pop();
          vars->Pop();
          throw;
        }
        vars->Pop();
        vars->Pop();
        acc = std::move(next);
      }
      return acc;
    }
    int64_t max = INT64_MAX;
    if (limit) {
      Value l = limit->Evaluate(vars);
      if (!l.nullish()) {
        std::optional<int32_t> n = l.IsNumber() ? l.element().ExactInt32() : std::nullopt;
        if (!n) ThrowDb(327391, "$filter: limit must be represented as a 32-bit integral value: " + l.ToString());
        if (*n < 1) ThrowDb(327392, "$filter: limit must be greater than 0: " + l.ToString());
        max = *n;
      }
    }
    std::vector<Value> out;
    for (Value& item : items) {
      if (static_cast<int64_t>(out.size()) >= max) break;
      vars->Push(as, item);
      Value r;
      try {
        r = body->Evaluate(vars);
      } catch (...) {
        vars->Pop();
        throw;
      }
      vars->Pop();
      if (kind == Kind::kFilter) {
        if (r.TrueValue()) out.push_back(std::move(item));
      } else {
        out.push_back(std::move(r));
      }
    }
    return Value::ArrayOf(out);
  }
};

StatusWith<ExprPtr> ParseIterate(const BsonElement& o, ParseScope* s, IterateExpression::Kind kind) {
  const char* name = kind == IterateExpression::Kind::kFilter ? "$filter"
                     : kind == IterateExpression::Kind::kMap  ? "$map"
                                                              : "$reduce";
  if (o.type() != BsonType::kObject) {
    return Status(ErrorCode::kFailedToParse, std::string(name) + " only supports an object as its argument");
  }
  auto it = std::make_shared<IterateExpression>();
  it->kind = kind;
  it->as = kind == IterateExpression::Kind::kReduce ? "" : "this";
  BsonElement input, body, initial, limit;
  for (const BsonElement& f : o.Object()) {
    std::string_view n = f.field_name();
    if (n == "input") input = f;
    else if (n == "as" && kind != IterateExpression::Kind::kReduce) {
      if (f.type() != BsonType::kString) return Status(ErrorCode::kFailedToParse, std::string(name) + ": 'as' must be a string");
      it->as = std::string(f.String());
      DDS_RETURN_IF_ERROR(ValidateUserVariableName(it->as));
    } else if (n == "cond" && kind == IterateExpression::Kind::kFilter) body = f;
    else if (n == "in" && kind != IterateExpression::Kind::kFilter) body = f;
    else if (n == "limit" && kind == IterateExpression::Kind::kFilter) limit = f;
    else if (n == "initialValue" && kind == IterateExpression::Kind::kReduce) initial = f;
    else {
      int code = kind == IterateExpression::Kind::kFilter ? 28647 : kind == IterateExpression::Kind::kMap ? 16879 : 40076;
      return Status(code, "Unrecognized parameter to " + std::string(name) + ": " + std::string(n));
    }
  }
  if (input.eoo()) return Status(kind == IterateExpression::Kind::kFilter ? 28648 : kind == IterateExpression::Kind::kMap ? 16880 : 40077, "Missing 'input' parameter to " + std::string(name));
  if (body.eoo()) {
    return Status(kind == IterateExpression::Kind::kFilter ? 28650 : kind == IterateExpression::Kind::kMap ? 16882 : 40079,
                  std::string("Missing '") + (kind == IterateExpression::Kind::kFilter ? "cond" : "in") + "' parameter to " + name);
  }
  if (kind == IterateExpression::Kind::kReduce && initial.eoo()) return Status(40078, "Missing 'initialValue' parameter to $reduce");
  DDS_ASSIGN_OR_RETURN(it->input, ParseExpression(input, s));
  if (!initial.eoo()) { DDS_ASSIGN_OR_RETURN(it->initial, ParseExpression(initial, s)); }
  if (!limit.eoo()) { DDS_ASSIGN_OR_RETURN(it->limit, ParseExpression(limit, s)); }
  if (kind == IterateExpression::Kind::kReduce) {
    s->Define("value");
    s->Define("this");
  } else {
    s->Define(it->as);
  }
  auto b = ParseExpression(body, s);
  s->Undefine();
  if (kind == IterateExpression::Kind::kReduce) s->Undefine();
  if (!b.ok()) return b.status();
  it->body = std::move(b).value();
  return ExprPtr(it);
}

Value EvalGetField(const std::vector<Value>& a) {
  // a[0] = field name, a[1] = input object.
  if (a[0].type() != BsonType::kString) ThrowDb(3041704, "$getField requires 'field' to evaluate to type String");
  if (a[1].nullish()) return a[1].missing() ? Value() : Value::Null();
  if (!a[1].IsObject()) return Value();
  return Value::FromElement(a[1].element().Object().Get(a[0].element().String()));
}

}  // namespace

StatusWith<ExprPtr> ParseSizeExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalSize); }
StatusWith<ExprPtr> ParseArrayElemAtExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, 2, &EvalArrayElemAt); }
StatusWith<ExprPtr> ParseFirstExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalFirstLast<true>); }
StatusWith<ExprPtr> ParseLastExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalFirstLast<false>); }
StatusWith<ExprPtr> ParseInExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, 2, &EvalIn); }
StatusWith<ExprPtr> ParseConcatArraysExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 0, -1, &EvalConcatArrays); }
StatusWith<ExprPtr> ParseIsArrayExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalIsArray); }
StatusWith<ExprPtr> ParseReverseArrayExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalReverseArray); }
StatusWith<ExprPtr> ParseSliceExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, 3, &EvalSlice); }
StatusWith<ExprPtr> ParseRangeExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, 3, &EvalRange); }
StatusWith<ExprPtr> ParseIndexOfArrayExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 2, 4, &EvalIndexOfArray); }
StatusWith<ExprPtr> ParseArrayToObjectExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalArrayToObject); }
StatusWith<ExprPtr> ParseObjectToArrayExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 1, 1, &EvalObjectToArray); }
StatusWith<ExprPtr> ParseMergeObjectsExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 0, -1, &MergeObjectValues); }
StatusWith<ExprPtr> ParseSetUnionExpr(const BsonElement& o, ParseScope* s) { return MakeFunction(o, s, 0, -1, &EvalSetUnion); }
StatusWith<ExprPtr> ParseFilterExpr(const BsonElement& o, ParseScope* s) { return ParseIterate(o, s, IterateExpression::Kind::kFilter); }
StatusWith<ExprPtr> ParseMapExpr(const BsonElement& o, ParseScope* s) { return ParseIterate(o, s, IterateExpression::Kind::kMap); }
StatusWith<ExprPtr> ParseReduceExpr(const BsonElement& o, ParseScope* s) { return ParseIterate(o, s, IterateExpression::Kind::kReduce); }

StatusWith<ExprPtr> ParseGetFieldExpr(const BsonElement& o, ParseScope* s) {
  std::vector<ExprPtr> args;
  if (o.type() == BsonType::kObject && o.Object().HasField("field")) {
    BsonElement field = o.Object().Get("field"), input = o.Object().Get("input");
    DDS_ASSIGN_OR_RETURN(ExprPtr f, ParseExpression(field, s));
    args.push_back(std::move(f));
    if (input.eoo()) {
      DDS_ASSIGN_OR_RETURN(ExprPtr cur, ParseExpression(bson::FromJson(R"({"x": "$$CURRENT"})").view().FirstElement(), s));
      args.push_back(std::move(cur));
    } else {
      DDS_ASSIGN_OR_RETURN(ExprPtr in, ParseExpression(input, s));
      args.push_back(std::move(in));
    }
  } else {
    DDS_ASSIGN_OR_RETURN(ExprPtr f, ParseExpression(o, s));
    args.push_back(std::move(f));
    DDS_ASSIGN_OR_RETURN(ExprPtr cur, ParseExpression(bson::FromJson(R"({"x": "$$CURRENT"})").view().FirstElement(), s));
    args.push_back(std::move(cur));
  }
  return ExprPtr(std::make_shared<FunctionExpression>(std::move(args), &EvalGetField));
}

}  // namespace dds::agg
