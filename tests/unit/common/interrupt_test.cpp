#include "common/interrupt.h"

#include <thread>

#include <gtest/gtest.h>

namespace dds {
namespace {

TEST(InterruptTest, OnlyTheInstalledRaisedFlagInterrupts) {
  EXPECT_TRUE(CheckForInterrupt().ok());  // no operation on this thread
  InterruptFlag outer, inner;
  {
    ScopedInterruptFlag scope(&outer);
    EXPECT_TRUE(CheckForInterrupt().ok());
    {
      ScopedInterruptFlag nested(&inner);
      outer.Raise();
      EXPECT_TRUE(CheckForInterrupt().ok());  // the inner operation was not killed
    }
    Status s = CheckForInterrupt();  // the outer flag is back, and raised
    EXPECT_TRUE(s.Is(ErrorCode::kInterrupted));
    EXPECT_EQ(s.reason(), "operation was interrupted");
  }
  EXPECT_TRUE(CheckForInterrupt().ok());
}

TEST(InterruptTest, AFlagRaisedOnAnotherThreadIsSeen) {
  InterruptFlag flag;
  ScopedInterruptFlag scope(&flag);
  std::thread killer([&flag] { flag.Raise(); });
  killer.join();
  EXPECT_TRUE(CheckForInterrupt().Is(ErrorCode::kInterrupted));
  // Another thread never sees this thread's flag.
  bool other_ok = false;
  std::thread other([&other_ok] { other_ok = CheckForInterrupt().ok(); });
  other.join();
  EXPECT_TRUE(other_ok);
}

}  // namespace
}  // namespace dds
