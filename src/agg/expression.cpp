#include "agg/expression.h"

#include <chrono>

#include "agg/expression_table.h"
#include "query/expression_hook.h"

namespace dds::agg {
namespace {

using bson::BsonElement;
using bson::BsonType;

class ConstantExpression : public Expression {
 public:
  explicit ConstantExpression(Value v) : value_(std::move(v)) {}
  Value Evaluate(Variables*) const override { return value_; }
  bool is_constant() const override { return true; }

 private:
  Value value_;
};

// Walks `path` components from `start` in a value, mapping over arrays (mongod's
// ExpressionFieldPath::evaluatePath): numeric components are field names, not indexes.
Value EvaluatePath(const BsonElement& value, const std::vector<std::string>& path, size_t index);

Value EvaluatePathArray(const BsonElement& array, const std::vector<std::string>& path, size_t index) {
  std::vector<Value> out;
  for (const BsonElement& elt : array.Array()) {
    if (elt.type() == BsonType::kObject) {
      Value nested = EvaluatePath(elt, path, index);
      if (!nested.missing()) out.push_back(std::move(nested));
    } else if (elt.type() == BsonType::kArray) {
      out.push_back(EvaluatePathArray(elt, path, index));
    }
  }
  return Value::ArrayOf(out);
}

Value EvaluatePath(const BsonElement& value, const std::vector<std::string>& path, size_t index) {
  // `value` is an object; look up path[index].
  BsonElement e = value.Object().Get(path[index]);
  if (index + 1 == path.size()) return Value::FromElement(e);
  switch (e.type()) {
    case BsonType::kObject: return EvaluatePath(e, path, index + 1);
    case BsonType::kArray: return EvaluatePathArray(e, path, index + 1);
    default: return Value();
  }
}

Value EvaluatePathFromDoc(const bson::BsonView& doc, const std::vector<std::string>& path) {
  if (path.empty()) return Value::Document(doc);
  BsonElement e = doc.Get(path[0]);
  if (path.size() == 1) return Value::FromElement(e);
  switch (e.type()) {
    case BsonType::kObject: return EvaluatePath(e, path, 1);
    case BsonType::kArray: return EvaluatePathArray(e, path, 1);
    default: return Value();
  }
}

Value EvaluatePathFromValue(const Value& v, const std::vector<std::string>& path) {
  if (path.empty()) return v;
  switch (v.type()) {
    case BsonType::kObject: return EvaluatePathFromDoc(v.element().Object(), path);
    case BsonType::kArray: return EvaluatePathArray(v.element(), path, 0);
    default: return Value();
  }
}

// "$a.b" (relative to $$CURRENT) or "$$var.a.b".
class FieldPathExpression : public Expression {
 public:
  FieldPathExpression(std::string var, std::vector<std::string> path)
      : var_(std::move(var)), path_(std::move(path)) {}
  Value Evaluate(Variables* vars) const override {
    if (var_ == "CURRENT") return EvaluatePathFromDoc(vars->current(), path_);
    if (var_ == "ROOT") return EvaluatePathFromDoc(vars->root(), path_);
    if (var_ == "REMOVE") return Value();
    // $redact's decisions are the strings "keep", "prune" and "descend".
    if (var_ == "KEEP") return Value::String("keep");
    if (var_ == "PRUNE") return Value::String("prune");
    if (var_ == "DESCEND") return Value::String("descend");
    if (var_ == "NOW") {
      if (!path_.empty()) return Value();
      int64_t now = vars->now_ms();
      if (now == 0) {
        now = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
      }
      return Value::Date(now);
    }
    const Value* v = vars->Find(var_);
    if (v == nullptr) ThrowDb(17276, "Use of undefined variable: " + var_);
    return EvaluatePathFromValue(*v, path_);
  }

 private:
  std::string var_;
  std::vector<std::string> path_;
};

class ObjectExpression : public Expression {
 public:
  explicit ObjectExpression(std::vector<std::pair<std::string, ExprPtr>> fields)
      : fields_(std::move(fields)) {}
  Value Evaluate(Variables* vars) const override {
    bson::BsonBuilder b;
    b.StartDocument("");
    for (const auto& [name, expr] : fields_) AppendValue(&b, name, expr->Evaluate(vars));
    b.End();
    return Value::FromHolder(b.Done());
  }

