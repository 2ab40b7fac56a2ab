// Document helpers shared by stages and the update layer: setting a value at a dotted path the
// way $addFields / $unwind do (through sub-documents, creating them when missing).
#pragma once

#include <string_view>

#include "agg/value.h"
#include "bson/bson.h"

namespace dds::agg {

// Returns a copy of `doc` with `path` (dotted) set to `v` (missing removes the field). Arrays on
// the way apply the rest of the path to each document element ($addFields semantics).
bson::BsonDocument SetPath(const bson::BsonView& doc, std::string_view path, const Value& v);

// Returns the value at a dotted path without array traversal (as $unwind reads it).
Value GetNestedField(const bson::BsonView& doc, std::string_view path);

}  // namespace dds::agg
