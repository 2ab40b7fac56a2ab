#include "bson/validate.h"

#include <algorithm>

#include <cstdint>
#include <cstring>
#include <string>

#include "bson/document.h"

namespace dds::bson {
namespace {

class Validator {
 public:
  Validator(const char* begin, const char* end, int max_depth)
      : begin_(begin), end_(end), max_depth_(max_depth) {}

  Status Document(const char* p, size_t* size_out, int depth, bool is_array) {
    if (depth > max_depth_) return Fail(p, "nesting depth exceeds " + std::to_string(max_depth_));
    int32_t len;
    if (!ReadInt32(p, &len)) return Fail(p, "truncated document length");
    if (len < 5) return Fail(p, "document length " + std::to_string(len) + " is too small");
    if (static_cast<size_t>(len) > static_cast<size_t>(end_ - p)) {
      return Fail(p, "document length " + std::to_string(len) + " exceeds the available bytes");
    }
    const char* doc_end = p + len;
    if (doc_end[-1] != '\0') return Fail(p, "document is not terminated by a NUL byte");
    const char* q = p + 4;
    while (q < doc_end - 1) {
      int8_t type = static_cast<int8_t>(*q++);
      if (!IsValidBsonType(type)) {
        return Fail(q - 1, "unknown BSON type " + std::to_string(static_cast<int>(type)));
      }
      const char* name_end =
          static_cast<const char*>(std::memchr(q, '\0', static_cast<size_t>(doc_end - 1 - q)));
      if (!name_end) return Fail(q, "field name is not terminated");
      (void)is_array;
      q = name_end + 1;
      size_t value_size = 0;
      DDS_RETURN_IF_ERROR(Value(static_cast<BsonType>(type), q, doc_end - 1, depth, &value_size));
      q += value_size;
    }
    if (q != doc_end - 1) return Fail(q, "element overruns its document");
    if (size_out) *size_out = static_cast<size_t>(len);
    return Status::OK();
  }

 private:
  bool ReadInt32(const char* p, int32_t* out) const {
    if (end_ - p < 4) return false;
    std::memcpy(out, p, 4);
    return true;
  }

  Status Fail(const char* at, const std::string& what) const {
    return Status(ErrorCode::kInvalidBSON,
                  "invalid BSON at offset " + std::to_string(at - begin_) + ": " + what);
  }

  Status StringValue(const char* p, const char* limit, size_t* size) {
    int32_t len;
    if (limit - p < 4 || !ReadInt32(p, &len)) return Fail(p, "truncated string length");
    if (len < 1 || static_cast<size_t>(len) > static_cast<size_t>(limit - p - 4)) {
      return Fail(p, "bad string length " + std::to_string(len));
    }
    if (p[4 + len - 1] != '\0') return Fail(p, "string is not NUL-terminated");
    *size = 4 + static_cast<size_t>(len);
    return Status::OK();
  }

  Status CString(const char* p, const char* limit, size_t* size) {
    const char* nul = static_cast<const char*>(std::memchr(p, '\0', static_cast<size_t>(limit - p)));
    if (!nul) return Fail(p, "cstring is not terminated");
    *size = static_cast<size_t>(nul - p) + 1;
    return Status::OK();
  }

  Status Fixed(const char* p, const char* limit, size_t n, size_t* size) {
    if (static_cast<size_t>(limit - p) < n) return Fail(p, "truncated value");
    *size = n;
    return Status::OK();
  }

