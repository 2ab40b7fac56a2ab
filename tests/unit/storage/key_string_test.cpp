#include "storage/key_string.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bson/bson.h"
#include "test_util.h"

namespace dds::storage {
namespace {

using bson::BsonBuilder;
using bson::BsonDocument;
using bson::BsonElement;
using bson::Decimal128;

int Sign(int v) { return v < 0 ? -1 : (v > 0 ? 1 : 0); }

int CompareBytes(const std::string& a, const std::string& b) {
  int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  if (c != 0) return Sign(c);
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

Decimal128 Dec(const char* s) {
  auto d = Decimal128::FromString(s);
  EXPECT_TRUE(d.has_value()) << s;
  return d.value_or(Decimal128());
}

// One value per document, under "v".
class Values {
 public:
  template <typename F>
  void Add(F append) {
    BsonBuilder b;
    append(b);
    docs_.push_back(b.Done());
  }
  size_t size() const { return docs_.size(); }
  BsonElement at(size_t i) const { return docs_[i].view().FirstElement(); }

 private:
  std::vector<BsonDocument> docs_;
};

void ExpectOrder(const Values& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    std::string ei = EncodeKeyString(values.at(i));
    for (size_t j = 0; j < values.size(); ++j) {
      std::string ej = EncodeKeyString(values.at(j));
      int expected = Sign(bson::CompareElementValues(values.at(i), values.at(j)));
      ASSERT_EQ(CompareBytes(ei, ej), expected)
          << values.at(i).ValueToJson() << " vs " << values.at(j).ValueToJson();
    }
  }
}

TEST(KeyString, EqualNumbersEncodeIdentically) {
  Values v;
  v.Add([](BsonBuilder& b) { b.AppendInt32("v", 1); });
  v.Add([](BsonBuilder& b) { b.AppendInt64("v", 1); });
  v.Add([](BsonBuilder& b) { b.AppendDouble("v", 1.0); });
  v.Add([](BsonBuilder& b) { b.AppendDecimal("v", Dec("1.0")); });
  v.Add([](BsonBuilder& b) { b.AppendDecimal("v", Dec("1")); });
  v.Add([](BsonBuilder& b) { b.AppendDecimal("v", Dec("0.01E2")); });
  std::string first = EncodeKeyString(v.at(0));
  for (size_t i = 1; i < v.size(); ++i) EXPECT_EQ(EncodeKeyString(v.at(i)), first) << i;

  Values zeros;
  zeros.Add([](BsonBuilder& b) { b.AppendInt32("v", 0); });
  zeros.Add([](BsonBuilder& b) { b.AppendDouble("v", -0.0); });
  zeros.Add([](BsonBuilder& b) { b.AppendDouble("v", 0.0); });
  zeros.Add([](BsonBuilder& b) { b.AppendDecimal("v", Dec("-0")); });
  zeros.Add([](BsonBuilder& b) { b.AppendDecimal("v", Dec("0E-20")); });
  std::string zero = EncodeKeyString(zeros.at(0));
  for (size_t i = 1; i < zeros.size(); ++i) EXPECT_EQ(EncodeKeyString(zeros.at(i)), zero) << i;

  Values nans;
  nans.Add([](BsonBuilder& b) { b.AppendDouble("v", std::nan("")); });
  nans.Add([](BsonBuilder& b) { b.AppendDouble("v", -std::nan("")); });
  nans.Add([](BsonBuilder& b) { b.AppendDecimal("v", Dec("NaN")); });
  std::string nan = EncodeKeyString(nans.at(0));
  for (size_t i = 1; i < nans.size(); ++i) EXPECT_EQ(EncodeKeyString(nans.at(i)), nan) << i;

  Values halves;
  halves.Add([](BsonBuilder& b) { b.AppendDouble("v", 2.5); });
  halves.Add([](BsonBuilder& b) { b.AppendDecimal("v", Dec("2.50")); });
  EXPECT_EQ(EncodeKeyString(halves.at(0)), EncodeKeyString(halves.at(1)));

  // 2^-40 takes the long-fraction path (40 binary fraction digits); 2^-20 the short one.
  Values powers;
  powers.Add([](BsonBuilder& b) { b.AppendDouble("v", std::ldexp(1.0, -40)); });
  powers.Add(
      [](BsonBuilder& b) { b.AppendDecimal("v", Dec("9.094947017729282379150390625E-13")); });
  powers.Add([](BsonBuilder& b) { b.AppendDouble("v", -std::ldexp(3.0, -20)); });
  powers.Add([](BsonBuilder& b) { b.AppendDecimal("v", Dec("-0.00000286102294921875")); });
  EXPECT_EQ(EncodeKeyString(powers.at(0)), EncodeKeyString(powers.at(1)));
  EXPECT_EQ(EncodeKeyString(powers.at(2)), EncodeKeyString(powers.at(3)));
}

TEST(KeyString, HandPickedOrder) {
  Values v;
  // Listed in ascending order; ties are adjacent and marked by the order check below.
  v.Add([](BsonBuilder& b) { b.AppendMinKey("v"); });
  v.Add([](BsonBuilder& b) { b.AppendUndefined("v"); });
  v.Add([](BsonBuilder& b) { b.AppendNull("v"); });
  v.Add([](BsonBuilder& b) { b.AppendDouble("v", std::nan("")); });
  v.Add([](BsonBuilder& b) { b.AppendDouble("v", -INFINITY); });
  v.Add([](BsonBuilder& b) { b.AppendDecimal("v", Dec("-1E+400")); });
  v.Add([](BsonBuilder& b) { b.AppendInt64("v", std::numeric_limits<int64_t>::min()); });
  v.Add([](BsonBuilder& b) { b.AppendInt64("v", -(int64_t{1} << 53) - 1); });
  v.Add([](BsonBuilder& b) { b.AppendDouble("v", -9007199254740992.0); });
  v.Add([](BsonBuilder& b) { b.AppendDouble("v", -1.5); });
  v.Add([](BsonBuilder& b) { b.AppendInt32("v", -1); });
  v.Add([](BsonBuilder& b) { b.AppendDouble("v", -0.1); });  // -0.1000000000000000055...
  v.Add([](BsonBuilder& b) { b.AppendDecimal("v", Dec("-0.1")); });
  v.Add([](BsonBuilder& b) { b.AppendDouble("v", -1e-320); });
  v.Add([](BsonBuilder& b) { b.AppendDouble("v", -0.0); });
  v.Add([](BsonBuilder& b) { b.AppendDecimal("v", Dec("1E-6176")); });
  v.Add([](BsonBuilder& b) { b.AppendDouble("v", 4.9e-324); });
  v.Add([](BsonBuilder& b) { b.AppendDecimal("v", Dec("0.1")); });
  v.Add([](BsonBuilder& b) { b.AppendDouble("v", 0.1); });
  v.Add([](BsonBuilder& b) { b.AppendDecimal("v", Dec("0.1000000000000000055511151231257828")); });
  v.Add([](BsonBuilder& b) { b.AppendDouble("v", 0.5); });
  v.Add([](BsonBuilder& b) { b.AppendInt32("v", 1); });
  v.Add([](BsonBuilder& b) { b.AppendDouble("v", 1.0000000000000002); });
  v.Add([](BsonBuilder& b) { b.AppendInt32("v", 2); });
  v.Add([](BsonBuilder& b) { b.AppendInt32("v", 10); });
  v.Add([](BsonBuilder& b) { b.AppendDouble("v", 9007199254740992.0); });
  v.Add([](BsonBuilder& b) { b.AppendInt64("v", (int64_t{1} << 53) + 1); });
  v.Add([](BsonBuilder& b) { b.AppendInt64("v", std::numeric_limits<int64_t>::max() - 1); });
  v.Add([](BsonBuilder& b) { b.AppendInt64("v", std::numeric_limits<int64_t>::max()); });
  v.Add([](BsonBuilder& b) { b.AppendDouble("v", 9223372036854775808.0); });
  v.Add([](BsonBuilder& b) { b.AppendDecimal("v", Dec("9223372036854775808.5")); });
  v.Add([](BsonBuilder& b) { b.AppendDouble("v", 1e300); });
  v.Add([](BsonBuilder& b) { b.AppendDecimal("v", Dec("1E+400")); });
  v.Add([](BsonBuilder& b) { b.AppendDouble("v", INFINITY); });
  v.Add([](BsonBuilder& b) { b.AppendString("v", ""); });
  v.Add([](BsonBuilder& b) { b.AppendString("v", std::string_view("\0", 1)); });
  v.Add([](BsonBuilder& b) { b.AppendString("v", std::string_view("\0\0", 2)); });
  v.Add([](BsonBuilder& b) { b.AppendSymbol("v", std::string_view("\x01", 1)); });
  v.Add([](BsonBuilder& b) { b.AppendString("v", "a"); });
  v.Add([](BsonBuilder& b) { b.AppendString("v", std::string_view("a\0", 2)); });
  v.Add([](BsonBuilder& b) { b.AppendString("v", std::string_view("a\0b", 3)); });
  v.Add([](BsonBuilder& b) { b.AppendString("v", "ab"); });
  v.Add([](BsonBuilder& b) { b.AppendString("v", "\xff"); });
  v.Add([](BsonBuilder& b) { b.AppendDocument("v", bson::FromJson("{}")); });
  v.Add([](BsonBuilder& b) { b.AppendDocument("v", bson::FromJson("{\"a\": null}")); });
  v.Add([](BsonBuilder& b) { b.AppendDocument("v", bson::FromJson("{\"a\": 1}")); });
  v.Add([](BsonBuilder& b) { b.AppendDocument("v", bson::FromJson("{\"a\": 1, \"b\": 1}")); });
  v.Add([](BsonBuilder& b) { b.AppendDocument("v", bson::FromJson("{\"b\": 0}")); });
  v.Add([](BsonBuilder& b) { b.AppendDocument("v", bson::FromJson("{\"a\": \"x\"}")); });
  v.Add([](BsonBuilder& b) { b.AppendArray("v", bson::FromJson("{}")); });
  v.Add([](BsonBuilder& b) { b.AppendArray("v", bson::FromJson("{\"0\": 1}")); });
  v.Add([](BsonBuilder& b) { b.AppendArray("v", bson::FromJson("{\"0\": 1, \"1\": 0}")); });
  v.Add([](BsonBuilder& b) { b.AppendArray("v", bson::FromJson("{\"0\": 2}")); });
  v.Add([](BsonBuilder& b) { b.AppendBinary("v", 5, "zz"); });
  v.Add([](BsonBuilder& b) { b.AppendBinary("v", 0, "abc"); });
  v.Add([](BsonBuilder& b) { b.AppendBinary("v", 4, "abb"); });
  v.Add([](BsonBuilder& b) { b.AppendObjectId("v", bson::ObjectId()); });
  v.Add([](BsonBuilder& b) { b.AppendBool("v", false); });
  v.Add([](BsonBuilder& b) { b.AppendBool("v", true); });
  v.Add([](BsonBuilder& b) { b.AppendDate("v", -1); });
  v.Add([](BsonBuilder& b) { b.AppendDate("v", 0); });
  v.Add([](BsonBuilder& b) { b.AppendTimestamp("v", 1, 2); });
  v.Add([](BsonBuilder& b) { b.AppendTimestamp("v", 0x80000000u, 0); });
  v.Add([](BsonBuilder& b) { b.AppendRegex("v", "a", "i"); });
  v.Add([](BsonBuilder& b) { b.AppendRegex("v", "ab", ""); });
  v.Add([](BsonBuilder& b) { b.AppendDbPointer("v", "b", bson::ObjectId()); });
  v.Add([](BsonBuilder& b) { b.AppendDbPointer("v", "aa", bson::ObjectId()); });
  v.Add([](BsonBuilder& b) { b.AppendCode("v", "f"); });
  v.Add([](BsonBuilder& b) { b.AppendCodeWScope("v", "f", bson::FromJson("{\"x\": 1}")); });
  v.Add([](BsonBuilder& b) { b.AppendMaxKey("v"); });
  ExpectOrder(v);
  // Every listed value except the MinKey..MaxKey chain ends is strictly increasing or tied.
  for (size_t i = 1; i < v.size(); ++i) {
    EXPECT_LE(bson::CompareElementValues(v.at(i - 1), v.at(i)), 0) << i;
  }
}

TEST(KeyString, MissingEncodesLikeUndefined) {
  BsonDocument undefined = [] {
    BsonBuilder b;
    b.AppendUndefined("v");
    return b.Done();
  }();
  EXPECT_EQ(EncodeKeyString(BsonElement()), EncodeKeyString(undefined.view().FirstElement()));
}

TEST(KeyString, DescendingInvertsOrder) {
  BsonDocument doc = bson::FromJson("{\"a\": 1, \"b\": 2, \"c\": \"x\"}");
  std::vector<std::string> keys;
  for (const BsonElement& e : doc.view()) {
    std::string k;
    AppendKeyString(&k, e, true);
    keys.push_back(k);
  }
  EXPECT_GT(CompareBytes(keys[0], keys[1]), 0);
  EXPECT_GT(CompareBytes(keys[1], keys[2]), 0);
}

// Random values of mixed types, biased towards collisions and edge cases.
class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  void Append(BsonBuilder& b, std::string_view name, int depth) {
    int kind = Pick(depth < 2 ? 26 : 22);
    switch (kind) {
      case 0:
        b.AppendMinKey(name);
        break;
      case 1:
        b.AppendMaxKey(name);
        break;
      case 2:
        b.AppendNull(name);
        break;
      case 3:
        b.AppendUndefined(name);
        break;
      case 4:
      case 5:
      case 6:
      case 7:
      case 8:
        AppendNumber(b, name);
        break;
      case 9:
      case 10:
        b.AppendString(name, RandomString());
        break;
      case 11:
        b.AppendSymbol(name, RandomString());
        break;
      case 12:
        b.AppendBinary(name, static_cast<uint8_t>(Pick(3)), RandomString());
        break;
      case 13: {
        uint8_t bytes[12] = {};
        bytes[11] = static_cast<uint8_t>(Pick(3));
        bytes[0] = static_cast<uint8_t>(Pick(2) * 0xff);
        b.AppendObjectId(name, bson::ObjectId(bytes));
        break;
      }
      case 14:
        b.AppendBool(name, Pick(2) == 1);
        break;
      case 15:
        b.AppendDate(name, static_cast<int64_t>(Pick(5)) - 2 + (Pick(2) ? INT64_MIN / 2 : 0));
        break;
      case 16:
        b.AppendTimestamp(name, Pick(2) ? 0x80000000u : 1u, static_cast<uint32_t>(Pick(3)));
        break;
      case 17:
        b.AppendRegex(name, Pick(2) ? "a" : "ab", Pick(2) ? "" : "i");
        break;
      case 18:
        b.AppendDbPointer(name, Pick(2) ? "b" : "aa", bson::ObjectId());
        break;
      case 19:
        b.AppendCode(name, RandomString());
        break;
      case 20: {
        BsonBuilder scope;
        if (Pick(2)) scope.AppendInt32("x", Pick(2));
        b.AppendCodeWScope(name, Pick(2) ? "f" : "g", scope.Done());
        break;
      }
      case 21:
        AppendNumber(b, name);
        break;
      case 22:
      case 23: {
        b.StartDocument(name);
        int n = Pick(4);
        static const char* kNames[] = {"", "a", "b", "ab"};
        for (int i = 0; i < n; ++i) Append(b, kNames[Pick(4)], depth + 1);
        b.End();
        break;
      }
      default: {
        b.StartArray(name);
        int n = Pick(4);
        for (int i = 0; i < n; ++i) Append(b, bson::IndexName(static_cast<size_t>(i)), depth + 1);
        b.End();
        break;
      }
    }
  }

