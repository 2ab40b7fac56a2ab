#include <cmath>

#include "bson/bson.h"
#include "test_util.h"

namespace dds::bson {
namespace {

std::string Canonical(std::string_view json) {
  return ToExtJson(FromJson(json), ExtJsonMode::kCanonical);
}

TEST(ExtJson, CanonicalOutputForEveryType) {
  EXPECT_EQ(Canonical(R"({"a": 1})"), R"({"a":{"$numberInt":"1"}})");
  EXPECT_EQ(Canonical(R"({"a": 3000000000})"), R"({"a":{"$numberLong":"3000000000"}})");
  EXPECT_EQ(Canonical(R"({"a": 1.5})"), R"({"a":{"$numberDouble":"1.5"}})");
  EXPECT_EQ(Canonical(R"({"a": 1.0})"), R"({"a":{"$numberDouble":"1.0"}})");
  EXPECT_EQ(Canonical(R"({"a": {"$numberDouble": "-Infinity"}})"), R"({"a":{"$numberDouble":"-Infinity"}})");
  EXPECT_EQ(Canonical(R"({"a": {"$date": {"$numberLong": "1"}}})"), R"({"a":{"$date":{"$numberLong":"1"}}})");
  EXPECT_EQ(Canonical(R"({"a": {"$binary": {"base64": "AQID", "subType": "04"}}})"),
            R"({"a":{"$binary":{"base64":"AQID","subType":"04"}}})");
  EXPECT_EQ(Canonical(R"({"a": {"$uuid": "00112233-4455-6677-8899-aabbccddeeff"}})"),
            R"({"a":{"$binary":{"base64":"ABEiM0RVZneImaq7zN3u/w==","subType":"04"}}})");
  EXPECT_EQ(Canonical(R"({"a": {"$timestamp": {"t": 5, "i": 6}}})"), R"({"a":{"$timestamp":{"t":5,"i":6}}})");
  EXPECT_EQ(Canonical(R"({"a": {"$minKey": 1}, "b": {"$maxKey": 1}, "c": {"$undefined": true}})"),
            R"({"a":{"$minKey":1},"b":{"$maxKey":1},"c":{"$undefined":true}})");
  EXPECT_EQ(Canonical(R"({"a": {"$numberDecimal": "1.10"}})"), R"({"a":{"$numberDecimal":"1.10"}})");
  EXPECT_EQ(Canonical(R"({"a": {"$symbol": "s"}, "b": {"$code": "c"}})"),
            R"({"a":{"$symbol":"s"},"b":{"$code":"c"}})");
  EXPECT_EQ(Canonical(R"({"a": "q\"\\\n\u0001"})"), R"({"a":"q\"\\\n\u0001"})");
}

TEST(ExtJson, RelaxedOutput) {
  BsonDocument d = FromJson(R"({"i": 1, "l": {"$numberLong": "5"}, "d": 2.0, "nan": {"$numberDouble": "NaN"},
      "date": {"$date": "2020-01-02T03:04:05.678Z"}, "old": {"$date": {"$numberLong": "-1"}}})");
  EXPECT_EQ(d.ToJson(),
            R"({"i":1,"l":5,"d":2.0,"nan":{"$numberDouble":"NaN"},"date":{"$date":"2020-01-02T03:04:05.678Z"},"old":{"$date":{"$numberLong":"-1"}}})");
}

TEST(ExtJson, DateStringsWithOffsets) {
  BsonDocument d = FromJson(R"({"a": {"$date": "1970-01-01T01:00:00+01:00"}, "b": {"$date": "1970-01-01T00:00:01.5Z"}})");
  EXPECT_EQ(d["a"].Date(), 0);
  EXPECT_EQ(d["b"].Date(), 1500);
}

TEST(ExtJson, CanonicalRoundTripIsStable) {
  const char* docs[] = {
      R"({"a":{"$numberInt":"-2147483648"},"b":{"$numberLong":"-9223372036854775808"}})",
      R"({"x":[{"$oid":"507f1f77bcf86cd799439011"},{"$regularExpression":{"pattern":"^a","options":"i"}}]})",
      R"({"p":{"$dbPointer":{"$ref":"db.c","$id":{"$oid":"507f1f77bcf86cd799439011"}}}})",
      R"j({"c":{"$code":"f()","$scope":{"x":{"$numberInt":"1"}}}})j",
      R"({"d":{"$numberDouble":"1.0E+300"}})",
  };
  for (const char* json : docs) {
    std::string once = Canonical(json);
    EXPECT_EQ(Canonical(once), once);
  }
}

TEST(ExtJson, ParseErrorsAreFailedToParse) {
  EXPECT_CODE(ParseExtJson("{"), ErrorCode::kFailedToParse);
  EXPECT_CODE(ParseExtJson("[1]"), ErrorCode::kFailedToParse);
  EXPECT_CODE(ParseExtJson(R"({"a": {"$oid": "xyz"}})"), ErrorCode::kFailedToParse);
  EXPECT_CODE(ParseExtJson(R"({"a": {"$numberInt": "99999999999"}})"), ErrorCode::kFailedToParse);
  EXPECT_CODE(ParseExtJson(R"({"a": {"$numberDecimal": "1.2.3"}})"), ErrorCode::kFailedToParse);
  EXPECT_CODE(ParseExtJson(R"({"a": {"$date": "yesterday"}})"), ErrorCode::kFailedToParse);
}

TEST(ExtJson, ShellStringsForMessages) {
  EXPECT_EQ(FromJson(R"({"name": "x"})").view().ToShellString(), R"({ name: "x" })");
  EXPECT_EQ(FromJson(R"({"_id": 1, "d": 2.5, "a": [1, 2]})").view().ToShellString(),
            R"({ _id: 1, d: 2.5, a: [ 1, 2 ] })");
  EXPECT_EQ(FromJson(R"({"o": {"$oid": "507f1f77bcf86cd799439011"}})").view().ToShellString(),
            R"({ o: ObjectId('507f1f77bcf86cd799439011') })");
  EXPECT_EQ(FromJson("{}").view().ToShellString(), "{}");
}

}  // namespace
}  // namespace dds::bson
