#include "agg/equality_hash.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "query/match_parser.h"

namespace dds::agg {
namespace {

// Values of every kind an equality meets: numbers of four types that compare equal, strings,
// null, documents (field order matters), arrays (empty, nested, of documents), bool, -0.0.
const std::vector<std::string> kAtoms = {
    "1", "1.0", "{\"$numberLong\":\"1\"}", "{\"$numberDecimal\":\"1\"}", "2", "2.5", "-0.0",
    "0", "\"a\"", "\"A\"", "null", "true", "{\"x\":1}", "{\"x\":1.0}", "{\"y\":1,\"x\":1}",
    "[]", "[1,2]", "[[1,2]]", "[null]", "{\"b\":1}", "[{\"b\":1},{\"b\":[2,3]}]",
    "[{\"c\":1}]", "[1,{\"b\":2}]", "[3,\"a\"]", "{\"b\":null}", "[[]]",
    "{\"$undefined\":true}"};

bson::BsonDocument Doc(int id, const std::string& field, const std::string& value) {
  return bson::FromJson("{\"_id\":" + std::to_string(id) + ",\"" + field + "\":" + value + "}");
}

Value ValueOf(const std::string& json) {
  bson::BsonDocument d = bson::FromJson("{\"v\":" + json + "}");
  return Value::FromElement(d["v"]);
}

// Every document that {path: {$eq: v}} matches is a candidate of v, for every non-array v, on
// plain and dotted paths through documents and arrays.
TEST(EqualityHash, CandidatesHoldEveryMatch) {
  std::mt19937 rng(3);
  std::vector<bson::BsonDocument> docs;
  for (int i = 0; i < 400; ++i) {
    const std::string& v = kAtoms[rng() % kAtoms.size()];
    switch (rng() % 3) {
      case 0: docs.push_back(Doc(i, "f", v)); break;
      case 1: docs.push_back(Doc(i, "a", v)); break;
      default: docs.push_back(bson::FromJson("{\"_id\":" + std::to_string(i) + "}"));
    }
  }
  int matches = 0;
  for (const std::string path : {"f", "a", "a.b", "a.c", "a.b.x", "_id"}) {
    EqualityHash hash(docs, path);
    for (const std::string& atom : kAtoms) {
      Value v = ValueOf(atom);
      std::optional<std::vector<size_t>> candidates = hash.Candidates({v});
      if (v.IsArray()) {
        EXPECT_FALSE(candidates.has_value()) << atom;
        continue;
      }
      if (v.type() == bson::BsonType::kUndefined) continue;  // not a valid query operand
      ASSERT_TRUE(candidates.has_value()) << path << " " << atom;
      auto filter = bson::FromJson("{\"" + std::string(path) + "\":{\"$eq\":" + atom + "}}");
      auto m = query::ParseMatchExpression(filter.view());
      ASSERT_TRUE(m.ok()) << filter.ToJson();
      for (size_t i = 0; i < docs.size(); ++i) {
        if (!m.value()->Matches(docs[i])) continue;
        ++matches;
        EXPECT_TRUE(std::binary_search(candidates->begin(), candidates->end(), i))
            << path << " = " << atom << " matches " << docs[i].ToJson();
      }
    }
  }
  EXPECT_GT(matches, 1000);
}

TEST(EqualityHash, CandidatesOfSeveralValuesAreOrderedWithoutRepeats) {
  std::vector<bson::BsonDocument> docs = {Doc(0, "f", "[1,2]"), Doc(1, "f", "2"),
                                          Doc(2, "f", "3"), Doc(3, "g", "1")};
  EqualityHash hash(docs, "f");
  EXPECT_EQ(hash.Candidates({ValueOf("2"), ValueOf("1.0")}), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(hash.Candidates({ValueOf("null")}), (std::vector<size_t>{3}));  // missing f
  EXPECT_EQ(hash.Candidates({ValueOf("7")}), std::vector<size_t>{});
}

TEST(EqualityHash, NotUsableForNumericPathComponents) {
  std::vector<bson::BsonDocument> docs = {Doc(0, "a", "[{\"b\":1}]")};
  EXPECT_FALSE(EqualityHash(docs, "a.0.b").Candidates({ValueOf("1")}).has_value());
  EXPECT_FALSE(EqualityHash(docs, "a.0").Candidates({ValueOf("1")}).has_value());
  EXPECT_TRUE(EqualityHash(docs, "a.b").Candidates({ValueOf("1")}).has_value());
}

}  // namespace
}  // namespace dds::agg
