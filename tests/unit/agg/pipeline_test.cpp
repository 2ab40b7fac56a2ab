#include "agg_test_util.h"

namespace dds::agg {
namespace {

constexpr const char* kDocs = R"([
  {"_id": 1, "g": "a", "v": 1, "tags": ["x", "y"]},
  {"_id": 2, "g": "b", "v": 2, "tags": []},
  {"_id": 3, "g": "a", "v": 3}
])";

TEST(Pipeline, StageErrors) {
  EXPECT_EQ(RunPipeline(R"([{"$foo": 1}])", "[]"), "error:40324");
  EXPECT_EQ(RunPipeline(R"([{"$match": {}, "$limit": 1}])", "[]"), "error:40323");
  EXPECT_EQ(RunPipeline(R"([{}])", "[]"), "error:40323");
  EXPECT_EQ(RunPipeline(R"([{"$group": {"n": {"$sum": 1}}}])", "[]"), "error:15955");
  EXPECT_EQ(RunPipeline(R"([{"$group": {"_id": null, "n": 1}}])", "[]"), "error:40234");
  EXPECT_EQ(RunPipeline(R"([{"$group": {"_id": null, "n": {"$foo": 1}}}])", "[]"), "error:15952");
  EXPECT_EQ(RunPipeline(R"([{"$project": {}}])", "[]"), "error:51272");
  EXPECT_EQ(RunPipeline(R"([{"$set": 1}])", "[]"), "error:40272");
  EXPECT_EQ(RunPipeline(R"([{"$sort": {"a": 2}}])", "[]"), "error:15975");
  EXPECT_EQ(RunPipeline(R"([{"$sort": {"a": "x"}}])", "[]"), "error:15974");
  EXPECT_EQ(RunPipeline(R"([{"$limit": 0}])", "[]"), "error:15958");
  EXPECT_EQ(RunPipeline(R"([{"$skip": -1}])", "[]"), "error:15956");
  EXPECT_EQ(RunPipeline(R"([{"$unset": []}])", "[]"), "error:31119");
  EXPECT_EQ(RunPipeline(R"([{"$unset": [1]}])", "[]"), "error:31120");
  EXPECT_EQ(RunPipeline(R"([{"$unset": 1}])", "[]"), "error:31002");
  EXPECT_EQ(RunPipeline(R"([{"$project": {"a.$": 1}}])", "[]"), "error:31324");
}

TEST(Pipeline, MatchSortSkipLimit) {
  EXPECT_EQ(RunPipeline(R"([{"$match": {"g": "a"}}, {"$sort": {"v": -1}}, {"$project": {"_id": 1}}])", kDocs),
            R"([{"_id":3},{"_id":1}])");
  EXPECT_EQ(RunPipeline(R"([{"$sort": {"v": 1}}, {"$skip": 1}, {"$limit": 1}, {"$project": {"v": 1, "_id": 0}}])", kDocs),
            R"([{"v":2}])");
}

TEST(Pipeline, Group) {
  EXPECT_EQ(RunPipeline(R"([{"$group": {"_id": "$g", "n": {"$sum": 1}, "t": {"$sum": "$v"}, "avg": {"$avg": "$v"},
                    "mn": {"$min": "$v"}, "mx": {"$max": "$v"}, "f": {"$first": "$v"}, "l": {"$last": "$v"},
                    "p": {"$push": "$v"}, "s": {"$addToSet": "$g"}, "c": {"$count": {}}}}])", kDocs),
            R"([{"_id":"a","n":2,"t":4,"avg":2.0,"mn":1,"mx":3,"f":1,"l":3,"p":[1,3],"s":["a"],"c":2},)"
            R"({"_id":"b","n":1,"t":2,"avg":2.0,"mn":2,"mx":2,"f":2,"l":2,"p":[2],"s":["b"],"c":1}])");
  EXPECT_EQ(RunPipeline(R"([{"$group": {"_id": null, "n": {"$sum": 1}}}])", kDocs), R"([{"_id":null,"n":3}])");
  EXPECT_EQ(RunPipeline(R"([{"$group": {"_id": null, "n": {"$sum": 1}}}])", "[]"), "[]");
  EXPECT_EQ(RunPipeline(R"([{"$group": {"_id": null, "a": {"$avg": "$nope"}, "s": {"$sum": "$nope"}}}])", kDocs),
            R"([{"_id":null,"a":null,"s":0}])");
  // 1 and 1.0 group together.
  EXPECT_EQ(RunPipeline(R"([{"$group": {"_id": "$k", "n": {"$sum": 1}}}])", R"([{"k": 1}, {"k": 1.0}])"),
            R"([{"_id":1,"n":2}])");
}

