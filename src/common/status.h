// Status and StatusWith<T>: the one error currency of DDS.
//
// A Status is OK or carries a MongoDB error code (see error_codes.def), a reason, and optionally
// extra reply fields as raw BSON bytes (for example keyPattern/keyValue of a DuplicateKey) that the
// wire edge appends to the error reply. An OK Status allocates nothing; copies share the state.
// Status objects are immutable and safe to share between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "common/error_codes.h"

namespace dds {

class Status {
 public:
  // Returns an OK status.
  Status() = default;
  Status(ErrorCode code, std::string reason, std::string extra_bson = {});
  Status(int32_t code, std::string reason, std::string extra_bson = {});

  static Status OK() { return Status(); }

  bool ok() const { return state_ == nullptr; }
  // Returns the numeric code, 0 when OK.
  int32_t code() const { return state_ ? state_->code : 0; }
  ErrorCode error_code() const { return static_cast<ErrorCode>(code()); }
  bool Is(ErrorCode c) const { return code() == ToInt(c); }
  // Returns the reason ("" when OK).
  const std::string& reason() const;
  // Returns the codeName ("OK" when OK).
  std::string code_name() const { return ErrorCodeName(code()); }
  // Returns the extra reply fields as the bytes of a BSON document, or "" when there are none.
  const std::string& extra_bson() const;

  // Returns a copy whose reason is "<prefix><reason>", same code and extra fields.
  Status WithPrefix(std::string_view prefix) const;

  // Returns "<codeName>: <reason>" or "OK".
  std::string ToString() const;

 private:
  struct State {
    int32_t code;
    std::string reason;
    std::string extra_bson;
  };
  std::shared_ptr<const State> state_;
};

// A value of type T or a non-OK Status.
template <typename T>
class StatusWith {
 public:
  StatusWith(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design
  StatusWith(ErrorCode code, std::string reason) : status_(code, std::move(reason)) {}
  StatusWith(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  // REQUIRES: ok()
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

// The one exception type: deep recursive evaluators (query, agg) may throw it; commands/ turns it
// back into a Status.
class DbException : public std::exception {
 public:
  explicit DbException(Status status) : status_(std::move(status)), what_(status_.ToString()) {}
  const Status& status() const { return status_; }
  const char* what() const noexcept override { return what_.c_str(); }

 private:
  Status status_;
  std::string what_;
};

// Throws DbException(Status(code, reason)).
[[noreturn]] void ThrowDb(ErrorCode code, std::string reason);
[[noreturn]] void ThrowDb(int32_t code, std::string reason);
[[noreturn]] void ThrowDb(Status status);

namespace status_internal {
inline const Status& AsStatus(const Status& s) { return s; }
template <typename T>
const Status& AsStatus(const StatusWith<T>& s) {
  return s.status();
}
}  // namespace status_internal

}  // namespace dds

#define DDS_CONCAT_INNER(a, b) a##b
#define DDS_CONCAT(a, b) DDS_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the enclosing function if it is not OK.
#define DDS_RETURN_IF_ERROR(expr)                                           \
  do {                                                                      \
    auto&& _dds_r = (expr);                                                 \
    const ::dds::Status& _dds_s = ::dds::status_internal::AsStatus(_dds_r); \
    if (!_dds_s.ok()) return _dds_s;                                        \
  } while (0)

#define DDS_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

// `lhs` = the value of the StatusWith `expr`, or returns its Status from the enclosing function.
#define DDS_ASSIGN_OR_RETURN(lhs, expr) \
  DDS_ASSIGN_OR_RETURN_IMPL(DDS_CONCAT(_dds_sw_, __LINE__), lhs, expr)

// Throws DbException with the Status of `expr` if it is not OK (for query/agg evaluators).
#define DDS_THROW_IF_ERROR(expr)                                            \
  do {                                                                      \
    auto&& _dds_r = (expr);                                                 \
    const ::dds::Status& _dds_s = ::dds::status_internal::AsStatus(_dds_r); \
    if (!_dds_s.ok()) ::dds::ThrowDb(_dds_s);                               \
  } while (0)
