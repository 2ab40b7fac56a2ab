// BSON type tags, their names, and MongoDB's canonical cross-type order.
#pragma once

#include <cstdint>
#include <string_view>

namespace dds::bson {

enum class BsonType : int8_t {
  kEoo = 0,
  kDouble = 1,
  kString = 2,
  kObject = 3,
  kArray = 4,
  kBinData = 5,
  kUndefined = 6,  // deprecated
  kObjectId = 7,
  kBool = 8,
  kDate = 9,
  kNull = 10,
  kRegex = 11,
  kDbPointer = 12,  // deprecated
  kJavaScript = 13,
  kSymbol = 14,  // deprecated
  kJavaScriptWithScope = 15,
  kInt32 = 16,
  kTimestamp = 17,
  kInt64 = 18,
  kDecimal128 = 19,
  kMinKey = -1,
  kMaxKey = 127,
};

// Binary subtypes.
enum class BinarySubtype : uint8_t {
  kGeneric = 0,
  kFunction = 1,
  kBinaryOld = 2,
  kUuidOld = 3,
  kUuid = 4,
  kMd5 = 5,
  kEncrypted = 6,
  kColumn = 7,
  kSensitive = 8,
  kVector = 9,
  kUserDefined = 0x80,
};

// Returns true if `type_byte` is a valid BSON type tag.
bool IsValidBsonType(int8_t type_byte);

// Returns MongoDB's $type alias ("double", "string", "object", ... "minKey", "maxKey").
std::string_view TypeAlias(BsonType type);

// Returns the canonical rank used for cross-type comparison (compat §3.2); equal ranks compare by
// value. MinKey lowest, MaxKey highest; all numbers share one rank; string and symbol share one.
int CanonicalTypeRank(BsonType type);

inline bool IsNumericType(BsonType t) {
  return t == BsonType::kInt32 || t == BsonType::kInt64 || t == BsonType::kDouble ||
         t == BsonType::kDecimal128;
}

constexpr int32_t kMaxBsonObjectSize = 16 * 1024 * 1024;
// Command bodies may exceed a user document by this much (mongod's BSONObjMaxInternalSize).
constexpr int32_t kMaxBsonInternalSize = kMaxBsonObjectSize + 16 * 1024;
// Maximum nesting depth of a stored document (mongod BSONDepth default).
constexpr int kMaxBsonDepth = 100;

}  // namespace dds::bson
