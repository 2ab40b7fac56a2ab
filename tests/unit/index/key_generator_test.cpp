#include "index/key_generator.h"

#include <gtest/gtest.h>

#include "index_test_util.h"
#include "storage/key_string.h"

namespace dds::index {
namespace {

using V = std::vector<std::string>;

TEST(KeyGenerator, SingleFieldScalarAndMissing) {
  IndexInfo info = InfoFromJson(R"({"v":2,"key":{"a":1},"name":"a_1"})");
  EXPECT_EQ(KeysOf(info, R"({"_id":1,"a":5})"), V{"5"});
  EXPECT_EQ(KeysOf(info, R"({"_id":1})"), V{"missing"});
  EXPECT_EQ(KeysOf(info, R"({"_id":1,"a":null})"), V{"null"});
  EXPECT_EQ(KeysOf(info, R"({"_id":1,"a":{"b":1}})"), V{R"({"b":1})"});
}

TEST(KeyGenerator, ArraysExpandOneKeyPerDistinctElement) {
  IndexInfo info = InfoFromJson(R"({"v":2,"key":{"a":1},"name":"a_1"})");
  bool multikey = false;
  EXPECT_EQ(KeysOf(info, R"({"a":[3,1,3,2]})", nullptr, &multikey), (V{"1", "2", "3"}));
  EXPECT_TRUE(multikey);
  // 1 and 1.0 are one key.
  EXPECT_EQ(KeysOf(info, R"({"a":[1,1.0]})").size(), 1u);
  // Nested arrays are keys themselves.
  EXPECT_EQ(KeysOf(info, R"({"a":[1,[2,3]]})"), (V{"1", "[2,3]"}));
  // An empty array indexes undefined.
  EXPECT_EQ(KeysOf(info, R"({"a":[]})"), V{R"({"$undefined":true})"});
  KeysOf(info, R"({"a":5})", nullptr, &multikey);
  EXPECT_FALSE(multikey);
}

TEST(KeyGenerator, DottedPathsThroughArraysOfDocuments) {
  IndexInfo info = InfoFromJson(R"({"v":2,"key":{"a.b":1},"name":"a.b_1"})");
  EXPECT_EQ(KeysOf(info, R"({"a":{"b":2}})"), V{"2"});
  EXPECT_EQ(KeysOf(info, R"({"a":[{"b":2},{"b":1}]})"), (V{"1", "2"}));
  // Elements lacking the field (or scalars) give null.
  EXPECT_EQ(KeysOf(info, R"({"a":[{"b":2},{"c":1},7]})"), (V{"missing", "2"}));
  EXPECT_EQ(KeysOf(info, R"({"a":[{"b":[1,2]},{"b":3}]})"), (V{"1", "2", "3"}));
  EXPECT_EQ(KeysOf(info, R"({"a":5})"), V{"missing"});
  EXPECT_EQ(KeysOf(info, R"({"a":[]})"), V{"missing"});
  // Arrays nested directly in arrays are not traversed.
  EXPECT_EQ(KeysOf(info, R"({"a":[[{"b":1}]]})"), V{"missing"});
}

TEST(KeyGenerator, PositionalComponentSelectsElement) {
  IndexInfo info = InfoFromJson(R"({"v":2,"key":{"a.1":1},"name":"a.1_1"})");
  EXPECT_EQ(KeysOf(info, R"({"a":[5,6]})"), V{"6"});
  IndexInfo nested = InfoFromJson(R"({"v":2,"key":{"a.0.b":1},"name":"x"})");
  EXPECT_EQ(KeysOf(nested, R"({"a":[{"b":1},{"b":2}]})"), V{"1"});
}

TEST(KeyGenerator, CompoundCartesianWithOneArray) {
  IndexInfo info = InfoFromJson(R"({"v":2,"key":{"a":1,"b":1},"name":"a_1_b_1"})");
  EXPECT_EQ(KeysOf(info, R"({"a":1,"b":[2,3]})"), (V{"1,2", "1,3"}));
  EXPECT_EQ(KeysOf(info, R"({"a":[1,2],"b":3})"), (V{"1,3", "2,3"}));
  EXPECT_EQ(KeysOf(info, R"({"b":3})"), (V{"missing,3"}));
}

TEST(KeyGenerator, ParallelArraysRejected) {
  IndexInfo info = InfoFromJson(R"({"v":2,"key":{"a":1,"b":1},"name":"a_1_b_1"})");
  Status s;
  KeysOf(info, R"({"a":[1,2],"b":[3,4]})", &s);
  ASSERT_CODE(s, ErrorCode::kCannotIndexParallelArrays);
  EXPECT_EQ(s.reason(), "cannot index parallel arrays [b] [a]");
  // Empty arrays are arrays too.
  KeysOf(info, R"({"a":[],"b":[]})", &s);
  EXPECT_CODE(s, ErrorCode::kCannotIndexParallelArrays);
}

TEST(KeyGenerator, SameArrayForTwoFieldsIsPositional) {
  IndexInfo info = InfoFromJson(R"({"v":2,"key":{"a.b":1,"a.c":1},"name":"x"})");
  EXPECT_EQ(KeysOf(info, R"({"a":[{"b":1,"c":2},{"b":3,"c":4}]})"), (V{"1,2", "3,4"}));
  Status s;
  KeysOf(InfoFromJson(R"({"v":2,"key":{"a.b":1,"c.d":1},"name":"y"})"),
         R"({"a":[{"b":1}],"c":[{"d":1}]})", &s);
  EXPECT_CODE(s, ErrorCode::kCannotIndexParallelArrays);
}

TEST(KeyGenerator, SparseSkipsOnlyAllMissing) {
  IndexInfo info = InfoFromJson(R"({"v":2,"key":{"a":1},"name":"a_1","sparse":true})");
  EXPECT_EQ(KeysOf(info, R"({"b":1})"), V{});
  EXPECT_EQ(KeysOf(info, R"({"a":null})"), V{"null"});
  IndexInfo compound =
      InfoFromJson(R"({"v":2,"key":{"a":1,"b":1},"name":"ab","sparse":true})");
  EXPECT_EQ(KeysOf(compound, R"({"c":1})"), V{});
  EXPECT_EQ(KeysOf(compound, R"({"b":1})"), V{"missing,1"});
  IndexInfo dotted = InfoFromJson(R"({"v":2,"key":{"a.b":1},"name":"x","sparse":true})");
  EXPECT_EQ(KeysOf(dotted, R"({"a":[{"b":1},{"c":1}]})"), V{"1"});
}

TEST(KeyGenerator, HashedKeysAndArrays) {
  IndexInfo info = InfoFromJson(R"({"v":2,"key":{"a":"hashed"},"name":"a_hashed"})");
  std::vector<std::string> one = KeysOf(info, R"({"a":1})");
  EXPECT_EQ(one, KeysOf(info, R"({"a":1.0})"));
  EXPECT_EQ(one, KeysOf(info, R"({"a":{"$numberLong":"1"}})"));
  EXPECT_NE(one, KeysOf(info, R"({"a":2})"));
  ASSERT_EQ(one.size(), 1u);
  Status s;
  KeysOf(info, R"({"a":[1]})", &s);
  EXPECT_EQ(s.code(), 16766);
}

TEST(KeyGenerator, DescendingFieldsInvertOrder) {
  IndexInfo info = InfoFromJson(R"({"v":2,"key":{"a":1,"b":-1},"name":"x"})");
  auto ks = [&](const char* json) {
    KeySet keys;
    bson::BsonDocument doc = bson::FromJson(json);
    EXPECT_OK(GenerateKeys(info, doc.view(), &keys));
    return keys.keys.at(0).key_string;
  };
  EXPECT_LT(ks(R"({"a":1,"b":5})"), ks(R"({"a":2,"b":9})"));
  EXPECT_LT(ks(R"({"a":1,"b":5})"), ks(R"({"a":1,"b":4})"));
  EXPECT_LT(ks(R"({"a":1,"b":"x"})"), ks(R"({"a":1,"b":5})"));
  EXPECT_LT(ks(R"({"a":1,"b":5})"), ks(R"({"a":1})"));  // b missing (null) sorts last
}

TEST(IndexSpec, ValidateRejectsUnsupportedKinds) {
  auto check = [](const char* json) {
    bson::BsonDocument spec = bson::FromJson(json);
    return ValidateIndexSpec(spec.view());
  };
  EXPECT_OK(check(R"({"key":{"a":1,"b":-1},"name":"x"})"));
  EXPECT_CODE(check(R"({"key":{"t":"text"},"name":"x"})"), ErrorCode::kNotImplemented);
  EXPECT_CODE(check(R"({"key":{"l":"2dsphere"},"name":"x"})"), ErrorCode::kNotImplemented);
  EXPECT_CODE(check(R"({"key":{"$**":1},"name":"x"})"), ErrorCode::kNotImplemented);
  EXPECT_CODE(check(R"({"key":{"a":"foo"},"name":"x"})"), ErrorCode::kCannotCreateIndex);
  EXPECT_CODE(check(R"({"key":{"a":0},"name":"x"})"), ErrorCode::kCannotCreateIndex);
  EXPECT_EQ(check(R"({"key":{"a":"hashed","b":"hashed"},"name":"x"})").code(), 31303);
  EXPECT_EQ(check(R"({"key":{"a":"hashed"},"name":"x","unique":true})").code(), 16764);
  EXPECT_CODE(check(R"({"key":{"a":1,"b":1},"name":"x","expireAfterSeconds":5})"),
              ErrorCode::kCannotCreateIndex);
  EXPECT_EQ(DefaultIndexName(bson::FromJson(R"({"a":1,"b":-1,"h":"hashed"})").view()),
            "a_1_b_-1_h_hashed");
}

}  // namespace
}  // namespace dds::index
