#include "update/modifier.h"
#include "update_test_util.h"

namespace dds::update {
namespace {

TEST(UpdateOperatorTable, SortedAndUnique) {
  auto t = AllUpdateOperators();
  for (size_t i = 1; i < t.size(); ++i) EXPECT_LT(t[i - 1].name, t[i].name);
  EXPECT_NE(FindUpdateOperator("$set"), nullptr);
  EXPECT_EQ(FindUpdateOperator("$SET"), nullptr);
}

TEST(UpdatePush, ValuesAndModifiers) {
  EXPECT_EQ(ApplyUpdate(R"({"$push": {"a": 3}})", R"({"_id": 1, "a": [1]})").json, R"({"_id":1,"a":[1,3]})");
  EXPECT_EQ(ApplyUpdate(R"({"$push": {"a": 3}})", R"({"_id": 1})").json, R"({"_id":1,"a":[3]})");
  EXPECT_EQ(ApplyUpdate(R"({"$push": {"a": [3]}})", R"({"_id": 1, "a": []})").json, R"({"_id":1,"a":[[3]]})");
  EXPECT_EQ(ApplyUpdate(R"({"$push": {"a": {"$each": [3, 4]}}})", R"({"_id": 1, "a": [1]})").json,
            R"({"_id":1,"a":[1,3,4]})");
  EXPECT_EQ(ApplyUpdate(R"({"$push": {"a": {"$each": [0], "$position": 0}}})", R"({"_id": 1, "a": [1, 2]})").json,
            R"({"_id":1,"a":[0,1,2]})");
  EXPECT_EQ(ApplyUpdate(R"({"$push": {"a": {"$each": [9], "$position": -1}}})", R"({"_id": 1, "a": [1, 2]})").json,
            R"({"_id":1,"a":[1,9,2]})");
  EXPECT_EQ(ApplyUpdate(R"({"$push": {"a": {"$each": [5, 0], "$sort": 1, "$slice": 3}}})", R"({"_id": 1, "a": [3, 1]})").json,
            R"({"_id":1,"a":[0,1,3]})");
  EXPECT_EQ(ApplyUpdate(R"({"$push": {"a": {"$each": [5], "$slice": -2}}})", R"({"_id": 1, "a": [3, 1]})").json,
            R"({"_id":1,"a":[1,5]})");
  EXPECT_EQ(ApplyUpdate(R"({"$push": {"a": {"$each": [], "$slice": 0}}})", R"({"_id": 1, "a": [3, 1]})").json,
            R"({"_id":1,"a":[]})");
  EXPECT_EQ(ApplyUpdate(R"({"$push": {"a": {"$each": [{"s": 2}], "$sort": {"s": -1}}}})",
                        R"({"_id": 1, "a": [{"s": 1}, {"s": 3}]})").json,
            R"({"_id":1,"a":[{"s":3},{"s":2},{"s":1}]})");
  auto r = ApplyUpdate(R"({"$push": {"a": 1}})", R"({"_id": 1, "a": 5})");
  EXPECT_CODE(r.status, ErrorCode::kBadValue);
  EXPECT_EQ(r.status.reason(), "The field 'a' must be an array but is of type int in document {_id: 1}");
  EXPECT_CODE(ApplyUpdate(R"({"$push": {"a": {"$each": 1}}})", "{}").status, ErrorCode::kBadValue);
  EXPECT_CODE(ApplyUpdate(R"({"$push": {"a": {"$each": [1], "$bogus": 1}}})", "{}").status, ErrorCode::kBadValue);
  EXPECT_CODE(ApplyUpdate(R"({"$push": {"a": {"$each": [1], "$sort": 2}}})", "{}").status, ErrorCode::kBadValue);
}

TEST(UpdateAddToSet, Dedupes) {
  EXPECT_EQ(ApplyUpdate(R"({"$addToSet": {"a": 2}})", R"({"_id": 1, "a": [1, 2]})").json, R"({"_id":1,"a":[1,2]})");
  EXPECT_FALSE(ApplyUpdate(R"({"$addToSet": {"a": 2}})", R"({"_id": 1, "a": [1, 2]})").modified);
  EXPECT_EQ(ApplyUpdate(R"({"$addToSet": {"a": {"$each": [2, 3, 3]}}})", R"({"_id": 1, "a": [1, 2]})").json,
            R"({"_id":1,"a":[1,2,3]})");
  EXPECT_EQ(ApplyUpdate(R"({"$addToSet": {"a": {"b": 1, "c": 2}}})", R"({"_id": 1, "a": [{"c": 2, "b": 1}]})").json,
            R"({"_id":1,"a":[{"c":2,"b":1},{"b":1,"c":2}]})");
  EXPECT_CODE(ApplyUpdate(R"({"$addToSet": {"a": 1}})", R"({"_id": 1, "a": 1})").status, ErrorCode::kBadValue);
}

TEST(UpdatePopPull, Semantics) {
  EXPECT_EQ(ApplyUpdate(R"({"$pop": {"a": 1}})", R"({"_id": 1, "a": [1, 2, 3]})").json, R"({"_id":1,"a":[1,2]})");
  EXPECT_EQ(ApplyUpdate(R"({"$pop": {"a": -1}})", R"({"_id": 1, "a": [1, 2, 3]})").json, R"({"_id":1,"a":[2,3]})");
  EXPECT_FALSE(ApplyUpdate(R"({"$pop": {"a": 1}})", R"({"_id": 1})").modified);
  EXPECT_CODE(ApplyUpdate(R"({"$pop": {"a": 1}})", R"({"_id": 1, "a": 1})").status, ErrorCode::kTypeMismatch);
  EXPECT_CODE(ApplyUpdate(R"({"$pop": {"a": 2}})", "{}").status, ErrorCode::kFailedToParse);
  EXPECT_EQ(ApplyUpdate(R"({"$pull": {"a": 2}})", R"({"_id": 1, "a": [1, 2, 3, 2]})").json, R"({"_id":1,"a":[1,3]})");
  EXPECT_EQ(ApplyUpdate(R"({"$pull": {"a": {"$gte": 2}}})", R"({"_id": 1, "a": [1, 2, 3]})").json, R"({"_id":1,"a":[1]})");
  EXPECT_EQ(ApplyUpdate(R"({"$pull": {"a": {"b": 1}}})", R"({"_id": 1, "a": [{"b": 1, "c": 1}, {"b": 2}, 5]})").json,
            R"({"_id":1,"a":[{"b":2},5]})");
  EXPECT_EQ(ApplyUpdate(R"({"$pull": {"a": {"$in": [1, 3]}}})", R"({"_id": 1, "a": [1, 2, 3]})").json, R"({"_id":1,"a":[2]})");
  EXPECT_EQ(ApplyUpdate(R"({"$pullAll": {"a": [1, 3]}})", R"({"_id": 1, "a": [1, 2, 3, 1]})").json, R"({"_id":1,"a":[2]})");
  EXPECT_CODE(ApplyUpdate(R"({"$pullAll": {"a": 1}})", "{}").status, ErrorCode::kBadValue);
}

TEST(UpdateMinMaxRenameCurrentDateBit, Semantics) {
  EXPECT_EQ(ApplyUpdate(R"({"$min": {"a": 1}})", R"({"_id": 1, "a": 5})").json, R"({"_id":1,"a":1})");
  EXPECT_FALSE(ApplyUpdate(R"({"$min": {"a": 9}})", R"({"_id": 1, "a": 5})").modified);
  EXPECT_EQ(ApplyUpdate(R"({"$max": {"a": "x"}})", R"({"_id": 1, "a": 5})").json, R"({"_id":1,"a":"x"})");
  EXPECT_EQ(ApplyUpdate(R"({"$rename": {"a": "b.c"}})", R"({"_id": 1, "a": 5, "z": 1})").json,
            R"({"_id":1,"z":1,"b":{"c":5}})");
  EXPECT_FALSE(ApplyUpdate(R"({"$rename": {"q": "b"}})", R"({"_id": 1})").modified);
  EXPECT_CODE(ApplyUpdate(R"({"$rename": {"a": "a"}})", "{}").status, ErrorCode::kBadValue);
  EXPECT_CODE(ApplyUpdate(R"({"$rename": {"a": 1}})", "{}").status, ErrorCode::kBadValue);
  EXPECT_CODE(ApplyUpdate(R"({"$rename": {"a.0": "b"}})", R"({"_id": 1, "a": [1]})").status, ErrorCode::kBadValue);
  auto r = ApplyUpdate(R"({"$currentDate": {"d": true, "t": {"$type": "timestamp"}}})", R"({"_id": 1})");
  ASSERT_OK(r.status);
  EXPECT_NE(r.json.find(R"("d":{"$date")"), std::string::npos) << r.json;
  EXPECT_NE(r.json.find(R"("t":{"$timestamp")"), std::string::npos) << r.json;
  EXPECT_CODE(ApplyUpdate(R"({"$currentDate": {"d": {"$type": "x"}}})", "{}").status, ErrorCode::kBadValue);
  EXPECT_EQ(ApplyUpdate(R"({"$bit": {"a": {"and": 6}}})", R"({"_id": 1, "a": 3})").json, R"({"_id":1,"a":2})");
  EXPECT_EQ(ApplyUpdate(R"({"$bit": {"a": {"or": 4, "xor": 1}}})", R"({"_id": 1, "a": 3})").json, R"({"_id":1,"a":6})");
  EXPECT_CODE(ApplyUpdate(R"({"$bit": {"a": {"and": 1.0}}})", "{}").status, ErrorCode::kBadValue);
  EXPECT_CODE(ApplyUpdate(R"({"$bit": {"a": {"and": 1}}})", R"({"_id": 1, "a": 1.5})").status, ErrorCode::kBadValue);
}

TEST(UpdatePositional, DollarAllAndFiltered) {
  auto r = ApplyUpdate(R"({"$set": {"a.$": 9}})", R"({"_id": 1, "a": [1, 2, 3]})", "[]", R"({"a": 2})");
  EXPECT_EQ(r.json, R"({"_id":1,"a":[1,9,3]})");
  r = ApplyUpdate(R"({"$inc": {"a.$.n": 1}})", R"({"_id": 1, "a": [{"k": 1, "n": 0}, {"k": 2, "n": 0}]})", "[]",
                  R"({"a.k": 2})");
  EXPECT_EQ(r.json, R"({"_id":1,"a":[{"k":1,"n":0},{"k":2,"n":1}]})");
  r = ApplyUpdate(R"({"$set": {"a.$": 9}})", R"({"_id": 1, "a": [1, 2, 3]})", "[]", R"({"_id": 1})");
  EXPECT_CODE(r.status, ErrorCode::kBadValue);
  EXPECT_EQ(r.status.reason(), "The positional operator did not find the match needed from the query.");
  r = ApplyUpdate(R"({"$inc": {"a.$[]": 10}})", R"({"_id": 1, "a": [1, 2]})");
  EXPECT_EQ(r.json, R"({"_id":1,"a":[11,12]})");
  r = ApplyUpdate(R"({"$set": {"a.$[].b": 0}})", R"({"_id": 1, "a": [{"b": 1}, {"c": 1}]})");
  EXPECT_EQ(r.json, R"({"_id":1,"a":[{"b":0},{"c":1,"b":0}]})");
  r = ApplyUpdate(R"({"$set": {"a.$[x]": 0}})", R"({"_id": 1, "a": [1, 5, 7]})", R"([{"x": {"$gt": 4}}])");
  EXPECT_EQ(r.json, R"({"_id":1,"a":[1,0,0]})");
  r = ApplyUpdate(R"({"$set": {"a.$[e].ok": true}})", R"({"_id": 1, "a": [{"v": 1}, {"v": 2}]})", R"([{"e.v": 2}])");
  EXPECT_EQ(r.json, R"({"_id":1,"a":[{"v":1},{"v":2,"ok":true}]})");
  r = ApplyUpdate(R"({"$set": {"a.$[x].b.$[y]": 0}})", R"({"_id": 1, "a": [{"b": [1, 2]}, {"b": [3]}]})",
                  R"([{"x.b": 3}, {"y": {"$gte": 3}}])");
  EXPECT_EQ(r.json, R"({"_id":1,"a":[{"b":[1,2]},{"b":[0]}]})");
  r = ApplyUpdate(R"({"$set": {"a.$[y]": 0}})", R"({"_id": 1, "a": [1]})", R"([{"x": 1}])");
  EXPECT_CODE(r.status, ErrorCode::kBadValue);
  EXPECT_EQ(r.status.reason(), "No array filter found for identifier 'y' in path 'a.$[y]'");
  r = ApplyUpdate(R"({"$set": {"a.$[x]": 0}})", R"({"_id": 1, "a": [1]})", R"([{"x": 1}, {"y": 1}])");
  EXPECT_CODE(r.status, ErrorCode::kFailedToParse);
  EXPECT_EQ(r.status.reason().rfind("The array filter for identifier 'y' was not used in the update", 0), 0u);
  EXPECT_CODE(ApplyUpdate(R"({"$set": {"a.$[x]": 0}})", "{}", R"([{"x": 1, "y": 1}])").status, ErrorCode::kFailedToParse);
  EXPECT_CODE(ApplyUpdate(R"({"$set": {"a.$[X]": 0}})", "{}", R"([{"X": 1}])").status, ErrorCode::kBadValue);
  EXPECT_CODE(ApplyUpdate(R"({"$set": {"a.$[x]": 0}})", "{}", R"([{"x": 1}, {"x": 2}])").status, ErrorCode::kFailedToParse);
  EXPECT_CODE(ApplyUpdate(R"({"$set": {"a.$[]": 0}})", R"({"_id": 1})").status, ErrorCode::kBadValue);
  EXPECT_CODE(ApplyUpdate(R"({"$set": {"a.$[]": 0}})", R"({"_id": 1, "a": 5})").status, ErrorCode::kBadValue);
}

TEST(UpdatePipeline, StagesAndRestrictions) {
  auto r = ApplyUpdate(R"([{"$set": {"b": {"$add": ["$a", 1]}}}, {"$unset": "a"}])", R"({"_id": 1, "a": 1})");
  ASSERT_OK(r.status);
  EXPECT_EQ(r.json, R"({"_id":1,"b":2})");
  r = ApplyUpdate(R"([{"$replaceWith": {"x": 1}}])", R"({"_id": 1, "a": 1})");
  EXPECT_EQ(r.json, R"({"_id":1,"x":1})");
  r = ApplyUpdate(R"([{"$project": {"a": 1}}])", R"({"_id": 1, "a": 1, "b": 2})");
  EXPECT_EQ(r.json, R"({"_id":1,"a":1})");
  EXPECT_CODE(ApplyUpdate(R"([{"$match": {}}])", R"({"_id": 1})").status, ErrorCode::kInvalidOptions);
  EXPECT_CODE(ApplyUpdate(R"([{"$set": {"a": 1}}])", R"({"_id": 1})", R"([{"x": 1}])").status, ErrorCode::kFailedToParse);
  EXPECT_CODE(ApplyUpdate(R"([{"$set": {"_id": 2}}])", R"({"_id": 1})").status, ErrorCode::kImmutableField);
  EXPECT_FALSE(ApplyUpdate(R"([{"$set": {"a": 1}}])", R"({"_id": 1, "a": 1})").modified);
}

}  // namespace
}  // namespace dds::update

