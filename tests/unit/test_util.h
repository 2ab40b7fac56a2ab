// Helpers shared by the unit tests.
#pragma once

#include <gtest/gtest.h>

#include "common/status.h"

#define ASSERT_OK(expr)                                                     \
  do {                                                                      \
    auto&& _r = (expr);                                                     \
    const ::dds::Status& _s = ::dds::status_internal::AsStatus(_r);     \
    ASSERT_TRUE(_s.ok()) << _s.ToString();                                  \
  } while (0)

#define EXPECT_OK(expr)                                                     \
  do {                                                                      \
    auto&& _r = (expr);                                                     \
    const ::dds::Status& _s = ::dds::status_internal::AsStatus(_r);     \
    EXPECT_TRUE(_s.ok()) << _s.ToString();                                  \
  } while (0)

#define ASSERT_CODE(expr, code_enum)                                        \
  do {                                                                      \
    auto&& _r = (expr);                                                     \
    const ::dds::Status& _s = ::dds::status_internal::AsStatus(_r);     \
    ASSERT_EQ(_s.code(), ::dds::ToInt(code_enum)) << _s.ToString();         \
  } while (0)

#define EXPECT_CODE(expr, code_enum)                                        \
  do {                                                                      \
    auto&& _r = (expr);                                                     \
    const ::dds::Status& _s = ::dds::status_internal::AsStatus(_r);     \
    EXPECT_EQ(_s.code(), ::dds::ToInt(code_enum)) << _s.ToString();         \
  } while (0)
