// Extended JSON (MongoDB Extended JSON v2): output in canonical or relaxed mode, and parsing of
// both (plus plain JSON) into BSON. Also mongod's shell-like rendering used in error messages.
#pragma once

#include <string>
#include <string_view>

#include "bson/document.h"
#include "common/status.h"

namespace dds::bson {

enum class ExtJsonMode { kCanonical, kRelaxed };

std::string ToExtJson(const BsonView& doc, ExtJsonMode mode);
std::string ArrayToExtJson(const BsonView& array, ExtJsonMode mode);
std::string ElementValueToJson(const BsonElement& e, ExtJsonMode mode);

// Renders as mongod does in messages: { a: 1, b: "x", c: ObjectId('...') }.
std::string ToShellString(const BsonView& doc);
std::string ElementValueToShellString(const BsonElement& e);

// Parses an Extended JSON object (canonical or relaxed). Plain integers become int32 when they
// fit, else int64; numbers with a fraction or exponent become double. Errors are FailedToParse.
StatusWith<BsonDocument> ParseExtJson(std::string_view json);

// Parses `json` and aborts on failure: for tests and constant documents in code.
BsonDocument FromJson(std::string_view json);

}  // namespace dds::bson