namespace dds::update {
namespace {

TEST(UpdateNonViablePaths, OnlyUnsetTreatsThemAsNoOps) {
  // mongod's allowNonViablePath() is true for $unset only; $pop/$pull/$pullAll run checkViability.
  for (const char* doc : {R"({"_id": 1, "a": 5})", R"({"_id": 1, "a": [{"c": 1}]})"}) {
    auto r = ApplyUpdate(R"({"$unset": {"a.b": 1}})", doc);
    EXPECT_OK(r.status);
    EXPECT_FALSE(r.modified) << doc;
    for (const char* u : {R"({"$pop": {"a.b": 1}})", R"({"$pull": {"a.b": 1}})", R"({"$pullAll": {"a.b": [1]}})"}) {
      EXPECT_EQ(ApplyUpdate(u, doc).status.code(), static_cast<int>(ErrorCode::kPathNotViable)) << u << " on " << doc;
    }
  }
  // A missing but viable path stays a no-op.
  auto r = ApplyUpdate(R"({"$pop": {"a.5.b": 1}})", R"({"_id": 1, "a": [{"c": 1}]})");
  EXPECT_OK(r.status);
  EXPECT_FALSE(r.modified);
  EXPECT_CODE(ApplyUpdate(R"({"$inc": {"a.b": 1}})", R"({"_id": 1, "a": 5})").status, ErrorCode::kPathNotViable);
  EXPECT_CODE(ApplyUpdate(R"({"$push": {"a.b": 1}})", R"({"_id": 1, "a": [1]})").status, ErrorCode::kPathNotViable);
  EXPECT_EQ(ApplyUpdate(R"({"$set": {"a.3.b": 1}})", R"({"_id": 1, "a": [1]})").json, R"({"_id":1,"a":[1,null,null,{"b":1}]})");
  EXPECT_EQ(ApplyUpdate(R"({"$set": {"a.0": 1}})", R"({"_id": 1})").json, R"({"_id":1,"a":{"0":1}})");
  EXPECT_EQ(ApplyUpdate(R"({"$inc": {"a.1.n": 2}})", R"({"_id": 1, "a": [{"n": 1}, {"n": 1}]})").json,
            R"({"_id":1,"a":[{"n":1},{"n":3}]})");
}

}  // namespace
}  // namespace dds::update
