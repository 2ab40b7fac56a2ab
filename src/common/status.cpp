#include "common/status.h"

namespace dds {

Status::Status(ErrorCode code, std::string reason, std::string extra_bson)
    : Status(ToInt(code), std::move(reason), std::move(extra_bson)) {}

Status::Status(int32_t code, std::string reason, std::string extra_bson) {
  if (code == 0) return;
  state_ = std::make_shared<const State>(State{code, std::move(reason), std::move(extra_bson)});
}

const std::string& Status::reason() const {
  static const std::string kEmpty;
  return state_ ? state_->reason : kEmpty;
}

const std::string& Status::extra_bson() const {
  static const std::string kEmpty;
  return state_ ? state_->extra_bson : kEmpty;
}

Status Status::WithPrefix(std::string_view prefix) const {
  if (ok()) return *this;
  return Status(state_->code, std::string(prefix) + state_->reason, state_->extra_bson);
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return code_name() + ": " + state_->reason;
}

void ThrowDb(ErrorCode code, std::string reason) { throw DbException(Status(code, std::move(reason))); }
void ThrowDb(int32_t code, std::string reason) { throw DbException(Status(code, std::move(reason))); }
void ThrowDb(Status status) { throw DbException(std::move(status)); }

}  // namespace dds
