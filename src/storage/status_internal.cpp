#include "storage/status_internal.h"

namespace dds::storage {

Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return Status::OK();
  if (s.IsTimedOut() || s.IsBusy() || s.IsDeadlock() || s.IsTryAgain()) {
    return Status(ErrorCode::kWriteConflict,
                  "WriteConflict error: this operation conflicted with another operation (" +
                      s.ToString() + ")");
  }
  if (s.IsNoSpace()) return Status(ErrorCode::kOutOfDiskSpace, s.ToString());
  if (s.IsCorruption())
    return Status(ErrorCode::kInternalError, "data corruption: " + s.ToString());
  return Status(ErrorCode::kInternalError, "storage error: " + s.ToString());
}

}  // namespace dds::storage
