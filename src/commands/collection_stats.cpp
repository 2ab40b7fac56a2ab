#include "commands/collection_stats.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <limits>

#include "commands/latency_stats.h"
#include "commands/namespace_util.h"
#include "index/index_build.h"
#include "query/explain.h"
#include "query/index_usage.h"
#include "query/planner.h"
#include "storage/engine.h"

namespace dds::commands {

namespace {

using bson::BsonBuilder;
using bson::BsonDocument;
using bson::BsonElement;
using bson::BsonType;
using bson::BsonView;

// mongod's getHostNameCachedAndPort(): "<hostname>:<port>".
std::string HostNameAndPort(const CommandContext& ctx) {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) std::snprintf(buf, sizeof buf, "localhost");
  return std::string(buf) + ":" + std::to_string(ctx.service.settings.port);
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// BSONObjBuilder::appendNumber(long long): an int when it fits comfortably, else a long.
void AppendNumber(BsonBuilder* b, std::string_view name, int64_t v) {
  constexpr int64_t kMaxInt = int64_t{1} << 30;
  if (v > -kMaxInt && v < kMaxInt) {
    b->AppendInt32(name, static_cast<int32_t>(v));
  } else {
    b->AppendInt64(name, v);
  }
}

// How mongod prints the offending element in "must take a nested object but found: ...".
std::string ElementString(const BsonElement& e) {
  BsonBuilder b;
  b.AppendElement(e);
  std::string s = b.Done().view().ToShellString();
  // "{ $collStats: 1 }" -> "$collStats: 1"
  if (s.size() >= 4 && s.front() == '{' && s.back() == '}') s = s.substr(2, s.size() - 4);
  return s;
}

Status NotFoundIn(std::string_view section, const std::string& ns) {
  return Status(ErrorCode::kNamespaceNotFound, "Unable to retrieve " + std::string(section) +
                                                   " in $collStats stage :: caused by :: "
                                                   "Collection [" +
                                                   ns + "] not found.");
}

}  // namespace

Status ReadScale(FieldParser& p, int64_t* scale) {
  BsonElement e = p.Take("scale");
  if (e.eoo()) return Status::OK();
  if (!e.IsNumber()) return WrongTypeError(p.Path("scale"), e, "[long, int, decimal, double]");
  int64_t v = SafeInt64(e);
  if (v < 1) {
    return Status(51024, "BSON field 'scale' value must be >= 1, actual value '" +
                             std::to_string(v) + "'");
  }
  *scale = v;
  return Status::OK();
}

void AppendStorageStats(storage::Engine& engine, const storage::CollectionDescriptor& desc,
                        int64_t scale, BsonBuilder* b) {
  const int64_t count = engine.ApproximateRecordCount(desc.id);
  const int64_t data_bytes = engine.ApproximateDataSize(desc.id);
  const int64_t storage_size = engine.ApproximateStorageSize(desc.id);
  const double s = static_cast<double>(scale);
  b->AppendDouble("size", data_bytes / s);
  b->AppendInt64("count", count);
  b->AppendDouble("avgObjSize", count == 0 ? 0.0 : static_cast<double>(data_bytes) / count);
  b->AppendInt64("numOrphanDocs", 0);
  b->AppendDouble("storageSize", storage_size / s);
  b->AppendDouble("freeStorageSize", 0.0);
  b->AppendBool("capped", false);
  std::vector<const storage::IndexDescriptor*> shown;  // not the copies a reIndex is building
  for (const storage::IndexDescriptor& idx : desc.indexes) {
    if (!index::IsRebuildName(idx.name)) shown.push_back(&idx);
  }
  b->AppendInt32("nindexes", static_cast<int32_t>(shown.size()));
  b->StartArray("indexBuilds");
  int building = 0;
  for (const storage::IndexDescriptor* idx : shown) {
    if (idx->building) b->AppendString(bson::IndexName(building++), idx->name);
  }
  b->End();
  // Secondary indexes have their own key range; the _id index is the record store itself (0).
  int64_t total_index = 0;
  std::vector<int64_t> index_sizes;
  for (const storage::IndexDescriptor* idx : shown) {
    index_sizes.push_back(idx->index_id == 0 ? 0 : engine.ApproximateIndexSize(idx->index_id));
    total_index += index_sizes.back();
  }
  b->AppendDouble("totalIndexSize", total_index / s);
  b->AppendDouble("totalSize", (storage_size + total_index) / s);
  b->StartDocument("indexSizes");
  for (size_t i = 0; i < shown.size(); ++i) b->AppendDouble(shown[i]->name, index_sizes[i] / s);
  b->End();
  b->AppendInt32("scaleFactor", static_cast<int32_t>(scale));
}

StatusWith<BsonDocument> CollStatsStageDocument(const CommandContext& ctx, const std::string& coll,
                                                const BsonElement& spec) {
  if (spec.type() != BsonType::kObject) {
    return Status(5447000, "$collStats must take a nested object but found: " + ElementString(spec));
  }
  // DocumentSourceCollStatsSpec (strict) with LatencyStatsSpec (strict) and StorageStatsSpec
  // (not strict: unknown fields are ignored).
  FieldParser p("$collStats", spec.Object(), FieldParser::kNested);
  std::optional<BsonView> latency, storage_spec, count, query_exec;
  DDS_RETURN_IF_ERROR(p.ReadObject("latencyStats", &latency));
  DDS_RETURN_IF_ERROR(p.ReadObject("storageStats", &storage_spec));
  DDS_RETURN_IF_ERROR(p.ReadObject("count", &count));
  DDS_RETURN_IF_ERROR(p.ReadObject("queryExecStats", &query_exec));
  std::optional<bool> on_timeseries_view;
  DDS_RETURN_IF_ERROR(p.ReadBool("$_requestOnTimeseriesView", &on_timeseries_view));
  DDS_RETURN_IF_ERROR(p.Finish());
  bool histograms = false;
  if (latency) {
    FieldParser lp("$collStats.latencyStats", *latency, FieldParser::kNested);
    DDS_RETURN_IF_ERROR(lp.ReadBool("histograms", &histograms));
    DDS_RETURN_IF_ERROR(lp.Finish());
  }
  int64_t scale = 1;
  if (storage_spec) {
    FieldParser sp("$collStats.storageStats", *storage_spec, FieldParser::kNested);
    DDS_RETURN_IF_ERROR(ReadScale(sp, &scale));
    bool ignored = false;
    DDS_RETURN_IF_ERROR(sp.ReadBool("verbose", &ignored));
    DDS_RETURN_IF_ERROR(sp.ReadBool("waitForLock", &ignored));
    DDS_RETURN_IF_ERROR(sp.ReadBool("numericOnly", &ignored));
  }

  const std::string ns = MakeNamespace(ctx.db, coll);
  storage::CollectionPtr desc = ctx.engine().catalog().Lookup(ctx.db, coll);
  BsonBuilder b;
  b.AppendString("ns", ns);
  b.AppendString("host", HostNameAndPort(ctx));
  b.AppendDate("localTime", NowMs());
  if (latency) AppendLatencyStats(ns, histograms, &b);
  if (storage_spec) {
    if (desc == nullptr) return NotFoundIn("storageStats", ns);
    b.StartDocument("storageStats");
    AppendStorageStats(ctx.engine(), *desc, scale, &b);
    b.End();
  }
  if (count) {
    if (desc == nullptr) return NotFoundIn("count", ns);
    AppendNumber(&b, "count", ctx.engine().ApproximateRecordCount(desc->id));
  }
  if (query_exec) {
    if (desc == nullptr) return NotFoundIn("queryExecStats", ns);
    // No tailable cursors (no capped collections): every collection scan is non-tailable.
    int64_t scans = query::CollectionScans(desc->id).ops;
    b.StartDocument("queryExecStats");
    b.StartDocument("collectionScans");
    b.AppendInt64("total", scans);
    b.AppendInt64("nonTailable", scans);
    b.End();
    b.End();
  }
  return b.Done();
}

StatusWith<std::vector<BsonDocument>> IndexStatsStageDocuments(const CommandContext& ctx,
                                                               const std::string& coll,
                                                               const BsonElement& spec) {
  if (spec.type() != BsonType::kObject || !spec.Object().empty()) {
    return Status(28803, "The $indexStats stage specification must be an empty object");
  }
  std::vector<BsonDocument> out;
  storage::CollectionPtr desc = ctx.engine().catalog().Lookup(ctx.db, coll);
  if (desc == nullptr) return out;
  const std::string host = HostNameAndPort(ctx);
  for (const storage::IndexDescriptor& idx : desc->indexes) {
    if (index::IsRebuildName(idx.name)) continue;
    query::UsageSnapshot usage = query::IndexUsage(desc->id, idx.index_id);
    BsonBuilder b;
    b.AppendString("name", idx.name);
    b.AppendDocument("key", idx.spec.view().Get("key").Object());
    b.AppendString("host", host);
    b.StartDocument("accesses");
    b.AppendInt64("ops", usage.ops);
    b.AppendDate("since", usage.since_ms);
    b.End();
    b.AppendDocument("spec", idx.spec.view());
    if (idx.building) b.AppendBool("building", true);
    out.push_back(b.Done());
  }
  return out;
}

StatusWith<std::vector<BsonDocument>> PlanCacheStatsStageDocuments(const CommandContext& ctx,
                                                                   const std::string& coll,
                                                                   const BsonElement& spec) {
  if (spec.type() != BsonType::kObject) {
    return Status(ErrorCode::kFailedToParse,
                  "$planCacheStats value must be an object. Found: " +
                      std::string(bson::TypeAlias(spec.type())));
  }
  for (const BsonElement& option : spec.Object()) {
    if (option.field_name() != "allHosts") {
      return Status(ErrorCode::kFailedToParse,
                    "unrecognized option to $planCacheStats: " + std::string(option.field_name()));
    }
    if (option.type() != BsonType::kBool) {
      return Status(ErrorCode::kFailedToParse, "$planCacheStats allHosts must be a boolean");
    }
  }
  storage::CollectionPtr desc = ctx.engine().catalog().Lookup(ctx.db, coll);
  if (desc == nullptr) {
    return Status(50933, "collection '" + MakeNamespace(ctx.db, coll) + "' does not exist");
  }
  std::vector<BsonDocument> out;
  const std::string host = HostNameAndPort(ctx);
  for (const query::PlanCacheEntryInfo& e : query::CollectionPlanCacheEntries(*desc)) {
    query::PlannerRequest request;
    request.filter_doc = e.filter.view();
    request.sort = e.sort.view();
    request.projection = e.projection.view();
    request.skip = e.skip;
    request.limit = e.limit;
    request.count_only = e.count_only;
    BsonBuilder b;
    b.AppendString("version", "1");
    b.AppendString("queryHash", e.query_hash);
    b.AppendString("planCacheKey", e.plan_cache_key);
    b.AppendBool("isActive", true);
    b.AppendInt64("works", e.works);
    b.AppendDate("timeOfCreation", std::chrono::duration_cast<std::chrono::milliseconds>(
                                       e.created.time_since_epoch())
                                       .count());
    b.StartDocument("createdFromQuery");
    b.AppendDocument("query", e.filter.view());
    b.AppendDocument("sort", e.sort.view());
    b.AppendDocument("projection", e.projection.view());
    b.End();
    b.AppendDocument("cachedPlan", query::PlanStagesOf(*e.plan, request));
    b.StartArray("candidatePlanScores");
    for (size_t i = 0; i < e.scores.size(); ++i) b.AppendDouble(bson::IndexName(i), e.scores[i]);
    b.End();
    b.AppendBool("indexFilterSet", false);
    b.AppendInt64("estimatedSizeBytes",
                  static_cast<int64_t>(sizeof e + e.filter.size() + e.sort.size() +
                                       e.projection.size() + e.query_hash.size() +
                                       e.plan_cache_key.size()));
    b.AppendString("host", host);
    out.push_back(b.Done());
  }
  return out;
}

}  // namespace dds::commands
