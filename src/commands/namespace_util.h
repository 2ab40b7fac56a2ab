// Namespace rules (compat §2.10): database and collection name validation with mongod's codes
// (73 InvalidNamespace), reading the collection name from a command's first field, and the
// system.* rules. Stateless and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "bson/document.h"
#include "common/status.h"

namespace dds::commands {

// mongod's limits.
constexpr size_t kMaxDatabaseNameLength = 63;
constexpr size_t kMaxNamespaceLength = 255;

// Returns "db.coll".
std::string MakeNamespace(std::string_view db, std::string_view coll);
// Splits "db.coll" at the first dot; coll is "" when there is no dot.
void SplitNamespace(std::string_view ns, std::string_view* db, std::string_view* coll);

// Database names: non-empty, at most 63 bytes, none of / \ . " $ * < > : | ? space NUL (73).
Status ValidateDatabaseName(std::string_view db);

// Collection names: non-empty, no NUL, no '$' (except the internal "$cmd" forms), not starting
// with '.', full namespace at most 255 bytes (73). system.* names pass (see the next helpers).
Status ValidateCollectionName(std::string_view db, std::string_view coll);

// Returns true for "system.*" collection names.
bool IsSystemCollection(std::string_view coll);

// The system collections a user may create or write (system.js, system.views for views,
// system.profile). Others answer 73 "Invalid system namespace: db.system.foo" on create and
// "cannot write to 'db.system.foo'" on writes.
Status ValidateUserCreatableCollection(std::string_view db, std::string_view coll);
Status ValidateUserWritableCollection(std::string_view db, std::string_view coll);

// Reads the collection name from the first field of `cmd` (`{find: "coll", ...}`) and validates
// it: not a string -> 73 "collection name has invalid type int"; empty or invalid -> 73
// "Invalid namespace specified 'db.'".
StatusWith<std::string> CollectionNameFromCommand(std::string_view db, const bson::BsonView& cmd);

// Validates a full "db.coll" namespace string (renameCollection's fields):
// 73 "Invalid namespace specified '<ns>'".
Status ValidateFullNamespace(std::string_view ns);

}  // namespace dds::commands
