// writeConcern parsing (compat §1.10): {w, j, wtimeout, fsync, provenance}.
//
// A standalone node can always satisfy w: 0/1/"majority". For w > 1 or an unknown tag the write
// still happens and the reply carries a writeConcernError document; the write itself never fails
// because of the write concern. Malformed writeConcern documents are command errors (14/9), as in
// mongod. Stateless and thread-safe.
#pragma once

#include <optional>

#include "bson/document.h"
#include "common/status.h"

namespace dds::commands {

struct WriteConcern {
  // True when the commit must reach stable storage before replying (j: true or fsync: true).
  bool durable = false;
  // True for w: 0 (the client expects no acknowledgement; the reply may still be sent).
  bool unacknowledged = false;
  // {code, codeName, errmsg, errInfo: {writeConcern: {...}}} to append as `writeConcernError`
  // to a successful write reply, when the requested concern cannot be satisfied.
  std::optional<bson::BsonDocument> write_concern_error;
};

// Parses the `writeConcern` element of a command (EOO = default {w: 1}).
// Errors: not an object -> 14; w of a wrong type -> 14; negative w -> 9 FailedToParse;
// j/fsync/wtimeout of a wrong type -> 14; j and fsync both true -> 9.
StatusWith<WriteConcern> ParseWriteConcern(const bson::BsonElement& write_concern);

// Convenience: reads `writeConcern` from a command document.
StatusWith<WriteConcern> ParseWriteConcernFromCommand(const bson::BsonView& cmd);

}  // namespace dds::commands