TEST(Pipeline, CountUnwindAddFields) {
  EXPECT_EQ(RunPipeline(R"([{"$count": "n"}])", kDocs), R"([{"n":3}])");
  EXPECT_EQ(RunPipeline(R"([{"$count": "n"}])", "[]"), "[]");
  EXPECT_EQ(RunPipeline(R"([{"$unwind": "$tags"}, {"$project": {"tags": 1}}])", kDocs),
            R"([{"_id":1,"tags":"x"},{"_id":1,"tags":"y"}])");
  EXPECT_EQ(RunPipeline(R"([{"$unwind": {"path": "$tags", "preserveNullAndEmptyArrays": true, "includeArrayIndex": "i"}},
                    {"$project": {"tags": 1, "i": 1}}])", kDocs),
            R"([{"_id":1,"tags":"x","i":0},{"_id":1,"tags":"y","i":1},{"_id":2,"i":null},{"_id":3,"i":null}])");
  EXPECT_EQ(RunPipeline(R"([{"$set": {"w": {"$multiply": ["$v", 10]}, "v": 0}}, {"$project": {"tags": 0}}])",
                R"([{"_id": 1, "v": 2}])"),
            R"([{"_id":1,"v":0,"w":20}])");
  EXPECT_EQ(RunPipeline(R"([{"$addFields": {"a.b": 1}}])", R"([{"_id": 1, "a": {"c": 2}}])"),
            R"([{"_id":1,"a":{"c":2,"b":1}}])");
  EXPECT_EQ(RunPipeline(R"([{"$addFields": {"a": {"b": 1}}}])", R"([{"_id": 1, "a": [{"c": 2}, 5]}])"),
            R"([{"_id":1,"a":[{"c":2,"b":1},{"b":1}]}])");
  EXPECT_EQ(RunPipeline(R"([{"$unset": ["v", "tags"]}])", R"([{"_id": 1, "v": 2, "w": 3}])"), R"([{"_id":1,"w":3}])");
}

TEST(Pipeline, ProjectComputedAndReplaceRoot) {
  EXPECT_EQ(RunPipeline(R"([{"$project": {"x": {"$add": ["$v", 1]}, "g": 1}}])", R"([{"_id": 1, "g": "a", "v": 1}])"),
            R"([{"_id":1,"g":"a","x":2}])");
  EXPECT_EQ(RunPipeline(R"([{"$replaceRoot": {"newRoot": "$sub"}}])", R"([{"sub": {"a": 1}}])"), R"([{"a":1}])");
  EXPECT_EQ(RunPipeline(R"([{"$replaceWith": "$sub"}])", R"([{"sub": 1}])"), "error:40228");
}

TEST(Pipeline, MatchWithExpr) {
  EXPECT_EQ(RunPipeline(R"([{"$match": {"$expr": {"$gt": ["$v", 1]}}}, {"$project": {"_id": 1}}])", kDocs),
            R"([{"_id":2},{"_id":3}])");
}

TEST(Pipeline, FacetAndSortByCount) {
  EXPECT_EQ(RunPipeline(R"([{"$facet": {"n": [{"$count": "c"}], "ids": [{"$project": {"_id": 1}}]}}])", kDocs),
            R"([{"n":[{"c":3}],"ids":[{"_id":1},{"_id":2},{"_id":3}]}])");
  EXPECT_EQ(RunPipeline(R"([{"$sortByCount": "$g"}])", kDocs), R"([{"_id":"a","count":2},{"_id":"b","count":1}])");
}

TEST(Pipeline, LeadingMatch) {
  bson::BsonDocument w = bson::FromJson(R"({"p": [{"$match": {"a": 1}}, {"$limit": 1}]})");
  auto p = Pipeline::Parse(w["p"].Array(), ExpressionContext{});
  ASSERT_OK(p);
  auto m = p->LeadingMatch();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->ToJson(), R"({"a":1})");
  std::vector<bson::BsonDocument> docs = {bson::FromJson(R"({"a": 2})"), bson::FromJson(R"({"a": 3})")};
  auto chain = p->Bind(MakeVectorSource(std::move(docs)), /*skip_leading_match=*/true);
  auto d = chain->GetNext();
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->ToJson(), R"({"a":2})");
}

}  // namespace
}  // namespace dds::agg

