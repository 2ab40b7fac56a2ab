// MongoDB's comparison of BSON values (compat §3.2): first by canonical type rank, then by value
// within the rank. Numbers of every type compare exactly as numbers (NaN lowest); strings compare
// bytewise; documents field by field (type rank, name, value), fewer fields first; arrays element
// by element. This is the order of sorting, of equality in queries, and of KeyString.
#pragma once

#include "bson/document.h"

namespace dds::bson {

// Returns <0, 0 or >0 comparing the values of `a` and `b` (names ignored). EOO sorts as the
// lowest non-MinKey value (with undefined).
int CompareElementValues(const BsonElement& a, const BsonElement& b);

// Returns <0, 0 or >0 comparing whole elements: type rank, then field name, then value.
int CompareElementsWithNames(const BsonElement& a, const BsonElement& b);

// Returns <0, 0 or >0 comparing documents field by field.
int CompareDocuments(const BsonView& a, const BsonView& b);

inline bool ValuesEqual(const BsonElement& a, const BsonElement& b) {
  return CompareElementValues(a, b) == 0;
}

// Compares two numeric elements exactly. REQUIRES: both IsNumber().
int CompareNumbers(const BsonElement& a, const BsonElement& b);

}  // namespace dds::bson
