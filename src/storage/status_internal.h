// Conversion of RocksDB statuses to DDS Status (storage-internal).
#pragma once

#include <rocksdb/status.h>

#include "common/status.h"

namespace dds::storage {

// Maps a RocksDB status: OK -> OK; lock timeouts, deadlocks and busy -> WriteConflict (112);
// corruption -> InternalError with a "data corruption" reason; no space -> OutOfDiskSpace (131);
// everything else -> InternalError.
Status FromRocks(const rocksdb::Status& s);

}  // namespace dds::storage
