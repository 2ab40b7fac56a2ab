// What the command layer and the layers below share about the operation a thread runs, as
// mongod's OperationContext does: whether it was killed (killOp) and how far a long step got
// (currentOp's msg and progress). The command layer gives each operation an OperationControl and
// installs it on the thread that runs the operation (ScopedOperationControl); killOp interrupts
// it from another thread. Long loops in lower layers (index builds, scans) call
// CheckForInterrupt() where stopping is safe and return its status, unwinding as for any other
// error, and may ReportProgress(). Threads with no installed control are never interrupted and
// report nothing.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace dds {

class OperationControl {
 public:
  // How far a long step of the operation got.
  struct Progress {
    std::string message;  // "Index Build: scanning collection"
    int64_t done = 0;
    int64_t total = 0;
  };

  void Interrupt() { interrupted_.store(true, std::memory_order_relaxed); }
  bool interrupted() const { return interrupted_.load(std::memory_order_relaxed); }

  void SetProgress(std::string_view message, int64_t done, int64_t total) {
    std::lock_guard lock(mu_);
    if (!progress_) progress_.emplace();
    if (progress_->message != message) progress_->message = std::string(message);
    progress_->done = done;
    progress_->total = total;
  }
  void ClearProgress() {
    std::lock_guard lock(mu_);
    progress_.reset();
  }
  std::optional<Progress> progress() const {
    std::lock_guard lock(mu_);
    return progress_;
  }

 private:
  std::atomic<bool> interrupted_{false};
  mutable std::mutex mu_;
  std::optional<Progress> progress_;
};

namespace operation_control_internal {
inline thread_local OperationControl* current = nullptr;
}  // namespace operation_control_internal

// Makes `control` the current thread's for the scope; the previous one comes back after it.
class ScopedOperationControl {
 public:
  explicit ScopedOperationControl(OperationControl* control)
      : previous_(operation_control_internal::current) {
    operation_control_internal::current = control;
  }
  ~ScopedOperationControl() { operation_control_internal::current = previous_; }
  ScopedOperationControl(const ScopedOperationControl&) = delete;
  ScopedOperationControl& operator=(const ScopedOperationControl&) = delete;

 private:
  OperationControl* previous_;
};

// Interrupted (11601) "operation was interrupted" once the current thread's operation was
// killed; OK otherwise. Cheap: one thread-local read and one relaxed atomic load.
inline Status CheckForInterrupt() {
  const OperationControl* control = operation_control_internal::current;
  if (control != nullptr && control->interrupted()) {
    return Status(ErrorCode::kInterrupted, "operation was interrupted");
  }
  return Status::OK();
}

// Records the progress of the current thread's operation (nothing without one).
inline void ReportProgress(std::string_view message, int64_t done, int64_t total) {
  if (OperationControl* control = operation_control_internal::current) {
    control->SetProgress(message, done, total);
  }
}

// Ends the progress report of the current thread's operation's step.
inline void ClearProgress() {
  if (OperationControl* control = operation_control_internal::current) control->ClearProgress();
}

}  // namespace dds
