#include "common/assert.h"

#include <cstdio>
#include <cstdlib>

namespace dds {

void InvariantFailed(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "Invariant failure: %s at %s:%d\n", expr, file, line);
  std::fflush(stderr);
  std::abort();
}

}  // namespace dds