 private:
  std::vector<std::pair<std::string, ExprPtr>> fields_;
};

class ArrayExpression : public Expression {
 public:
  explicit ArrayExpression(std::vector<ExprPtr> items) : items_(std::move(items)) {}
  Value Evaluate(Variables* vars) const override {
    std::vector<Value> out;
    out.reserve(items_.size());
    for (const auto& item : items_) out.push_back(item->Evaluate(vars));
    return Value::ArrayOf(out);
  }

 private:
  std::vector<ExprPtr> items_;
};

Status SplitFieldPath(std::string_view raw, std::vector<std::string>* out) {
  if (raw.empty()) return Status(15998, "FieldPath field names may not be empty strings.");
  if (raw.back() == '.') return Status(40353, "FieldPath must not end with a '.'.");
  size_t start = 0;
  while (true) {
    size_t dot = raw.find('.', start);
    std::string_view part = raw.substr(start, dot == std::string_view::npos ? raw.size() - start : dot - start);
    if (part.empty()) return Status(15998, "FieldPath field names may not be empty strings.");
    if (part[0] == '$') {
      return Status(16410, "FieldPath field names may not start with '$'. Consider using "
                           "$getField or $setField.");
    }
    out->emplace_back(part);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return Status::OK();
}

StatusWith<ExprPtr> ParseStringExpression(std::string_view s, ParseScope* scope) {
  if (s.size() < 1 || s[0] != '$') return MakeConstant(Value::String(s));
  if (s == "$") return Status(16872, "'$' by itself is not a valid FieldPath");
  if (s.size() >= 2 && s[1] == '$') {
    std::string_view rest = s.substr(2);
    size_t dot = rest.find('.');
    std::string var(rest.substr(0, dot));
    if (var.empty()) return Status(ErrorCode::kFailedToParse, "empty variable names are not allowed");
    bool builtin = var == "ROOT" || var == "CURRENT" || var == "REMOVE" || var == "NOW" || var == "KEEP" ||
                   var == "PRUNE" || var == "DESCEND";
    if (!builtin && !scope->Defined(var)) {
      if (var == "CLUSTER_TIME" || var == "USER_ROLES" || var == "SEARCH_META") {
        return Status(ErrorCode::kNotImplemented, "$$" + var + " is not supported");
      }
      return Status(17276, "Use of undefined variable: " + var);
    }
    std::vector<std::string> path;
    if (dot != std::string_view::npos) DDS_RETURN_IF_ERROR(SplitFieldPath(rest.substr(dot + 1), &path));
    return ExprPtr(std::make_shared<FieldPathExpression>(std::move(var), std::move(path)));
  }
  std::vector<std::string> path;
  DDS_RETURN_IF_ERROR(SplitFieldPath(s.substr(1), &path));
  return ExprPtr(std::make_shared<FieldPathExpression>("CURRENT", std::move(path)));
}

}  // namespace

const Value* Variables::Find(std::string_view name) const {
  for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
    if (it->first == name) return &it->second;
  }
  return nullptr;
}

bool ParseScope::Defined(std::string_view name) const {
  for (const std::string& n : names_) {
    if (n == name) return true;
  }
  return false;
}

ExprPtr MakeConstant(Value v) { return std::make_shared<ConstantExpression>(std::move(v)); }

void AppendValue(bson::BsonBuilder* b, std::string_view name, const Value& v) {
  if (v.missing()) return;
  b->AppendElementAs(name, v.element());
}

StatusWith<ExprPtr> ParseObjectExpression(const bson::BsonView& obj, ParseScope* scope) {
  std::vector<std::pair<std::string, ExprPtr>> fields;
  for (const BsonElement& f : obj) {
    std::string_view name = f.field_name();
    if (name.empty()) return Status(16410, "FieldPath field names may not be empty strings.");
    if (name[0] == '$') {
      return Status(16410, "FieldPath field names may not start with '$'. Consider using "
                           "$getField or $setField.");
    }
    if (name.find('.') != std::string_view::npos) {
      return Status(16412, "FieldPath field names may not contain '.'. Consider using $getField "
                           "or $setField.");
    }
    for (const auto& existing : fields) {
      if (existing.first == name) {
        return Status(16406, "duplicate field name specified in object literal: " +
                                 bson::ToShellString(obj));
      }
    }
    DDS_ASSIGN_OR_RETURN(ExprPtr e, ParseExpression(f, scope));
    fields.emplace_back(std::string(name), std::move(e));
  }
  return ExprPtr(std::make_shared<ObjectExpression>(std::move(fields)));
}

StatusWith<ExprPtr> ParseExpression(const BsonElement& e, ParseScope* scope) {
  switch (e.type()) {
    case BsonType::kString: return ParseStringExpression(e.String(), scope);
    case BsonType::kArray: {
      std::vector<ExprPtr> items;
      for (const BsonElement& item : e.Array()) {
        DDS_ASSIGN_OR_RETURN(ExprPtr x, ParseExpression(item, scope));
        items.push_back(std::move(x));
      }
      return ExprPtr(std::make_shared<ArrayExpression>(std::move(items)));
    }
    case BsonType::kObject: {
      bson::BsonView obj = e.Object();
      BsonElement first = obj.FirstElement();
      if (first.eoo()) return MakeConstant(Value::Document(obj));
      std::string_view name = first.field_name();
      if (!name.empty() && name[0] == '$') {
        int n = obj.CountFields();
        if (n != 1) {
          return Status(15983, "an expression specification must contain exactly one field, the "
                               "name of the expression. Found " + std::to_string(n) +
                               " fields in " + bson::ToShellString(obj) +
                               ", while parsing object " + bson::ToShellString(obj));
        }
        const ExpressionEntry* entry = FindExpressionOperator(name);
        if (entry == nullptr) {
          return Status(ErrorCode::kInvalidPipelineOperator,
                        "Unrecognized expression '" + std::string(name) + "'");
        }
        return entry->parse(first, scope);
      }
      return ParseObjectExpression(obj, scope);
    }
    default: return MakeConstant(Value::FromElement(e));
  }
}

StatusWith<std::vector<ExprPtr>> ParseArguments(const BsonElement& operand, ParseScope* scope) {
  std::vector<ExprPtr> args;
  if (operand.type() == BsonType::kArray) {
    for (const BsonElement& item : operand.Array()) {
      DDS_ASSIGN_OR_RETURN(ExprPtr x, ParseExpression(item, scope));
      args.push_back(std::move(x));
    }
  } else {
    DDS_ASSIGN_OR_RETURN(ExprPtr x, ParseExpression(operand, scope));
    args.push_back(std::move(x));
  }
  return args;
}

ParseScope ScopeWithLet(const bson::BsonView& let_vars) {
  ParseScope scope;
  for (const BsonElement& e : let_vars) scope.Define(std::string(e.field_name()));
  return scope;
}

namespace {
void BindLet(Variables* vars, const bson::BsonView& let_vars) {
  for (const BsonElement& e : let_vars) vars->Push(std::string(e.field_name()), Value::FromElement(e));
}
}  // namespace

Value EvaluateWithLet(const Expression& expr, const bson::BsonView& root, const bson::BsonView& let_vars) {
  Variables vars(root);
  BindLet(&vars, let_vars);
  return expr.Evaluate(&vars);
}

Value BoundExpression::Evaluate(const bson::BsonView& root) const {
  return EvaluateWithLet(*expr, root, let_vars ? let_vars->view() : bson::BsonView());
}

StatusWith<BoundExpression> CompileExpression(const BsonElement& e, const bson::BsonView& let_vars) {
  ParseScope scope = ScopeWithLet(let_vars);
  DDS_ASSIGN_OR_RETURN(ExprPtr expr, ParseExpression(e, &scope));
  BoundExpression bound;
  bound.expr = std::move(expr);
  bound.let_vars = std::make_shared<const bson::BsonDocument>(let_vars);
  return bound;
}

namespace {

// The query layer's view of an agg expression ($expr, computed projection fields).
class QueryCompiledExpression : public query::CompiledExpression {
 public:
  explicit QueryCompiledExpression(BoundExpression bound) : bound_(std::move(bound)) {}
  bson::BsonDocument Evaluate(const bson::BsonView& root) const override {
    Value v = bound_.Evaluate(root);
    return v.holder();
  }

 private:
  BoundExpression bound_;
};

StatusWith<std::shared_ptr<const query::CompiledExpression>> CompileForQuery(
    const BsonElement& e, const bson::BsonView& let_vars) {
  DDS_ASSIGN_OR_RETURN(BoundExpression bound, CompileExpression(e, let_vars));
  return std::shared_ptr<const query::CompiledExpression>(
      std::make_shared<QueryCompiledExpression>(std::move(bound)));
}

// Installs the agg expression engine into the query layer when this library is linked.
const bool kInstalled = [] {
  query::SetExpressionCompiler(&CompileForQuery);
  return true;
}();

}  // namespace

}  // namespace dds::agg