 private:
  int Pick(int n) { return static_cast<int>(rng_() % static_cast<uint32_t>(n)); }

  std::string RandomString() {
    static const char kAlphabet[] = {'\0', 'a', 'b', '\xff', '\x01'};
    int n = Pick(4);
    std::string s;
    for (int i = 0; i < n; ++i) s.push_back(kAlphabet[Pick(5)]);
    return s;
  }

  void AppendNumber(BsonBuilder& b, std::string_view name) {
    static const double kDoubles[] = {0.0,
                                      -0.0,
                                      1.0,
                                      -1.0,
                                      0.1,
                                      -0.1,
                                      0.5,
                                      1.5,
                                      2.5,
                                      9007199254740992.0,
                                      9007199254740993.0,
                                      -9007199254740992.0,
                                      9223372036854775807.0,
                                      -9223372036854775808.0,
                                      1e300,
                                      -1e300,
                                      1e-320,
                                      -1e-320,
                                      4.9e-324,
                                      123.456,
                                      1e20,
                                      1e-5,
                                      std::nan(""),
                                      INFINITY,
                                      -INFINITY,
                                      0.30000000000000004};
    static const int64_t kInts[] = {0,
                                    1,
                                    -1,
                                    2,
                                    10,
                                    100,
                                    (int64_t{1} << 53),
                                    (int64_t{1} << 53) + 1,
                                    -(int64_t{1} << 53) - 1,
                                    INT64_MAX,
                                    INT64_MIN,
                                    INT64_MAX - 1,
                                    123,
                                    1000000,
                                    4611686018427387904};
    static const char* kDecimals[] = {"0",
                                      "-0",
                                      "1",
                                      "1.0",
                                      "0.1",
                                      "-0.1",
                                      "2.50",
                                      "1E+400",
                                      "-1E+400",
                                      "1E-400",
                                      "NaN",
                                      "Infinity",
                                      "-Infinity",
                                      "9223372036854775807",
                                      "9223372036854775808",
                                      "-9223372036854775809",
                                      "9007199254740993",
                                      "0.1000000000000000055511151231257827",
                                      "123.456",
                                      "1E+20",
                                      "0.00001",
                                      "1234567890123456789012345678901234"};
    switch (Pick(6)) {
      case 0:
        b.AppendDouble(name, kDoubles[Pick(std::size(kDoubles))]);
        break;
      case 1: {
        std::uniform_real_distribution<double> d(-1e6, 1e6);
        double x = d(rng_);
        if (Pick(2)) x = std::ldexp(std::round(x), -Pick(40));
        b.AppendDouble(name, x);
        break;
      }
      case 2:
        b.AppendInt64(name, kInts[Pick(std::size(kInts))]);
        break;
      case 3:
        b.AppendInt32(name, static_cast<int32_t>(Pick(7)) - 3);
        break;
      case 4: {
        auto d = Decimal128::FromString(kDecimals[Pick(std::size(kDecimals))]);
        b.AppendDecimal(name, *d);
        break;
      }
      default: {
        int64_t v = static_cast<int64_t>(rng_()) - (1 << 30);
        if (Pick(2))
          b.AppendDouble(name, static_cast<double>(v));
        else
          b.AppendInt64(name, v);
        break;
      }
    }
  }

