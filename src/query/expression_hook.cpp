#include "query/expression_hook.h"

#include <atomic>

namespace dds::query {
namespace {
std::atomic<ExpressionCompiler> g_compiler{nullptr};
}  // namespace

void SetExpressionCompiler(ExpressionCompiler compiler) { g_compiler.store(compiler); }

ExpressionCompiler GetExpressionCompiler() { return g_compiler.load(); }

}  // namespace dds::query
