// KeyString: an order-preserving byte encoding of BSON values.
//
// For any two values a and b, memcmp order of EncodeKeyString(a) and EncodeKeyString(b) equals
// bson::CompareElementValues(a, b) (MongoDB's cross-type order, compat §3.2), and values that
// compare equal (int32 1, int64 1, double 1.0, decimal 1.0; -0.0 and 0) encode to identical bytes.
// Encodings are prefix-free, so KeyStrings may be concatenated (compound keys, [key][_id]) and the
// concatenation still sorts as the tuple. The byte layout is described in docs/on-disk-format.md
// ("KeyString"); it is part of the on-disk format (format version 1). Decoding is not supported.
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "bson/bson.h"

namespace dds::storage {

// Appends the KeyString of the value of `value` (its field name is ignored) to *out. EOO (the
// missing value) encodes like undefined. With `descending`, the appended bytes are inverted, so
// the value sorts in reverse order (a descending component of a compound index key).
void AppendKeyString(std::string* out, const bson::BsonElement& value, bool descending = false);

// Returns the KeyString of the value of `value`.
std::string EncodeKeyString(const bson::BsonElement& value);

// Returns the length of the one KeyString value (ascending or descending) that starts `bytes`,
// or 0 when `bytes` does not start with a complete, well-formed value. Used by the index-key
// prefix extractor (the first field of an index key); never fails on arbitrary bytes.
size_t KeyStringValueSize(std::string_view bytes);

}  // namespace dds::storage
