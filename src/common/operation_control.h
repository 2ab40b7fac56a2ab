// What the command layer and the layers below share about the operation a thread runs, as
// mongod's OperationContext does: whether it was killed (killOp) and how far a long step got
// (currentOp's msg and progress). The command layer gives each operation an OperationControl and
// installs it on the thread that runs the operation (ScopedOperationControl); killOp interrupts
// it from another thread, as does a drop that aborts the index builds it would otherwise wait
// for (with its own reason: IndexBuildAborted). Long loops in lower layers (index builds, scans)
// call CheckForInterrupt() where stopping is safe and return its status, unwinding as for any
// other error, and may ReportProgress(). Threads with no installed control are never interrupted
// and report nothing.
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

  // killOp: the operation ends with Interrupted (11601).
  void Interrupt() { Interrupt(Status(ErrorCode::kInterrupted, "operation was interrupted")); }
  // The operation ends with `reason`; the first reason given stands.
  void Interrupt(Status reason) {
    std::lock_guard lock(mu_);
    if (interrupted_.load(std::memory_order_relaxed)) return;
    reason_ = std::move(reason);
    interrupted_.store(true, std::memory_order_release);
  }
  bool interrupted() const { return interrupted_.load(std::memory_order_acquire); }
  // Why the operation was interrupted. REQUIRES: interrupted().
  Status interrupt_reason() const {
    std::lock_guard lock(mu_);
    return reason_;
  }

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
  Status reason_;
  std::optional<Progress> progress_;
};

namespace operation_control_internal {
inline thread_local OperationControl* current = nullptr;
}  // namespace operation_control_internal

// The current thread's operation control, or null.
inline OperationControl* CurrentOperationControl() { return operation_control_internal::current; }

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

// The reason the current thread's operation was interrupted (killOp: Interrupted 11601); OK
// otherwise. Cheap while not interrupted: one thread-local read and one atomic load.
inline Status CheckForInterrupt() {
  const OperationControl* control = operation_control_internal::current;
  if (control != nullptr && control->interrupted()) return control->interrupt_reason();
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
