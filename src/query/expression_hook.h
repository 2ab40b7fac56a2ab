// The hook through which the query layer evaluates aggregation expressions ($expr in filters,
// computed projection fields) without depending on the agg layer (STYLE §1: the interface lives
// in the lower layer, the implementation in the upper one). The agg library installs the compiler
// at static-initialization time (agg/expression.cpp); until then, $expr answers a clear error.
#pragma once

#include <memory>

#include "bson/document.h"
#include "common/status.h"

namespace dds::query {

// A compiled aggregation expression. Immutable; thread-safe.
class CompiledExpression {
 public:
  virtual ~CompiledExpression() = default;
  // Returns {"": value}, or an empty document when the value is "missing". May throw
  // DbException.
  virtual bson::BsonDocument Evaluate(const bson::BsonView& root) const = 0;
};

using ExpressionCompiler = StatusWith<std::shared_ptr<const CompiledExpression>> (*)(
    const bson::BsonElement& expr, const bson::BsonView& let_vars);

// Installs the compiler (called once by the agg layer).
void SetExpressionCompiler(ExpressionCompiler compiler);
// Returns the installed compiler or nullptr.
ExpressionCompiler GetExpressionCompiler();

}  // namespace dds::query
