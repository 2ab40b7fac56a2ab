#include <map>

#include "agg_test_util.h"

namespace dds::agg {
namespace {

// In-memory collections for $lookup / $unionWith.
class FakeForeign : public ForeignCollections {
 public:
  std::map<std::string, std::vector<bson::BsonDocument>> colls;
  int scans = 0;
  std::unique_ptr<DocumentSource> Scan(const std::string& coll) override {
    ++scans;
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

// A foreign collection past 100 MB is not held in memory: each input document scans it (mongod's
// nested loop join); the answers are those of the held (hash join) case.
TEST(Lookup, LargeForeignCollectionsAreScannedPerInputDocument) {
  const std::string pad(1 << 20, 'p');
  for (int copies : {3, 101}) {
    auto f = std::make_shared<FakeForeign>();
    for (int i = 0; i < copies; ++i) {
      std::string sku = i == 0 ? "a" : i == 1 ? "b" : "z";
      f->colls["inv"].push_back(bson::FromJson("{\"_id\":" + std::to_string(i) + ",\"sku\":\"" +
                                               sku + "\",\"pad\":\"" + pad + "\"}"));
    }
    const char* input = R"([{"_id": 10, "item": "a"}, {"_id": 11, "item": ["a", "b"]}])";
    EXPECT_EQ(RunWithForeign(R"([{"$lookup": {"from": "inv", "localField": "item",
                                  "foreignField": "sku", "as": "m"}}, {"$project": {"m._id": 1}}])",
                             input, f),
              R"([{"_id":10,"m":[{"_id":0}]},{"_id":11,"m":[{"_id":0},{"_id":1}]}])")
        << copies;
    EXPECT_EQ(f->scans, copies == 3 ? 1 : 3) << copies;  // once, or a failed hold + one per input
    f->scans = 0;
    EXPECT_EQ(RunWithForeign(R"([{"$lookup": {"from": "inv", "let": {"i": "$item"},
                                  "pipeline": [{"$match": {"$expr": {"$in": ["$sku", {"$cond": [
                                    {"$isArray": "$$i"}, "$$i", ["$$i"]]}]}}},
                                               {"$project": {"_id": 1}}], "as": "m"}}])",
                             input, f),
              R"([{"_id":10,"item":"a","m":[{"_id":0}]},)"
              R"({"_id":11,"item":["a","b"],"m":[{"_id":0},{"_id":1}]}])")
        << copies;
    EXPECT_EQ(f->scans, copies == 3 ? 1 : 3) << copies;
  }
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

namespace dds::agg {
namespace {

TEST(SetWindowFields, RunningTotalsRanksAndShift) {
  const char* docs = R"([{"_id": 1, "s": "a", "t": 1, "v": 10}, {"_id": 2, "s": "a", "t": 2, "v": 20},
                         {"_id": 3, "s": "a", "t": 3, "v": 20}, {"_id": 4, "s": "b", "t": 1, "v": 5}])";
  EXPECT_EQ(RunPipeline(R"([{"$setWindowFields": {"partitionBy": "$s", "sortBy": {"t": 1}, "output": {
                           "run": {"$sum": "$v", "window": {"documents": ["unbounded", "current"]}},
                           "tot": {"$sum": "$v"},
                           "mov": {"$avg": "$v", "window": {"documents": [-1, 0]}},
                           "rng": {"$push": "$_id", "window": {"range": [-1, 1]}},
                           "n": {"$documentNumber": {}},
                           "prev": {"$shift": {"output": "$v", "by": -1, "default": 0}}}}},
                         {"$project": {"s": 0, "t": 0, "v": 0}}])", docs),
            R"([{"_id":1,"run":10,"tot":50,"mov":10.0,"rng":[1,2],"n":1,"prev":0},)"
            R"({"_id":2,"run":30,"tot":50,"mov":15.0,"rng":[1,2,3],"n":2,"prev":10},)"
            R"({"_id":3,"run":50,"tot":50,"mov":20.0,"rng":[2,3],"n":3,"prev":20},)"
            R"({"_id":4,"run":5,"tot":5,"mov":5.0,"rng":[4],"n":1,"prev":0}])");
  EXPECT_EQ(RunPipeline(R"([{"$setWindowFields": {"sortBy": {"v": -1}, "output": {"r": {"$rank": {}}, "d": {"$denseRank": {}}}}},
                         {"$project": {"r": 1, "d": 1}}])", docs),
            R"([{"_id":2,"r":1,"d":1},{"_id":3,"r":1,"d":1},{"_id":1,"r":3,"d":2},{"_id":4,"r":4,"d":3}])");
  EXPECT_EQ(RunPipeline(R"([{"$setWindowFields": {"output": {"r": {"$rank": {}}}}}])", docs), "error:5371602");
  EXPECT_EQ(RunPipeline(R"([{"$setWindowFields": {"output": {"r": {"$bogus": 1}}}}])", docs), "error:9");
}

}  // namespace
}  // namespace dds::agg

