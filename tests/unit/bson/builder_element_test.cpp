#include <cmath>

#include "bson/bson.h"
#include "test_util.h"

namespace dds::bson {
namespace {

TEST(BsonBuilder, EmptyDocumentIsFiveBytes) {
  BsonBuilder b;
  BsonDocument doc = b.Done();
  EXPECT_EQ(doc.size(), 5);
  EXPECT_TRUE(doc.empty());
  EXPECT_EQ(doc.ToJson(), "{}");
}

TEST(BsonBuilder, AppendsEveryTypeAndReadsItBack) {
  BsonBuilder b;
  ObjectId oid = ObjectId::Generate();
  b.AppendDouble("d", 1.5)
      .AppendString("s", std::string_view("a\0b", 3))
      .StartDocument("o")
      .AppendInt32("x", 1)
      .End()
      .StartArray("a")
      .AppendInt32("0", 1)
      .AppendString("1", "two")
      .End()
      .AppendBinary("bin", 4, std::string(16, '\x01'))
      .AppendUndefined("u")
      .AppendObjectId("oid", oid)
      .AppendBool("t", true)
      .AppendDate("date", -5)
      .AppendNull("n")
      .AppendRegex("re", "^a", "i")
      .AppendDbPointer("ptr", "db.c", oid)
      .AppendCode("code", "f()")
      .AppendSymbol("sym", "sy")
      .AppendCodeWScope("cws", "g()", FromJson(R"({"k": 1})"))
      .AppendInt32("i32", -7)
      .AppendTimestamp("ts", 10, 3)
      .AppendInt64("i64", int64_t{1} << 40)
      .AppendDecimal("dec", *Decimal128::FromString("1.25"))
      .AppendMinKey("min")
      .AppendMaxKey("max");
  BsonDocument doc = b.Done();
  ASSERT_OK(ValidateBson(doc.bytes().data(), doc.bytes().size()));
  EXPECT_EQ(doc["d"].Double(), 1.5);
  EXPECT_EQ(doc["s"].String(), std::string_view("a\0b", 3));
  EXPECT_EQ(doc["o"].Object()["x"].Int32(), 1);
  EXPECT_EQ(doc["a"].Array()["1"].String(), "two");
  EXPECT_EQ(doc["bin"].BinSubtype(), 4);
  EXPECT_EQ(doc["bin"].BinData().size(), 16u);
  EXPECT_EQ(doc["u"].type(), BsonType::kUndefined);
  EXPECT_EQ(doc["oid"].Oid(), oid);
  EXPECT_TRUE(doc["t"].Bool());
  EXPECT_EQ(doc["date"].Date(), -5);
  EXPECT_EQ(doc["n"].type(), BsonType::kNull);
  EXPECT_EQ(doc["re"].RegexPattern(), "^a");
  EXPECT_EQ(doc["re"].RegexFlags(), "i");
  EXPECT_EQ(doc["ptr"].DbPointerNamespace(), "db.c");
  EXPECT_EQ(doc["ptr"].DbPointerOid(), oid);
  EXPECT_EQ(doc["code"].String(), "f()");
  EXPECT_EQ(doc["sym"].String(), "sy");
  EXPECT_EQ(doc["cws"].CodeWScopeCode(), "g()");
  EXPECT_EQ(doc["cws"].CodeWScopeScope()["k"].Int32(), 1);
  EXPECT_EQ(doc["i32"].Int32(), -7);
  EXPECT_EQ(doc["ts"].TimestampSeconds(), 10u);
  EXPECT_EQ(doc["ts"].TimestampIncrement(), 3u);
  EXPECT_EQ(doc["i64"].Int64(), int64_t{1} << 40);
  EXPECT_EQ(doc["dec"].Decimal().ToString(), "1.25");
  EXPECT_EQ(doc["min"].type(), BsonType::kMinKey);
  EXPECT_EQ(doc["max"].type(), BsonType::kMaxKey);
  EXPECT_TRUE(doc["missing"].eoo());
  EXPECT_EQ(doc.view().CountFields(), 21);
}

TEST(BsonBuilder, ReusableAfterDone) {
  BsonBuilder b;
  b.AppendInt32("a", 1);
  BsonDocument first = b.Done();
  b.AppendInt32("b", 2);
  BsonDocument second = b.Done();
  EXPECT_EQ(first.ToJson(), R"({"a":1})");
  EXPECT_EQ(second.ToJson(), R"({"b":2})");
}

TEST(BsonBuilder, AppendElementAsRenames) {
  BsonDocument src = FromJson(R"({"x": {"y": [1, 2]}})");
  BsonBuilder b;
  b.AppendElementAs("z", src["x"]).AppendElement(src["x"]).AppendElementAs("gone", BsonElement());
  EXPECT_EQ(b.Done().ToJson(), R"({"z":{"y":[1,2]},"x":{"y":[1,2]}})");
}

TEST(BsonBuilder, ArrayBuilderNamesIndexes) {
  BsonArrayBuilder a;
  BsonDocument src = FromJson(R"({"v": "q"})");
  for (int i = 0; i < 3; ++i) a.AppendElement(src["v"]);
  BsonDocument arr = a.Done();
  EXPECT_EQ(ArrayToExtJson(arr, ExtJsonMode::kRelaxed), R"(["q","q","q"])");
  EXPECT_EQ(IndexName(1234), "1234");
}

TEST(BsonElement, NumericHelpers) {
  BsonDocument d = FromJson(
      R"({"i": 3, "l": {"$numberLong": "9007199254740993"}, "d": 2.5, "di": 4.0,
          "dec": {"$numberDecimal": "12E1"}, "decf": {"$numberDecimal": "1.5"}, "s": "x"})");
  EXPECT_EQ(d["i"].ExactInt64(), 3);
  EXPECT_EQ(d["l"].ExactInt64(), 9007199254740993LL);
  EXPECT_FALSE(d["d"].ExactInt64().has_value());
  EXPECT_EQ(d["di"].ExactInt32(), 4);
  EXPECT_EQ(d["dec"].ExactInt64(), 120);
  EXPECT_FALSE(d["decf"].ExactInt64().has_value());
  EXPECT_FALSE(d["s"].ExactInt64().has_value());
  EXPECT_FALSE(d["l"].ExactInt32().has_value());
  EXPECT_DOUBLE_EQ(d["decf"].NumberDouble(), 1.5);
  EXPECT_TRUE(d["i"].IsNumber());
  EXPECT_FALSE(d["s"].IsNumber());
}

TEST(BsonElement, TruthinessFollowsMongo) {
  BsonDocument d = FromJson(
      R"({"f": false, "z": 0, "zd": 0.0, "n": null, "u": {"$undefined": true}, "e": "", "o": {},
          "a": [], "nan": {"$numberDouble": "NaN"}, "dz": {"$numberDecimal": "0.00"}, "one": 1})");
  EXPECT_FALSE(d["f"].TrueValue());
  EXPECT_FALSE(d["z"].TrueValue());
  EXPECT_FALSE(d["zd"].TrueValue());
  EXPECT_FALSE(d["n"].TrueValue());
  EXPECT_FALSE(d["u"].TrueValue());
  EXPECT_FALSE(d["missing"].TrueValue());
  EXPECT_FALSE(d["dz"].TrueValue());
  EXPECT_TRUE(d["e"].TrueValue());
  EXPECT_TRUE(d["o"].TrueValue());
  EXPECT_TRUE(d["a"].TrueValue());
  EXPECT_TRUE(d["nan"].TrueValue());
  EXPECT_TRUE(d["one"].TrueValue());
}

