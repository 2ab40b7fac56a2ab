#include <map>

#include "agg_test_util.h"

namespace dds::agg {
namespace {

// In-memory collections for $lookup / $unionWith.
class FakeForeign : public ForeignCollections {
 public:
  std::map<std::string, std::vector<bson::BsonDocument>> colls;
  std::unique_ptr<DocumentSource> Scan(const std::string& coll) override {
    auto it = colls.find(coll);
    if (it == colls.end()) return MakeVectorSource({});
    return MakeVectorSource(it->second);
  }
};

std::string RunWithForeign(std::string_view pipeline_json, std::string_view docs_json,
                           std::shared_ptr<FakeForeign> foreign) {
  bson::BsonDocument wrapper = bson::FromJson("{\"p\": " + std::string(pipeline_json) + "}");
  bson::BsonDocument input = bson::FromJson("{\"d\": " + std::string(docs_json) + "}");
  ExpressionContext ctx;
  ctx.foreign = foreign;
  auto p = Pipeline::Parse(wrapper["p"].Array(), ctx);
  if (!p.ok()) return "error:" + std::to_string(p.status().code());
  std::vector<bson::BsonDocument> docs;
  for (const auto& e : input["d"].Array()) docs.emplace_back(e.Object());
  try {
    auto chain = p->Bind(MakeVectorSource(std::move(docs)));
    std::string out = "[";
    bool first = true;
    while (auto d = chain->GetNext()) {
      if (!first) out += ",";
      first = false;
      out += d->ToJson();
    }
    return out + "]";
  } catch (const DbException& ex) {
    return "error:" + std::to_string(ex.status().code());
  }
}

std::shared_ptr<FakeForeign> Inventory() {
  auto f = std::make_shared<FakeForeign>();
  f->colls["inv"] = {bson::FromJson(R"({"_id": 1, "sku": "a", "qty": 5})"),
                     bson::FromJson(R"({"_id": 2, "sku": "b", "qty": 0})"),
                     bson::FromJson(R"({"_id": 3, "qty": 9})")};
  return f;
}

TEST(Lookup, EqualityForm) {
  auto f = Inventory();
  EXPECT_EQ(RunWithForeign(R"([{"$lookup": {"from": "inv", "localField": "item", "foreignField": "sku", "as": "m"}},
                               {"$project": {"m._id": 1}}])",
                           R"([{"_id": 10, "item": "a"}, {"_id": 11}, {"_id": 12, "item": ["a", "b"]}])", f),
            R"([{"_id":10,"m":[{"_id":1}]},{"_id":11,"m":[{"_id":3}]},{"_id":12,"m":[{"_id":1},{"_id":2}]}])");
  EXPECT_EQ(RunWithForeign(R"([{"$lookup": {"from": "nope", "localField": "x", "foreignField": "y", "as": "m"}}])",
                           R"([{"_id": 1}])", f),
            R"([{"_id":1,"m":[]}])");
}

TEST(Lookup, PipelineFormWithLet) {
  auto f = Inventory();
  EXPECT_EQ(RunWithForeign(R"([{"$lookup": {"from": "inv", "let": {"min": "$min"},
                                "pipeline": [{"$match": {"$expr": {"$gte": ["$qty", "$$min"]}}}, {"$project": {"_id": 1}}],
                                "as": "m"}}])",
                           R"([{"_id": 10, "min": 5}])", f),
            R"([{"_id":10,"min":5,"m":[{"_id":1},{"_id":3}]}])");
}

TEST(Lookup, Errors) {
  auto f = Inventory();
  EXPECT_EQ(RunWithForeign(R"([{"$lookup": {"from": "inv", "localField": "a", "foreignField": "b"}}])", "[]", f), "error:9");
  EXPECT_EQ(RunWithForeign(R"([{"$lookup": {"from": "inv", "localField": "a", "as": "x"}}])", "[]", f), "error:9");
  EXPECT_EQ(RunWithForeign(R"([{"$lookup": {"from": "inv", "bogus": 1, "as": "x"}}])", "[]", f), "error:9");
  EXPECT_EQ(RunPipeline(R"([{"$lookup": {"from": "inv", "localField": "a", "foreignField": "b", "as": "x"}}])", "[]"),
            "error:238");
}