namespace dds::agg {
namespace {

TEST(GraphLookup, RecursiveSearchWithDepth) {
  auto f = std::make_shared<FakeForeign>();
  f->colls["emp"] = {bson::FromJson(R"({"_id": 1, "name": "a", "boss": null})"),
                     bson::FromJson(R"({"_id": 2, "name": "b", "boss": "a"})"),
                     bson::FromJson(R"({"_id": 3, "name": "c", "boss": "b"})")};
  EXPECT_EQ(RunWithForeign(R"([{"$graphLookup": {"from": "emp", "startWith": "$boss", "connectFromField": "boss",
                               "connectToField": "name", "as": "chain", "depthField": "d"}},
                               {"$project": {"chain._id": 1, "chain.d": 1}}])",
                           R"([{"_id": 9, "boss": "c"}])", f),
            R"([{"_id":9,"chain":[{"_id":3,"d":0},{"_id":2,"d":1},{"_id":1,"d":2}]}])");
  EXPECT_EQ(RunWithForeign(R"([{"$graphLookup": {"from": "emp", "startWith": "$boss", "connectFromField": "boss",
                               "connectToField": "name", "as": "chain", "maxDepth": 0}}, {"$project": {"chain._id": 1}}])",
                           R"([{"_id": 9, "boss": "c"}])", f),
            R"([{"_id":9,"chain":[{"_id":3}]}])");
}

TEST(BucketAuto, EqualCountBuckets) {
  EXPECT_EQ(RunPipeline(R"([{"$bucketAuto": {"groupBy": "$v", "buckets": 2}}])",
                        R"([{"v": 1}, {"v": 2}, {"v": 3}, {"v": 4}])"),
            R"([{"_id":{"min":1,"max":3},"count":2},{"_id":{"min":3,"max":4},"count":2}])");
  EXPECT_EQ(RunPipeline(R"([{"$bucketAuto": {"groupBy": "$v", "buckets": 2, "output": {"s": {"$sum": "$v"}}}}])",
                        R"([{"v": 1}, {"v": 1}, {"v": 1}, {"v": 4}])"),
            R"([{"_id":{"min":1,"max":4},"s":3},{"_id":{"min":4,"max":4},"s":4}])");
}

}  // namespace
}  // namespace dds::agg

namespace dds::agg {
namespace {

TEST(Fill, ValueLocfAndLinear) {
  const char* docs = R"([{"t": 1, "a": 10, "b": "x"}, {"t": 2, "a": null}, {"t": 4, "b": null}, {"t": 5, "a": 50}])";
  EXPECT_EQ(RunPipeline(R"([{"$fill": {"sortBy": {"t": 1}, "output": {"a": {"method": "linear"}, "b": {"method": "locf"},
                           "c": {"value": 0}}}}])", docs),
            R"([{"t":1,"a":10,"b":"x","c":0},{"t":2,"a":20.0,"b":"x","c":0},{"t":4,"b":"x","a":40.0,"c":0},{"t":5,"a":50,"b":"x","c":0}])");
  EXPECT_EQ(RunPipeline(R"([{"$fill": {"output": {"a": {"method": "locf"}}}}])", docs), "error:6050201");
}

}  // namespace
}  // namespace dds::agg