TEST(BsonView, IterationVisitsFieldsInOrder) {
  BsonDocument d = FromJson(R"({"b": 1, "a": 2, "c": 3})");
  std::string names;
  for (const BsonElement& e : d) names += e.field_name();
  EXPECT_EQ(names, "bac");
  EXPECT_EQ(d.view().FirstElement().field_name(), "b");
  EXPECT_TRUE(BsonView().empty());
  EXPECT_EQ(BsonView().begin(), BsonView().end());
}

TEST(ObjectId, HexRoundTripAndOrdering) {
  auto oid = ObjectId::FromHex("507f1f77bcf86cd799439011");
  ASSERT_TRUE(oid.has_value());
  EXPECT_EQ(oid->ToHex(), "507f1f77bcf86cd799439011");
  EXPECT_EQ(oid->TimestampSeconds(), 0x507f1f77u);
  EXPECT_FALSE(ObjectId::FromHex("507f1f77bcf86cd79943901").has_value());
  EXPECT_FALSE(ObjectId::FromHex("507f1f77bcf86cd79943901z").has_value());
  ObjectId a = ObjectId::Generate(), b = ObjectId::Generate();
  EXPECT_NE(a, b);
  EXPECT_LT(a, b);  // same second, increasing counter (unless the counter wraps)
}

}  // namespace
}  // namespace dds::bson