  // `limit` is the position of the enclosing document's terminating NUL.
  Status Value(BsonType type, const char* p, const char* limit, int depth, size_t* size) {
    switch (type) {
      case BsonType::kUndefined:
      case BsonType::kNull:
      case BsonType::kMinKey:
      case BsonType::kMaxKey: *size = 0; return Status::OK();
      case BsonType::kBool:
        DDS_RETURN_IF_ERROR(Fixed(p, limit, 1, size));
        if (*p != 0 && *p != 1) return Fail(p, "bool value is not 0 or 1");
        return Status::OK();
      case BsonType::kInt32: return Fixed(p, limit, 4, size);
      case BsonType::kDouble:
      case BsonType::kDate:
      case BsonType::kTimestamp:
      case BsonType::kInt64: return Fixed(p, limit, 8, size);
      case BsonType::kDecimal128: return Fixed(p, limit, 16, size);
      case BsonType::kObjectId: return Fixed(p, limit, 12, size);
      case BsonType::kString:
      case BsonType::kSymbol:
      case BsonType::kJavaScript: return StringValue(p, limit, size);
      case BsonType::kObject:
      case BsonType::kArray: {
        Validator sub(begin_, limit, max_depth_);
        return sub.Document(p, size, depth + 1, type == BsonType::kArray);
      }
      case BsonType::kBinData: {
        int32_t len;
        if (limit - p < 5 || !ReadInt32(p, &len)) return Fail(p, "truncated binary length");
        if (len < 0 || static_cast<size_t>(len) > static_cast<size_t>(limit - p - 5)) {
          return Fail(p, "bad binary length " + std::to_string(len));
        }
        if (p[4] == 2) {
          // Old binary subtype 2 wraps its bytes in a second length.
          int32_t inner;
          if (len < 4 || !ReadInt32(p + 5, &inner) || inner != len - 4) {
            return Fail(p, "bad length of binary subtype 2");
          }
        }
        *size = 5 + static_cast<size_t>(len);
        return Status::OK();
      }
      case BsonType::kRegex: {
        size_t pattern = 0, flags = 0;
        DDS_RETURN_IF_ERROR(CString(p, limit, &pattern));
        DDS_RETURN_IF_ERROR(CString(p + pattern, limit, &flags));
        *size = pattern + flags;
        return Status::OK();
      }
      case BsonType::kDbPointer: {
        size_t ns;
        DDS_RETURN_IF_ERROR(StringValue(p, limit, &ns));
        if (static_cast<size_t>(limit - p) < ns + 12) return Fail(p, "truncated dbPointer");
        *size = ns + 12;
        return Status::OK();
      }
      case BsonType::kJavaScriptWithScope: {
        int32_t total;
        if (!ReadInt32(p, &total) || limit - p < 4) return Fail(p, "truncated code with scope");
        if (total < 14 || static_cast<size_t>(total) > static_cast<size_t>(limit - p)) {
          return Fail(p, "bad code-with-scope length");
        }
        const char* scope_limit = p + total;
        size_t code;
        DDS_RETURN_IF_ERROR(StringValue(p + 4, scope_limit, &code));
        Validator sub(begin_, scope_limit, max_depth_);
        size_t scope_size;
        DDS_RETURN_IF_ERROR(sub.Document(p + 4 + code, &scope_size, depth + 1, false));
        if (4 + code + scope_size != static_cast<size_t>(total)) {
          return Fail(p, "code-with-scope length mismatch");
        }
        *size = static_cast<size_t>(total);
        return Status::OK();
      }
      case BsonType::kEoo: break;
    }
    return Fail(p, "unexpected type");
  }

  const char* begin_;
  const char* end_;
  int max_depth_;
};

int Depth(const char* data) {
  int deepest = 0;
  BsonView view(data);
  (void)view;
  const char* p = data + 4;
  while (*p) {
    BsonElement e(p);
    if (e.type() == BsonType::kObject || e.type() == BsonType::kArray) {
      deepest = std::max(deepest, Depth(e.value()));
    }
    p += e.size();
  }
  return deepest + 1;
}

}  // namespace

Status ValidateBson(const char* data, size_t available, int max_depth, size_t* document_size) {
  if (data == nullptr) return Status(ErrorCode::kInvalidBSON, "invalid BSON: no data");
  Validator validator(data, data + available, max_depth);
  return validator.Document(data, document_size, 1, false);
}

int NestingDepth(const char* data) { return Depth(data); }

}  // namespace dds::bson
