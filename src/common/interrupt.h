// Interruption of a running operation (killOp), as mongod's OperationContext::checkForInterrupt:
// the command layer gives each operation an InterruptFlag and installs it on the thread that runs
// the operation (ScopedInterruptFlag); killOp raises the flag from another thread; long loops in
// lower layers (index builds, scans) call CheckForInterrupt() where stopping is safe and return
// its status, unwinding as for any other error. Threads with no flag are never interrupted.
#pragma once

#include <atomic>

#include "common/status.h"

namespace dds {

class InterruptFlag {
 public:
  void Raise() { raised_.store(true, std::memory_order_relaxed); }
  bool raised() const { return raised_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> raised_{false};
};

namespace interrupt_internal {
inline thread_local const InterruptFlag* current_flag = nullptr;
}  // namespace interrupt_internal

// Makes `flag` the current thread's for the scope; the previous one comes back after it.
class ScopedInterruptFlag {
 public:
  explicit ScopedInterruptFlag(const InterruptFlag* flag)
      : previous_(interrupt_internal::current_flag) {
    interrupt_internal::current_flag = flag;
  }
  ~ScopedInterruptFlag() { interrupt_internal::current_flag = previous_; }
  ScopedInterruptFlag(const ScopedInterruptFlag&) = delete;
  ScopedInterruptFlag& operator=(const ScopedInterruptFlag&) = delete;

 private:
  const InterruptFlag* previous_;
};

// Interrupted (11601) "operation was interrupted" once the current thread's operation was
// killed; OK otherwise. Cheap: one thread-local read and one relaxed atomic load.
inline Status CheckForInterrupt() {
  const InterruptFlag* flag = interrupt_internal::current_flag;
  if (flag != nullptr && flag->raised()) {
    return Status(ErrorCode::kInterrupted, "operation was interrupted");
  }
  return Status::OK();
}

}  // namespace dds
