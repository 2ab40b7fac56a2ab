#include "index/partial_filter.h"

#include <atomic>

namespace dds::index {
namespace {
std::atomic<FilterCompiler> g_compiler{nullptr};
}  // namespace

void SetFilterCompiler(FilterCompiler compiler) { g_compiler.store(compiler); }

FilterCompiler GetFilterCompiler() { return g_compiler.load(); }

}  // namespace dds::index
