#include <cmath>
#include <vector>

#include "bson/bson.h"
#include "test_util.h"

namespace dds::bson {
namespace {

int Cmp(std::string_view a_json, std::string_view b_json) {
  BsonDocument a = FromJson(std::string("{\"v\": ") + std::string(a_json) + "}");
  BsonDocument b = FromJson(std::string("{\"v\": ") + std::string(b_json) + "}");
  int c = CompareElementValues(a["v"], b["v"]);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

TEST(BsonCompare, CanonicalTypeOrder) {
  // One value per rank, lowest first (compat §3.2).
  std::vector<std::string> ordered = {
      R"({"$minKey": 1})",
      R"(null)",
      R"(5)",
      R"("a")",
      R"({"a": 1})",
      R"([1])",
      R"({"$binary": {"base64": "AA==", "subType": "00"}})",
      R"({"$oid": "000000000000000000000000"})",
      R"(false)",
      R"({"$date": {"$numberLong": "0"}})",
      R"({"$timestamp": {"t": 0, "i": 0}})",
      R"({"$regularExpression": {"pattern": "a", "options": ""}})",
      R"({"$dbPointer": {"$ref": "a.b", "$id": {"$oid": "000000000000000000000000"}}})",
      R"({"$code": "x"})",
      R"({"$code": "x", "$scope": {}})",
      R"({"$maxKey": 1})",
  };
  for (size_t i = 0; i < ordered.size(); ++i) {
    for (size_t j = 0; j < ordered.size(); ++j) {
      int expected = i < j ? -1 : (i > j ? 1 : 0);
      EXPECT_EQ(Cmp(ordered[i], ordered[j]), expected) << ordered[i] << " vs " << ordered[j];
    }
  }
}

TEST(BsonCompare, NumbersCompareAcrossTypes) {
  EXPECT_EQ(Cmp("1", "1.0"), 0);
  EXPECT_EQ(Cmp("1", R"({"$numberLong": "1"})"), 0);
  EXPECT_EQ(Cmp("1", R"({"$numberDecimal": "1.000"})"), 0);
  EXPECT_EQ(Cmp("2", "1.5"), 1);
  EXPECT_EQ(Cmp(R"({"$numberLong": "9007199254740993"})", "9007199254740992.0"), 1);
  EXPECT_EQ(Cmp(R"({"$numberLong": "9223372036854775807"})", "9223372036854775808.0"), -1);
  EXPECT_EQ(Cmp(R"({"$numberLong": "-9223372036854775808"})", "-9223372036854775808.0"), 0);
  EXPECT_EQ(Cmp(R"({"$numberDouble": "NaN"})", R"({"$numberDouble": "-Infinity"})"), -1);
  EXPECT_EQ(Cmp(R"({"$numberDouble": "NaN"})", R"({"$numberDouble": "NaN"})"), 0);
  EXPECT_EQ(Cmp(R"({"$numberDecimal": "NaN"})", R"({"$numberDouble": "NaN"})"), 0);
  EXPECT_EQ(Cmp("-0.0", "0"), 0);
  EXPECT_EQ(Cmp("0.1", R"({"$numberDecimal": "0.1"})"), 1);
  EXPECT_EQ(Cmp("-1.5", "-1"), -1);
  EXPECT_EQ(Cmp("-1", "-1.5"), 1);
}

TEST(BsonCompare, StringsAreBytewise) {
  EXPECT_EQ(Cmp(R"("a")", R"("b")"), -1);
  EXPECT_EQ(Cmp(R"("a")", R"("ab")"), -1);
  EXPECT_EQ(Cmp(R"("B")", R"("a")"), -1);
  EXPECT_EQ(Cmp(R"("a")", R"({"$symbol": "a"})"), 0);
  EXPECT_EQ(Cmp(R"("é")", R"("z")"), 1);
}

TEST(BsonCompare, DocumentsFieldByField) {
  EXPECT_EQ(Cmp(R"({"a": 1})", R"({"a": 1, "b": 1})"), -1);
  EXPECT_EQ(Cmp(R"({"a": 1})", R"({"b": 0})"), -1);
  EXPECT_EQ(Cmp(R"({"a": 2})", R"({"a": "x"})"), -1);  // type rank before name
  EXPECT_EQ(Cmp(R"({"b": 1})", R"({"a": "x"})"), -1);
  EXPECT_EQ(Cmp(R"({"a": 1.0})", R"({"a": 1})"), 0);
  EXPECT_EQ(Cmp(R"({})", R"({"a": null})"), -1);
}

TEST(BsonCompare, ArraysElementByElement) {
  EXPECT_EQ(Cmp("[1, 2]", "[1, 3]"), -1);
  EXPECT_EQ(Cmp("[1, 2]", "[1]"), 1);
  EXPECT_EQ(Cmp("[]", "[null]"), -1);
  EXPECT_EQ(Cmp("[[1]]", "[1]"), 1);
}

TEST(BsonCompare, OtherTypesByValue) {
  EXPECT_EQ(Cmp("false", "true"), -1);
  EXPECT_EQ(Cmp(R"({"$date": {"$numberLong": "-1"}})", R"({"$date": {"$numberLong": "1"}})"), -1);
  EXPECT_EQ(Cmp(R"({"$timestamp": {"t": 1, "i": 2}})", R"({"$timestamp": {"t": 2, "i": 1}})"), -1);
  EXPECT_EQ(Cmp(R"({"$timestamp": {"t": 4294967295, "i": 0}})", R"({"$timestamp": {"t": 1, "i": 0}})"), 1);
  EXPECT_EQ(Cmp(R"({"$oid": "000000000000000000000001"})", R"({"$oid": "000000000000000000000002"})"), -1);
  // BinData: length first, then subtype, then bytes.
  EXPECT_EQ(Cmp(R"({"$binary": {"base64": "AAAA", "subType": "00"}})",
                R"({"$binary": {"base64": "AA==", "subType": "05"}})"), 1);
  EXPECT_EQ(Cmp(R"({"$binary": {"base64": "AA==", "subType": "00"}})",
                R"({"$binary": {"base64": "AA==", "subType": "05"}})"), -1);
  EXPECT_EQ(Cmp(R"({"$regularExpression": {"pattern": "a", "options": "i"}})",
                R"({"$regularExpression": {"pattern": "a", "options": ""}})"), 1);
  EXPECT_EQ(Cmp(R"({"$undefined": true})", "null"), -1);
}

TEST(BsonCompare, CompareDocumentsMatchesElementCompare) {
  BsonDocument a = FromJson(R"({"x": 1, "y": [1, {"z": 2}]})");
  BsonDocument b = FromJson(R"({"x": 1.0, "y": [1, {"z": 2.0}]})");
  EXPECT_EQ(CompareDocuments(a, b), 0);
  EXPECT_FALSE(a.view().BinaryEqual(b));
  BsonDocument c = FromJson(R"({"x": 1, "y": [1, {"z": 3}]})");
  EXPECT_LT(CompareDocuments(a, c), 0);
  EXPECT_GT(CompareDocuments(c, a), 0);
}

}  // namespace
}  // namespace dds::bson
