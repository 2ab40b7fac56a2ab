#include "common/operation_control.h"

#include <thread>

#include <gtest/gtest.h>

namespace dds {
namespace {

TEST(OperationControlTest, OnlyTheInstalledInterruptedControlInterrupts) {
  EXPECT_TRUE(CheckForInterrupt().ok());  // no operation on this thread
  OperationControl outer, inner;
  {
    ScopedOperationControl scope(&outer);
    EXPECT_TRUE(CheckForInterrupt().ok());
    {
      ScopedOperationControl nested(&inner);
      outer.Interrupt();
      EXPECT_TRUE(CheckForInterrupt().ok());  // the inner operation was not killed
    }
    Status s = CheckForInterrupt();  // the outer control is back, and interrupted
    EXPECT_TRUE(s.Is(ErrorCode::kInterrupted));
    EXPECT_EQ(s.reason(), "operation was interrupted");
  }
  EXPECT_TRUE(CheckForInterrupt().ok());
}

TEST(OperationControlTest, AnInterruptFromAnotherThreadIsSeen) {
  OperationControl control;
  ScopedOperationControl scope(&control);
  std::thread killer([&control] { control.Interrupt(); });
  killer.join();
  EXPECT_TRUE(CheckForInterrupt().Is(ErrorCode::kInterrupted));
  // Another thread never sees this thread's control.
  bool other_ok = false;
  std::thread other([&other_ok] { other_ok = CheckForInterrupt().ok(); });
  other.join();
  EXPECT_TRUE(other_ok);
}

TEST(OperationControlTest, TheFirstInterruptReasonStands) {
  OperationControl control;
  ScopedOperationControl scope(&control);
  EXPECT_EQ(CurrentOperationControl(), &control);
  control.Interrupt(
      Status(ErrorCode::kIndexBuildAborted, "Index build aborted: dropIndexes command"));
  control.Interrupt();  // a later killOp does not change why the operation ends
  Status s = CheckForInterrupt();
  EXPECT_TRUE(s.Is(ErrorCode::kIndexBuildAborted));
  EXPECT_EQ(s.reason(), "Index build aborted: dropIndexes command");
  EXPECT_EQ(s.code_name(), "IndexBuildAborted");
}

TEST(OperationControlTest, ProgressGoesToTheInstalledControlOnly) {
  ReportProgress("nowhere", 1, 2);  // no control: nothing to report to
  OperationControl control;
  EXPECT_FALSE(control.progress().has_value());
  {
    ScopedOperationControl scope(&control);
    ReportProgress("Index Build: scanning collection", 1024, 5000);
  }
  ReportProgress("after the scope", 1, 1);
  std::optional<OperationControl::Progress> p = control.progress();
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->message, "Index Build: scanning collection");
  EXPECT_EQ(p->done, 1024);
  EXPECT_EQ(p->total, 5000);
  {
    ScopedOperationControl scope(&control);
    ClearProgress();
  }
  EXPECT_FALSE(control.progress().has_value());
}

}  // namespace
}  // namespace dds
