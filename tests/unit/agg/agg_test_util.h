// Helpers for pipeline and expression tests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agg/expression.h"
#include "agg/pipeline.h"
#include "bson/bson.h"
#include "test_util.h"

namespace dds::agg {

// Runs `pipeline_json` (a JSON array) over `docs_json` (a JSON array of documents) and returns
// the output as a JSON array string, or "error:<code>".
inline std::string RunPipeline(std::string_view pipeline_json, std::string_view docs_json) {
  bson::BsonDocument wrapper = bson::FromJson("{\"p\": " + std::string(pipeline_json) + "}");
  bson::BsonDocument input = bson::FromJson("{\"d\": " + std::string(docs_json) + "}");
  auto p = Pipeline::Parse(wrapper["p"].Array(), ExpressionContext{});
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

// Evaluates an expression given as JSON ({"e": <expr>}) over `doc_json`; returns the value as
// relaxed JSON ("MISSING" when missing) or "error:<code>".
inline std::string Eval(std::string_view expr_json, std::string_view doc_json = "{}") {
  bson::BsonDocument wrapper = bson::FromJson("{\"e\": " + std::string(expr_json) + "}");
  bson::BsonDocument doc = bson::FromJson(doc_json);
  auto compiled = CompileExpression(wrapper["e"], bson::BsonView());
  if (!compiled.ok()) return "error:" + std::to_string(compiled.status().code());
  try {
    Value v = compiled->Evaluate(doc);
    if (v.missing()) return "MISSING";
    return v.element().ValueToJson();
  } catch (const DbException& ex) {
    return "error:" + std::to_string(ex.status().code());
  }
}

}  // namespace dds::agg
