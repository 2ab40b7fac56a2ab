// The hook through which the index layer evaluates partialFilterExpression without depending on
// the query layer (STYLE §1: the interface lives in the lower layer, the implementation in the
// upper one). The query library installs a compiler (query/planner.cpp, at static
// initialization and again from query::InstallIndexHooks()); until then an index with a partial
// filter answers a clear error instead of indexing the wrong documents.
#pragma once

#include <memory>

#include "bson/bson.h"
#include "common/status.h"

namespace dds::index {

// A compiled filter. Immutable; thread-safe.
class DocumentFilter {
 public:
  virtual ~DocumentFilter() = default;
  // Returns whether `doc` matches. Must not throw.
  virtual bool Matches(const bson::BsonView& doc) const = 0;
};

using FilterCompiler =
    StatusWith<std::shared_ptr<const DocumentFilter>> (*)(const bson::BsonView& filter);

// Installs the compiler (idempotent).
void SetFilterCompiler(FilterCompiler compiler);
// Returns the installed compiler or nullptr.
FilterCompiler GetFilterCompiler();

}  // namespace dds::index
