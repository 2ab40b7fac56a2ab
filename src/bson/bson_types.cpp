#include "bson/bson_types.h"

namespace dds::bson {

bool IsValidBsonType(int8_t b) {
  return (b >= 1 && b <= 19) || b == -1 || b == 127;
}

std::string_view TypeAlias(BsonType type) {
  switch (type) {
    case BsonType::kEoo: return "missing";
    case BsonType::kDouble: return "double";
    case BsonType::kString: return "string";
    case BsonType::kObject: return "object";
    case BsonType::kArray: return "array";
    case BsonType::kBinData: return "binData";
    case BsonType::kUndefined: return "undefined";
    case BsonType::kObjectId: return "objectId";
    case BsonType::kBool: return "bool";
    case BsonType::kDate: return "date";
    case BsonType::kNull: return "null";
    case BsonType::kRegex: return "regex";
    case BsonType::kDbPointer: return "dbPointer";
    case BsonType::kJavaScript: return "javascript";
    case BsonType::kSymbol: return "symbol";
    case BsonType::kJavaScriptWithScope: return "javascriptWithScope";
    case BsonType::kInt32: return "int";
    case BsonType::kTimestamp: return "timestamp";
    case BsonType::kInt64: return "long";
    case BsonType::kDecimal128: return "decimal";
    case BsonType::kMinKey: return "minKey";
    case BsonType::kMaxKey: return "maxKey";
  }
  return "unknown";
}

int CanonicalTypeRank(BsonType type) {
  switch (type) {
    case BsonType::kMinKey: return -1;
    case BsonType::kEoo: return 0;
    case BsonType::kUndefined: return 0;
    case BsonType::kNull: return 5;
    case BsonType::kInt32:
    case BsonType::kInt64:
    case BsonType::kDouble:
    case BsonType::kDecimal128: return 10;
    case BsonType::kString:
    case BsonType::kSymbol: return 15;
    case BsonType::kObject: return 20;
    case BsonType::kArray: return 25;
    case BsonType::kBinData: return 30;
    case BsonType::kObjectId: return 35;
    case BsonType::kBool: return 40;
    case BsonType::kDate: return 45;
    case BsonType::kTimestamp: return 47;
    case BsonType::kRegex: return 50;
    case BsonType::kDbPointer: return 55;
    case BsonType::kJavaScript: return 60;
    case BsonType::kJavaScriptWithScope: return 65;
    case BsonType::kMaxKey: return 127;
  }
  return 0;
}

}  // namespace dds::bson
