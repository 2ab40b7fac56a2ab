// Expression: the aggregation expression language (compat §5.2): field paths ("$a.b"), variables
// ($$ROOT, $$CURRENT, $$REMOVE, $$NOW, `let` and $let/$map/$filter variables), literals, object
// and array literals, and operators looked up in agg/expression_table.cpp. Parsed once into an
// immutable tree (shareable between threads); evaluation may throw DbException with mongod's
// codes (16020 arity, 16554 $add types, 17124 $size ...).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agg/value.h"
#include "bson/bson.h"
#include "common/status.h"

namespace dds::agg {

// Runtime variable bindings: $$ROOT (the document) and a stack of named user variables.
class Variables {
 public:
  explicit Variables(bson::BsonView root) : root_(root), current_(root) {}
  const bson::BsonView& root() const { return root_; }
  // $$CURRENT: the root, except inside $redact's descent into sub-documents.
  const bson::BsonView& current() const { return current_; }
  void set_current(bson::BsonView v) { current_ = v; }
  void Push(std::string name, Value v) { stack_.emplace_back(std::move(name), std::move(v)); }
  void Pop() { stack_.pop_back(); }
  // Returns the innermost binding of `name`, or nullptr.
  const Value* Find(std::string_view name) const;
  int64_t now_ms() const { return now_ms_; }
  void set_now_ms(int64_t v) { now_ms_ = v; }

 private:
  bson::BsonView root_;
  bson::BsonView current_;
  std::vector<std::pair<std::string, Value>> stack_;
  int64_t now_ms_ = 0;
};

class Expression {
 public:
  virtual ~Expression() = default;
  // Evaluates against the bound variables; may throw DbException.
  virtual Value Evaluate(Variables* vars) const = 0;
  // True for constants (literal values), which lets parents fold them.
  virtual bool is_constant() const { return false; }
};

using ExprPtr = std::shared_ptr<const Expression>;

// Names visible while parsing (for 17276 "Use of undefined variable").
class ParseScope {
 public:
  ParseScope() = default;
  bool Defined(std::string_view name) const;
  void Define(std::string name) { names_.push_back(std::move(name)); }
  void Undefine() { names_.pop_back(); }

 private:
  std::vector<std::string> names_;
};

// Parses any expression element value (field path, variable, literal, object, operator).
StatusWith<ExprPtr> ParseExpression(const bson::BsonElement& e, ParseScope* scope);
// Parses the operand of an operator as an argument list: an array gives its elements, anything
// else is a single argument.
StatusWith<std::vector<ExprPtr>> ParseArguments(const bson::BsonElement& operand, ParseScope* scope);
// Parses an object literal {a: <expr>, ...} (also used by $addFields / $project computed fields).
StatusWith<ExprPtr> ParseObjectExpression(const bson::BsonView& obj, ParseScope* scope);

// Returns a constant expression.
ExprPtr MakeConstant(Value v);

// Evaluates `expr` over `root` with `let` variables bound.
Value EvaluateWithLet(const Expression& expr, const bson::BsonView& root, const bson::BsonView& let_vars);

// Appends `v` under `name` to `b` (nothing for missing).
void AppendValue(bson::BsonBuilder* b, std::string_view name, const Value& v);

// Builds a ParseScope that knows the `let` variables of `let_vars`.
ParseScope ScopeWithLet(const bson::BsonView& let_vars);

// A parsed and bound expression for callers outside agg (query's $expr, projection, update).
struct BoundExpression {
  ExprPtr expr;
  std::shared_ptr<const bson::BsonDocument> let_vars;
  Value Evaluate(const bson::BsonView& root) const;
};
StatusWith<BoundExpression> CompileExpression(const bson::BsonElement& e, const bson::BsonView& let_vars);

}  // namespace dds::agg
