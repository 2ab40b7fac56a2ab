// Invariants: programmer errors, never reported as a Status.
// DDS_INVARIANT aborts in every build; DDS_DASSERT checks only in debug builds.
#pragma once

namespace dds {
[[noreturn]] void InvariantFailed(const char* expr, const char* file, int line);
}  // namespace dds

#define DDS_INVARIANT(cond) \
  ((cond) ? static_cast<void>(0) : ::dds::InvariantFailed(#cond, __FILE__, __LINE__))

#ifdef NDEBUG
#define DDS_DASSERT(cond) static_cast<void>(0)
#else
#define DDS_DASSERT(cond) DDS_INVARIANT(cond)
#endif