  std::mt19937 rng_;
};

TEST(KeyString, PropertyMemcmpOrderMatchesCompareElementValues) {
  Generator gen(12345);
  std::vector<BsonDocument> docs;
  for (int i = 0; i < 2500; ++i) {
    BsonBuilder b;
    gen.Append(b, "v", 0);
    docs.push_back(b.Done());
  }
  std::vector<std::string> keys;
  for (const auto& d : docs) keys.push_back(EncodeKeyString(d.view().FirstElement()));
  int64_t equal_pairs = 0;
  for (size_t i = 0; i < docs.size(); ++i) {
    for (size_t j = i; j < docs.size(); ++j) {
      BsonElement a = docs[i].view().FirstElement(), b = docs[j].view().FirstElement();
      int expected = Sign(bson::CompareElementValues(a, b));
      equal_pairs += expected == 0;
      ASSERT_EQ(CompareBytes(keys[i], keys[j]), expected)
          << a.ValueToJson() << " vs " << b.ValueToJson();
      // Descending keys reverse the order.
      if (j == i + 1) {
        std::string da, db;
        AppendKeyString(&da, a, true);
        AppendKeyString(&db, b, true);
        ASSERT_EQ(CompareBytes(da, db), -expected);
      }
    }
  }
  EXPECT_GT(equal_pairs, 3000);  // the generator produces many ties across types
}

TEST(KeyString, RandomBitPatternDoublesAndInt64s) {
  std::mt19937_64 rng(99);
  Values v;
  for (int i = 0; i < 2000; ++i) {
    uint64_t bits = rng();
    if (i % 4 == 0) bits &= 0x80ffffffffffffffULL;  // tiny and subnormal magnitudes
    double d;
    std::memcpy(&d, &bits, 8);
    if (i % 3 == 0) {
      int64_t n = static_cast<int64_t>(rng()) >> (rng() % 64);
      v.Add([n](BsonBuilder& b) { b.AppendInt64("v", n); });
      v.Add([n](BsonBuilder& b) { b.AppendDouble("v", static_cast<double>(n)); });
    } else {
      v.Add([d](BsonBuilder& b) { b.AppendDouble("v", d); });
    }
  }
  std::vector<std::string> keys;
  for (size_t i = 0; i < v.size(); ++i) keys.push_back(EncodeKeyString(v.at(i)));
  for (size_t i = 0; i < v.size(); ++i) {
    for (size_t j = i + 1; j < v.size(); ++j) {
      ASSERT_EQ(CompareBytes(keys[i], keys[j]), Sign(bson::CompareElementValues(v.at(i), v.at(j))))
          << v.at(i).ValueToJson() << " vs " << v.at(j).ValueToJson();
    }
  }
}

TEST(KeyString, ConcatenationSortsAsTuple) {
  Generator gen(777);
  std::vector<BsonDocument> docs;
  for (int i = 0; i < 300; ++i) {
    BsonBuilder b;
    gen.Append(b, "x", 1);
    gen.Append(b, "y", 1);
    docs.push_back(b.Done());
  }
  for (size_t i = 0; i < docs.size(); ++i) {
    for (size_t j = 0; j < docs.size(); ++j) {
      auto ia = docs[i].view().begin(), ib = docs[j].view().begin();
      BsonElement ax = *ia, bx = *ib;
      ++ia;
      ++ib;
      BsonElement ay = *ia, by = *ib;
      int expected = Sign(bson::CompareElementValues(ax, bx));
      if (expected == 0) expected = -Sign(bson::CompareElementValues(ay, by));
      std::string ka, kb;
      AppendKeyString(&ka, ax);
      AppendKeyString(&ka, ay, true);
      AppendKeyString(&kb, bx);
      AppendKeyString(&kb, by, true);
      ASSERT_EQ(CompareBytes(ka, kb), expected);
    }
  }
}

}  // namespace
}  // namespace dds::storage

