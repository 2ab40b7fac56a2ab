// Arithmetic of $inc and $mul with mongod's SafeNum rules: int32 op int32 widens to int64 when the
// result leaves the int32 range; any int64 makes an int64 and overflowing it is an error (no
// silent conversion); any double makes a double; any decimal makes a decimal (IEEE arithmetic,
// round-half-even to 34 digits; a double operand converted with 15 digits as mongod's SafeNum
// does through Decimal128(double)).
#pragma once

#include <optional>
#include <string>

#include "agg/value.h"
#include "bson/bson.h"

namespace dds::update {

// Returns a op b (a + b, or a * b when `multiply`); nullopt when an int64 result overflows.
// REQUIRES: a.IsNumber() && b.IsNumber().
std::optional<agg::Value> ApplyArithmetic(const bson::BsonElement& a, const bson::BsonElement& b, bool multiply);

// mongod's SafeNum debug rendering for messages: "(NumberLong)9223372036854775807".
std::string SafeNumDebugString(const bson::BsonElement& e);

// mongod's SafeNum::isIdentical: same numeric type and equal value (decimals compare by value).
bool NumbersIdentical(const bson::BsonElement& a, const bson::BsonElement& b);

}  // namespace dds::update
