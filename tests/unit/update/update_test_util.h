// Helpers for update tests: apply an update given as JSON to a document given as JSON.
#pragma once

#include <string>
#include <string_view>

#include "bson/bson.h"
#include "query/match_parser.h"
#include "test_util.h"
#include "update/update_driver.h"

namespace dds::update {

struct UpdateResult {
  Status status;
  std::string json;
  bool modified = false;
};

// `update_json` is wrapped as {"u": <update>} so arrays (pipelines) work too.
inline UpdateResult ApplyUpdate(std::string_view update_json, std::string_view doc_json,
                                std::string_view array_filters_json = "[]", std::string_view query_json = "{}",
                                bool multi = false) {
  bson::BsonDocument u = bson::FromJson("{\"u\": " + std::string(update_json) + "}");
  bson::BsonDocument af = bson::FromJson("{\"a\": " + std::string(array_filters_json) + "}");
  UpdateOptions options;
  options.array_filters = af["a"].Array();
  options.multi = multi;
  auto driver = UpdateDriver::Parse(u["u"], options);
  if (!driver.ok()) return {driver.status(), "", false};
  bson::BsonDocument doc = bson::FromJson(doc_json);
  query::MatchDetails details;
  bson::BsonDocument query = bson::FromJson(query_json);
  auto matcher = query::ParseMatchExpression(query);
  if (matcher.ok()) matcher.value()->Matches(doc, &details);
  auto out = driver->Apply(doc, &details);
  if (!out.ok()) return {out.status(), "", false};
  return {Status::OK(), out->doc.ToJson(), out->modified};
}

inline UpdateResult Upsert(std::string_view update_json, std::string_view query_json) {
  bson::BsonDocument u = bson::FromJson("{\"u\": " + std::string(update_json) + "}");
  auto driver = UpdateDriver::Parse(u["u"], UpdateOptions{});
  if (!driver.ok()) return {driver.status(), "", false};
  auto out = driver->BuildUpsertDocument(bson::FromJson(query_json));
  if (!out.ok()) return {out.status(), "", false};
  return {Status::OK(), out->ToJson(), true};
}

}  // namespace dds::update