namespace dds::storage {
namespace {

// KeyStringValueSize finds where one value ends, ascending or descending, whatever follows it;
// a truncated value has no size.
TEST(KeyString, ValueSizeOfEveryGeneratedValueBothDirections) {
  Generator gen(4242);
  for (int i = 0; i < 3000; ++i) {
    BsonBuilder b;
    gen.Append(b, "v", 0);
    BsonDocument doc = b.Done();
    for (bool descending : {false, true}) {
      std::string ks;
      AppendKeyString(&ks, doc.view().FirstElement(), descending);
      std::string followed = ks;
      AppendKeyString(&followed, doc.view().FirstElement(), !descending);
      ASSERT_EQ(KeyStringValueSize(ks), ks.size()) << doc.view().ToJson() << " " << descending;
      ASSERT_EQ(KeyStringValueSize(followed), ks.size()) << doc.view().ToJson();
      for (size_t cut = 0; cut < ks.size(); ++cut) {
        ASSERT_EQ(KeyStringValueSize(std::string_view(ks).substr(0, cut)), 0u)
            << doc.view().ToJson() << " cut " << cut;
      }
    }
  }
  EXPECT_EQ(KeyStringValueSize(std::string("\x01\x02", 2)), 0u);  // not a type byte
}

}  // namespace
}  // namespace dds::storage