TEST(UnionWith, AppendsOtherCollection) {
  auto f = Inventory();
  EXPECT_EQ(RunWithForeign(R"([{"$unionWith": {"coll": "inv", "pipeline": [{"$match": {"qty": {"$gt": 1}}}, {"$project": {"_id": 1}}]}}])",
                           R"([{"_id": 10}])", f),
            R"([{"_id":10},{"_id":1},{"_id":3}])");
  EXPECT_EQ(RunWithForeign(R"([{"$unionWith": "inv"}, {"$count": "n"}])", R"([{"_id": 10}])", f), R"([{"n":4}])");
}

TEST(Bucket, GroupsByBoundaries) {
  const char* docs = R"([{"p": 1}, {"p": 5}, {"p": 12}, {"p": 25}, {"p": "x"}])";
  EXPECT_EQ(RunPipeline(R"([{"$bucket": {"groupBy": "$p", "boundaries": [0, 10, 20], "default": "other"}}])", docs),
            R"([{"_id":0,"count":2},{"_id":10,"count":1},{"_id":"other","count":2}])");
  EXPECT_EQ(RunPipeline(R"([{"$bucket": {"groupBy": "$p", "boundaries": [0, 10], "output": {"s": {"$sum": "$p"}}}}])",
                        R"([{"p": 1}, {"p": 5}])"),
            R"([{"_id":0,"s":6}])");
  EXPECT_EQ(RunPipeline(R"([{"$bucket": {"groupBy": "$p", "boundaries": [0, 10]}}])", R"([{"p": 50}])"), "error:40066");
  EXPECT_EQ(RunPipeline(R"([{"$bucket": {"groupBy": "$p", "boundaries": [10, 0]}}])", "[]"), "error:40194");
  EXPECT_EQ(RunPipeline(R"([{"$bucket": {"groupBy": "$p", "boundaries": [0]}}])", "[]"), "error:40192");
  EXPECT_EQ(RunPipeline(R"([{"$bucket": {"groupBy": "$p", "boundaries": [0, 10], "default": 5}}])", "[]"), "error:40199");
}

TEST(Documents, EmitsLiteralDocuments) {
  EXPECT_EQ(RunPipeline(R"([{"$documents": [{"a": 1}, {"a": 2}]}, {"$match": {"a": 2}}])", "[]"), R"([{"a":2}])");
  EXPECT_EQ(RunPipeline(R"([{"$documents": [1]}])", "[]"), "error:5858203");
}

}  // namespace
}  // namespace dds::agg

namespace dds::agg {
namespace {

TEST(Redact, DescendPruneKeep) {
  const char* docs = R"([{"_id": 1, "level": 1, "a": {"level": 5, "x": 1}, "b": [{"level": 1, "y": 2}, {"level": 9}], "c": 3},
                         {"_id": 2, "level": 9}])";
  EXPECT_EQ(RunPipeline(R"([{"$redact": {"$cond": [{"$gt": [{"$ifNull": ["$level", 0]}, 4]}, "$$PRUNE", "$$DESCEND"]}}])", docs),
            R"([{"_id":1,"level":1,"b":[{"level":1,"y":2}],"c":3}])");
  EXPECT_EQ(RunPipeline(R"([{"$redact": "$$KEEP"}, {"$project": {"_id": 1}}])", docs), R"([{"_id":1},{"_id":2}])");
  EXPECT_EQ(RunPipeline(R"([{"$redact": 5}])", docs), "error:17053");
}

}  // namespace
}  // namespace dds::agg
