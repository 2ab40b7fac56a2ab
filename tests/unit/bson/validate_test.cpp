#include <string>

#include "bson/bson.h"
#include "test_util.h"

namespace dds::bson {
namespace {

Status Validate(const std::string& bytes, int max_depth = 200) {
  return ValidateBson(bytes.data(), bytes.size(), max_depth);
}

std::string Le32(int32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); }

std::string Doc(const std::string& elements) {
  return Le32(static_cast<int32_t>(elements.size() + 5)) + elements + std::string(1, '\0');
}

TEST(BsonValidate, AcceptsEveryTypeTheBuilderWrites) {
  BsonDocument doc = FromJson(R"({"d": 1.5, "s": "x", "o": {"a": [1, {"b": null}]},
      "bin": {"$binary": {"base64": "AQID", "subType": "80"}}, "u": {"$undefined": true},
      "oid": {"$oid": "507f1f77bcf86cd799439011"}, "t": true, "date": {"$date": "2020-01-01T00:00:00Z"},
      "re": {"$regularExpression": {"pattern": "x", "options": "ims"}},
      "ptr": {"$dbPointer": {"$ref": "a.b", "$id": {"$oid": "507f1f77bcf86cd799439011"}}},
      "code": {"$code": "x"}, "sym": {"$symbol": "y"}, "cws": {"$code": "z", "$scope": {"q": 1}},
      "i": 1, "ts": {"$timestamp": {"t": 1, "i": 2}}, "l": {"$numberLong": "5"},
      "dec": {"$numberDecimal": "1.1"}, "min": {"$minKey": 1}, "max": {"$maxKey": 1}})");
  size_t size = 0;
  ASSERT_OK(ValidateBson(doc.bytes().data(), doc.bytes().size(), 100, &size));
  EXPECT_EQ(size, doc.bytes().size());
}

TEST(BsonValidate, RejectsBadLengths) {
  EXPECT_CODE(Validate(""), ErrorCode::kInvalidBSON);
  EXPECT_CODE(Validate("\x05\x00\x00"), ErrorCode::kInvalidBSON);
  EXPECT_CODE(Validate(Le32(4) + std::string(1, '\0')), ErrorCode::kInvalidBSON);
  EXPECT_CODE(Validate(Le32(6) + std::string(1, '\0')), ErrorCode::kInvalidBSON);   // claims more
  EXPECT_CODE(Validate(Le32(-1) + std::string(1, '\0')), ErrorCode::kInvalidBSON);
  EXPECT_CODE(Validate(Le32(5) + std::string(1, 'x')), ErrorCode::kInvalidBSON);    // no NUL
  EXPECT_OK(Validate(Le32(5) + std::string(1, '\0')));
  // Trailing bytes after the document are allowed by the caller's `available`.
  EXPECT_OK(Validate(Le32(5) + std::string(1, '\0') + "junk"));
}

TEST(BsonValidate, RejectsBadElements) {
  // Unknown type 0x20.
  EXPECT_CODE(Validate(Doc(std::string("\x20" "a\0", 3))), ErrorCode::kInvalidBSON);
  // Field name without a terminator.
  EXPECT_CODE(Validate(Doc(std::string("\x0A" "abc", 4))), ErrorCode::kInvalidBSON);
  // Bool of 2.
  EXPECT_CODE(Validate(Doc(std::string("\x08" "a\0\x02", 4))), ErrorCode::kInvalidBSON);
  EXPECT_OK(Validate(Doc(std::string("\x08" "a\0\x01", 4))));
  // String length 0, and longer than the document.
  EXPECT_CODE(Validate(Doc(std::string("\x02" "a\0", 3) + Le32(0))), ErrorCode::kInvalidBSON);
  EXPECT_CODE(Validate(Doc(std::string("\x02" "a\0", 3) + Le32(100) + "x")), ErrorCode::kInvalidBSON);
  // String not NUL terminated.
  EXPECT_CODE(Validate(Doc(std::string("\x02" "a\0", 3) + Le32(2) + "xy")), ErrorCode::kInvalidBSON);
  EXPECT_OK(Validate(Doc(std::string("\x02" "a\0", 3) + Le32(2) + std::string("x\0", 2))));
  // Truncated int64.
  EXPECT_CODE(Validate(Doc(std::string("\x12" "a\0\x01\x02", 5))), ErrorCode::kInvalidBSON);
  // Nested document longer than its parent.
  EXPECT_CODE(Validate(Doc(std::string("\x03" "a\0", 3) + Le32(50) + std::string(1, '\0'))),
              ErrorCode::kInvalidBSON);
  // Negative binary length.
  EXPECT_CODE(Validate(Doc(std::string("\x05" "a\0", 3) + Le32(-3) + std::string(1, '\0'))),
              ErrorCode::kInvalidBSON);
  // Old binary subtype 2 with an inconsistent inner length.
  EXPECT_CODE(Validate(Doc(std::string("\x05" "a\0", 3) + Le32(5) + std::string(1, '\x02') +
                           Le32(7) + "z")),
              ErrorCode::kInvalidBSON);
  // Regex with an unterminated flags string.
  EXPECT_CODE(Validate(Doc(std::string("\x0B" "a\0x\0i", 6))), ErrorCode::kInvalidBSON);
}

TEST(BsonValidate, EnforcesDepth) {
  std::string json = "{\"a\": 1}";
  for (int i = 0; i < 10; ++i) json = "{\"a\": " + json + "}";
  BsonDocument doc = FromJson(json);  // 11 levels
  EXPECT_EQ(NestingDepth(doc.bytes().data()), 11);
  EXPECT_OK(Validate(doc.bytes(), 11));
  EXPECT_CODE(Validate(doc.bytes(), 10), ErrorCode::kInvalidBSON);
}

TEST(BsonValidate, TruncationsOfAValidDocumentAreAllRejected) {
  BsonDocument doc = FromJson(R"({"a": "hello", "b": {"c": [1, 2, 3]}, "d": 1.5})");
  const std::string& bytes = doc.bytes();
  for (size_t len = 0; len < bytes.size(); ++len) {
    std::string truncated = bytes.substr(0, len);
    SCOPED_TRACE(len);
    EXPECT_CODE(Validate(truncated), ErrorCode::kInvalidBSON);
  }
}

TEST(BsonValidate, SingleByteCorruptionsNeverCrash) {
  BsonDocument doc = FromJson(R"({"a": "hello", "b": {"c": [1, 2.5, "x"]}, "t": true,
      "cws": {"$code": "z", "$scope": {"q": 1}}})");
  const std::string& bytes = doc.bytes();
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int v : {0x00, 0x01, 0x7F, 0x80, 0xFF}) {
      std::string corrupt = bytes;
      corrupt[i] = static_cast<char>(v);
      Status s = Validate(corrupt);
      if (s.ok()) {
        // Whatever validates must be fully walkable.
        BsonView view(corrupt.data());
        (void)view.ToJson();
      }
    }
  }
}

}  // namespace
}  // namespace dds::bson