namespace dds::agg {
namespace {

TEST(PipelineAccumulators, NAndTopBottomAndPercentiles) {
  const char* docs = R"([{"g": 1, "s": 5, "p": "a", "x": {"y": 2}}, {"g": 1, "s": 9, "p": "b", "x": {"y": 1}},
                         {"g": 1, "s": 7, "p": "c", "x": {"y": 3}}])";
  EXPECT_EQ(RunPipeline(R"([{"$group": {"_id": "$g", "f": {"$firstN": {"input": "$s", "n": 2}},
                         "l": {"$lastN": {"input": "$s", "n": 2}}, "mx": {"$maxN": {"input": "$s", "n": 2}},
                         "mn": {"$minN": {"input": "$s", "n": 2}}}}])", docs),
            R"([{"_id":1,"f":[5,9],"l":[9,7],"mx":[9,7],"mn":[5,7]}])");
  EXPECT_EQ(RunPipeline(R"([{"$group": {"_id": "$g", "t": {"$top": {"sortBy": {"s": -1}, "output": "$p"}},
                         "b": {"$bottom": {"sortBy": {"s": -1}, "output": "$p"}},
                         "tn": {"$topN": {"n": 2, "sortBy": {"x.y": 1}, "output": ["$p", "$s"]}},
                         "bn": {"$bottomN": {"n": 2, "sortBy": {"s": 1}, "output": "$p"}}}}])", docs),
            R"([{"_id":1,"t":"b","b":"a","tn":[["b",9],["a",5]],"bn":["c","b"]}])");
  EXPECT_EQ(RunPipeline(R"([{"$group": {"_id": null, "m": {"$median": {"input": "$s", "method": "approximate"}},
                         "p": {"$percentile": {"input": "$s", "p": [0, 1], "method": "approximate"}}}}])", docs),
            R"([{"_id":null,"m":7.0,"p":[5.0,9.0]}])");
  EXPECT_EQ(RunPipeline(R"([{"$group": {"_id": null, "t": {"$top": {"output": "$p"}}}}])", docs), "error:5787906");
  EXPECT_EQ(RunPipeline(R"([{"$group": {"_id": null, "t": {"$firstN": {"input": "$p", "n": 0}}}}])", docs), "error:5787908");
}

TEST(Pipeline, DecimalSumAndAvgAreExact) {
  const char* docs = R"([{"v": {"$numberDecimal": "0.1"}}, {"v": {"$numberDecimal": "0.2"}}, {"v": 1}])";
  EXPECT_EQ(RunPipeline(R"([{"$group": {"_id": null, "t": {"$sum": "$v"}, "a": {"$avg": "$v"}}}])", docs),
            R"([{"_id":null,"t":{"$numberDecimal":"1.3"},"a":{"$numberDecimal":"0.4333333333333333333333333333333333"}}])");
}

// A leading $sort (alone or after $match) is offered to the executor; a later one is not.
TEST(Pipeline, LeadingSortIsOfferedToTheExecutor) {
  auto leading = [](const char* json) -> std::string {
    bson::BsonDocument w = bson::FromJson(std::string(R"({"p": )") + json + "}");
    auto p = Pipeline::Parse(w["p"].Array(), ExpressionContext{});
    EXPECT_TRUE(p.ok());
    std::optional<bson::BsonDocument> s = p->LeadingSort();
    return s ? s->ToJson() : "none";
  };
  EXPECT_EQ(leading(R"([{"$sort": {"a": -1}}, {"$limit": 2}])"), R"({"a":-1})");
  EXPECT_EQ(leading(R"([{"$match": {"x": 1}}, {"$sort": {"a": 1, "b": -1}}])"), R"({"a":1,"b":-1})");
  EXPECT_EQ(leading(R"([{"$project": {"a": 1}}, {"$sort": {"a": 1}}])"), "none");
  EXPECT_EQ(leading(R"([{"$match": {"x": 1}}, {"$match": {"y": 1}}, {"$sort": {"a": 1}}])"), "none");
  EXPECT_EQ(leading("[]"), "none");
}

}  // namespace
}  // namespace dds::agg
