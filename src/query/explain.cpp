#include "query/explain.h"

#include <algorithm>
#include <chrono>
#include <unistd.h>

#include "query/key_scans.h"
#include "query/sort_pattern.h"
#include "storage/engine.h"

namespace dds::query {
namespace {

using bson::BsonBuilder;
using bson::BsonView;

struct ExecCounts {
  int64_t scanned = 0;  // documents coming out of the scan (IXSCAN/OR after dedup, COLLSCAN)
  int64_t matched = 0;  // after the filter (FETCH)
  int64_t sorted = 0;   // out of SORT
  int64_t skipped_out = 0;
  int64_t returned = 0;
  PlanRunStats stats;
  int64_t millis = 0;
  bool ran = false;
};

bool NeedsBlockingSort(const QueryPlan& plan, const PlannerRequest& r) {
  if (r.sort.empty() || plan.provides_sort) return false;
  if (plan.kind == QueryPlan::Kind::kCollScan && r.sort["$natural"].IsNumber()) return false;
  return true;
}

StatusWith<ExecCounts> Execute(storage::Engine& engine, const QueryPlan& plan,
                               const PlannerRequest& r) {
  ExecCounts c;
  c.ran = true;
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<storage::ReadUnit> read = engine.BeginRead();
  auto finish_counts = [&](int64_t n) {
    c.scanned = c.matched = n;
    c.skipped_out = std::max<int64_t>(0, n - r.skip);
    c.returned = r.limit > 0 ? std::min<int64_t>(c.skipped_out, r.limit) : c.skipped_out;
    c.millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - start)
                   .count();
  };
  const bool key_scans_valid =
      plan.kind == QueryPlan::Kind::kIndexScan &&
      KeyScansStillValid(plan, engine.catalog().LookupById(plan.collection_id));
  if (key_scans_valid && plan.distinct_field >= 0 && !r.distinct_key.empty()) {
    // DISTINCT_SCAN: one result per distinct key value (the command deduplicates further).
    int64_t n = 0;
    DDS_RETURN_IF_ERROR(ForEachDistinctKey(
        read.get(), plan, &c.stats, [&](const bson::BsonElement&) { return ++n, true; },
        [&](const bson::BsonView&) { return ++n, true; }));
    finish_counts(n);
    return c;
  }
  if (key_scans_valid && plan.exact && r.count_only) {
    // Counted from the keys (COUNT_SCAN, or an IXSCAN without FETCH).
    int64_t stop_at = r.limit > 0 ? r.skip + r.limit : 0;
    DDS_ASSIGN_OR_RETURN(int64_t n, CountPlanKeys(read.get(), plan, stop_at, &c.stats));
    finish_counts(n);
    return c;
  }
  std::unique_ptr<storage::RecordCursor> cursor = plan.Open(read.get(), &c.stats);
  bool blocking = NeedsBlockingSort(plan, r);
  std::optional<SortPattern> sort;
  if (blocking) {
    StatusWith<SortPattern> parsed = SortPattern::Parse(r.sort);
    if (!parsed.ok()) return parsed.status();
    sort = std::move(parsed).value();
  }
  std::vector<bson::BsonDocument> buffered;
  int64_t wanted = r.limit > 0 ? r.skip + r.limit : -1;
  while (cursor->Next()) {
    ++c.scanned;
    bool match = true;
    if (r.filter != nullptr) {
      try {
        match = r.filter->Matches(cursor->doc(), nullptr);
      } catch (const DbException& ex) {
        return ex.status();
      }
    }
    if (!match) continue;
    ++c.matched;
    if (blocking) {
      buffered.emplace_back(cursor->doc());
    } else if (wanted >= 0 && c.matched >= wanted) {
      break;  // LIMIT stops the scan
    }
  }
  DDS_RETURN_IF_ERROR(cursor->status());
  int64_t n = c.matched;
  if (blocking) {
    c.sorted = r.limit > 0 ? std::min<int64_t>(n, r.skip + r.limit) : n;
    n = c.sorted;
  }
  c.skipped_out = std::max<int64_t>(0, n - r.skip);
  c.returned = r.limit > 0 ? std::min<int64_t>(c.skipped_out, r.limit) : c.skipped_out;
  c.millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now() - start)
                 .count();
  return c;
}

void AppendCommonStats(BsonBuilder* b, int64_t returned, const ExecCounts* c, int64_t works) {
  if (c == nullptr) return;
  b->AppendInt32("nReturned", static_cast<int32_t>(returned));
  b->AppendInt32("executionTimeMillisEstimate", static_cast<int32_t>(c->millis));
  b->AppendInt32("works", static_cast<int32_t>(works));
  b->AppendInt32("advanced", static_cast<int32_t>(returned));
  b->AppendInt32("needTime", static_cast<int32_t>(std::max<int64_t>(0, works - returned - 1)));
  b->AppendInt32("needYield", 0);
  b->AppendInt32("saveState", 0);
  b->AppendInt32("restoreState", 0);
  b->AppendInt32("isEOF", 1);
}

void AppendIndexFields(BsonBuilder* b, const index::IndexInfo& info);

void AppendIxscan(BsonBuilder* b, const IndexScanNode& scan, const ExecCounts* c,
                  int64_t returned) {
  const index::IndexInfo& info = scan.info;
  b->AppendString("stage", "IXSCAN");
  AppendCommonStats(b, returned, c, c ? c->stats.keys_examined + 1 : 0);
  AppendIndexFields(b, info);
  b->AppendString("direction", scan.forward ? "forward" : "backward");
  b->AppendDocument("indexBounds", scan.bounds.ToExplain(info, scan.forward));
  if (c != nullptr) {
    b->AppendInt32("keysExamined", static_cast<int32_t>(c->stats.keys_examined));
    b->AppendInt32("seeks", static_cast<int32_t>(c->stats.seeks));
    b->AppendInt32("dupsTested", static_cast<int32_t>(
                                     info.multikey ? c->stats.keys_examined : 0));
    b->AppendInt32("dupsDropped", static_cast<int32_t>(c->stats.dups_dropped));
  }
}

// The index description fields shared by IXSCAN, COUNT_SCAN and DISTINCT_SCAN.
void AppendIndexFields(BsonBuilder* b, const index::IndexInfo& info) {
  b->AppendDocument("keyPattern", info.key_pattern);
  b->AppendString("indexName", info.name);
  b->AppendBool("isMultiKey", info.multikey);
  b->StartDocument("multiKeyPaths");
  for (const index::KeyField& f : info.fields) {
    b->StartArray(f.path);
    if (info.multikey) b->AppendString("0", f.path.substr(0, f.path.find('.')));
    b->End();
  }
  b->End();
  b->AppendBool("isUnique", info.unique);
  b->AppendBool("isSparse", info.sparse);
  b->AppendBool("isPartial", info.partial_filter.has_value());
  b->AppendInt32("indexVersion", 2);
}

// COUNT_SCAN (mongod's CountScanStats: keysExamined, then the index and its start/end keys).
bson::BsonDocument CountScanStage(const IndexScanNode& scan, const ExecCounts* c) {
  BsonBuilder b;
  b.AppendString("stage", "COUNT_SCAN");
  AppendCommonStats(&b, c ? c->scanned : 0, c, c ? c->stats.keys_examined + 1 : 0);
  if (c != nullptr) b.AppendInt32("keysExamined", static_cast<int32_t>(c->stats.keys_examined));
  AppendIndexFields(&b, scan.info);
  bson::BsonDocument start, end;
  bool start_inclusive = true, end_inclusive = true;
  scan.bounds.SingleInterval(scan.info, &start, &start_inclusive, &end, &end_inclusive);
  b.StartDocument("indexBounds");
  b.AppendDocument("startKey", start);
  b.AppendBool("startKeyInclusive", start_inclusive);
  b.AppendDocument("endKey", end);
  b.AppendBool("endKeyInclusive", end_inclusive);
  b.End();
  return b.Done();
}

// PROJECTION_COVERED (PROJECTION_DEFAULT for a dotted key) over DISTINCT_SCAN.
bson::BsonDocument DistinctScanStages(const QueryPlan& plan, const PlannerRequest& r,
                                      const ExecCounts* c) {
  const IndexScanNode& scan = plan.scans[0];
  BsonBuilder d;
  d.AppendString("stage", "DISTINCT_SCAN");
  AppendCommonStats(&d, c ? c->scanned : 0, c, c ? c->stats.keys_examined + 1 : 0);
  AppendIndexFields(&d, scan.info);
  d.AppendString("direction", "forward");
  d.AppendDocument("indexBounds", scan.bounds.ToExplain(scan.info, true));
  if (c != nullptr) d.AppendInt32("keysExamined", static_cast<int32_t>(c->stats.keys_examined));
  BsonBuilder b;
  bool dotted = r.distinct_key.find('.') != std::string_view::npos;
  b.AppendString("stage", dotted ? "PROJECTION_DEFAULT" : "PROJECTION_COVERED");
  AppendCommonStats(&b, c ? c->scanned : 0, c, c ? c->scanned + 1 : 0);
  b.StartDocument("transformBy");
  b.AppendInt32("_id", 0);
  b.AppendInt32(r.distinct_key, 1);
  b.End();
  b.AppendDocument("inputStage", d.Done());
  return b.Done();
}

// The scan part: COLLSCAN, IXSCAN or OR of IXSCANs (with FETCH above unless covered).
bson::BsonDocument ScanStages(const QueryPlan& plan, const PlannerRequest& r, const ExecCounts* c) {
  if (plan.kind == QueryPlan::Kind::kIndexScan && plan.count_scan && r.count_only) {
    return CountScanStage(plan.scans[0], c);
  }
  if (plan.kind == QueryPlan::Kind::kIndexScan && plan.distinct_field >= 0 &&
      !r.distinct_key.empty()) {
    return DistinctScanStages(plan, r, c);
  }
  BsonBuilder b;
  std::string filter = r.filter_doc.empty() ? "" : "x";
  if (plan.kind == QueryPlan::Kind::kCollScan) {
    b.AppendString("stage", "COLLSCAN");
    if (!r.filter_doc.empty()) b.AppendDocument("filter", r.filter_doc);
    AppendCommonStats(&b, c ? c->matched : 0, c, c ? c->stats.docs_examined + 1 : 0);
    b.AppendString("direction", plan.collscan_forward ? "forward" : "backward");
    if (c != nullptr) b.AppendInt32("docsExamined", static_cast<int32_t>(c->stats.docs_examined));
    return b.Done();
  }
  BsonBuilder scan;
  if (plan.kind == QueryPlan::Kind::kIndexScan) {
    AppendIxscan(&scan, plan.scans[0], c, c ? c->scanned : 0);
  } else {
    scan.AppendString("stage", "OR");
    AppendCommonStats(&scan, c ? c->scanned : 0, c, c ? c->stats.keys_examined + 1 : 0);
    if (c != nullptr) scan.AppendInt32("dupsTested", static_cast<int32_t>(c->stats.keys_examined));
    if (c != nullptr) scan.AppendInt32("dupsDropped", static_cast<int32_t>(c->stats.dups_dropped));
    scan.StartArray("inputStages");
    for (size_t i = 0; i < plan.scans.size(); ++i) {
      scan.StartDocument(bson::IndexName(i));
      // Per-branch counters are not kept apart: the OR stage carries the totals.
      AppendIxscan(&scan, plan.scans[i], nullptr, 0);
      scan.End();
    }
    scan.End();
  }
  bson::BsonDocument scan_doc = scan.Done();
  if (plan.covered) return scan_doc;  // the filter is re-checked on the index keys
  b.AppendString("stage", "FETCH");
  // An exact plan has no residual predicate to apply (PlanExecutor skips it too).
  if (!r.filter_doc.empty() && !plan.exact) b.AppendDocument("filter", r.filter_doc);
  AppendCommonStats(&b, c ? c->matched : 0, c, c ? c->scanned + 1 : 0);
  if (c != nullptr) {
    b.AppendInt32("docsExamined", static_cast<int32_t>(c->stats.docs_examined));
    b.AppendInt32("alreadyHasObj", 0);
  }
  b.AppendDocument("inputStage", scan_doc);
  return b.Done();
}

bson::BsonDocument PlanStages(const QueryPlan& plan, const ExplainRequest& req,
                              const ExecCounts* c) {
  const PlannerRequest& r = req.planner;
  bson::BsonDocument stage = ScanStages(plan, r, c);
  auto wrap = [&](std::string_view name, int64_t returned,
                  const std::function<void(BsonBuilder*)>& fields) {
    BsonBuilder b;
    b.AppendString("stage", name);
    fields(&b);
    AppendCommonStats(&b, returned, c, c ? returned + 1 : 0);
    b.AppendDocument("inputStage", stage);
    stage = b.Done();
  };
  if (NeedsBlockingSort(plan, r)) {
    wrap("SORT", c ? c->sorted : 0, [&](BsonBuilder* b) {
      b->AppendDocument("sortPattern", r.sort);
      b->AppendInt32("memLimit", 104857600);
      if (r.limit > 0) b->AppendInt64("limitAmount", r.skip + r.limit);
      b->AppendString("type", "simple");
    });
  }
  // mongod's COUNT stage applies skip and limit itself (no SKIP / LIMIT stages below it).
  const bool count_root = req.root_stage == "COUNT";
  if (r.skip > 0 && !count_root) {
    wrap("SKIP", c ? c->skipped_out : 0, [&](BsonBuilder* b) { b->AppendInt64("skipAmount", r.skip); });
  }
  if (r.limit > 0 && !count_root) {
    wrap("LIMIT", c ? c->returned : 0, [&](BsonBuilder* b) { b->AppendInt64("limitAmount", r.limit); });
  }
  if (!r.projection.empty() && req.root_stage.empty()) {
    std::string name = plan.covered ? "PROJECTION_COVERED" : "PROJECTION_SIMPLE";
    for (const bson::BsonElement& e : r.projection) {
      if (!e.IsNumber() && e.type() != bson::BsonType::kBool) name = "PROJECTION_DEFAULT";
    }
    if (plan.covered) name = "PROJECTION_COVERED";
    wrap(name, c ? c->returned : 0,
         [&](BsonBuilder* b) { b->AppendDocument("transformBy", r.projection); });
  }
  if (!req.root_stage.empty()) {
    wrap(req.root_stage, req.root_stage == "COUNT" ? 0 : (c ? c->returned : 0),
         [&](BsonBuilder* b) {
           b->AppendElements(req.root_stage_fields.view());
           if (req.root_stage == "COUNT" && c != nullptr) {
             // mongod's CountStats.
             b->AppendInt32("nCounted", static_cast<int32_t>(c->returned));
             b->AppendInt32("nSkipped", static_cast<int32_t>(std::min(r.skip, c->matched)));
           }
         });
  }
  return stage;
}

void AppendParsedQuery(BsonBuilder* b, const BsonView& filter) {
  // mongod normalizes {a: 1, b: 2} into {$and: [{a: {$eq: 1}}, {b: {$eq: 2}}]}.
  std::vector<bson::BsonDocument> parts;
  for (const bson::BsonElement& e : filter) {
    BsonBuilder p;
    if (!e.field_name().empty() && e.field_name()[0] != '$' &&
        !(e.IsObject() && !e.Object().empty() &&
          e.Object().FirstElement().field_name().substr(0, 1) == "$")) {
      p.StartDocument(e.field_name());
      p.AppendElementAs("$eq", e);
      p.End();
    } else {
      p.AppendElement(e);
    }
    parts.push_back(p.Done());
  }
  if (parts.size() == 1) {
    b->AppendDocument("parsedQuery", parts[0]);
    return;
  }
  b->StartDocument("parsedQuery");
  if (!parts.empty()) {
    b->StartArray("$and");
    for (size_t i = 0; i < parts.size(); ++i) b->AppendDocument(bson::IndexName(i), parts[i]);
    b->End();
  }
  b->End();
}

}  // namespace

bson::BsonDocument PlanStagesOf(const QueryPlan& plan, const PlannerRequest& request) {
  ExplainRequest req;
  req.planner = request;
  return PlanStages(plan, req, nullptr);
}

StatusWith<ExplainVerbosity> ParseExplainVerbosity(std::string_view s) {
  if (s == "queryPlanner") return ExplainVerbosity::kQueryPlanner;
  if (s == "executionStats") return ExplainVerbosity::kExecutionStats;
  if (s == "allPlansExecution") return ExplainVerbosity::kAllPlansExecution;
  return Status(ErrorCode::kBadValue,
                "verbosity string must be one of {'queryPlanner', 'executionStats', "
                "'allPlansExecution'}");
}

StatusWith<int64_t> ExecutePlanForCount(storage::Engine& engine, const QueryPlan& plan,
                                        const PlannerRequest& request, PlanRunStats* stats) {
  DDS_ASSIGN_OR_RETURN(ExecCounts c, Execute(engine, plan, request));
  if (stats != nullptr) *stats = c.stats;
  return c.returned;
}

void AppendServerInfo(BsonBuilder* b) {
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  b->StartDocument("serverInfo");
  b->AppendString("host", host);
  b->AppendInt32("port", 27017);
  b->AppendString("version", "7.0.0");
  b->AppendString("gitVersion", "dds");
  b->End();
}

namespace {

// count without a filter or hint: mongod answers from the collection's record count with a
// RECORD_STORE_FAST_COUNT root (get_executor.cpp getExecutorCount), no scan.
bson::BsonDocument FastCountStage(storage::Engine& engine, const storage::CollectionPtr& coll,
                                  const PlannerRequest& r, bool exec) {
  BsonBuilder b;
  b.AppendString("stage", "RECORD_STORE_FAST_COUNT");
  if (exec) {
    int64_t n = engine.ApproximateRecordCount(coll->id);
    int64_t counted = std::max<int64_t>(0, n - r.skip);
    if (r.limit > 0) counted = std::min(counted, r.limit);
    const ExecCounts no_scan;  // nothing returned, one work to read the count
    AppendCommonStats(&b, 0, &no_scan, 1);
    b.AppendInt32("nCounted", static_cast<int32_t>(counted));
    b.AppendInt32("nSkipped", static_cast<int32_t>(std::min(r.skip, n)));
  }
  return b.Done();
}

}  // namespace

StatusWith<bson::BsonDocument> ExplainQuery(storage::Engine& engine,
                                            const storage::CollectionPtr& coll,
                                            const ExplainRequest& request) {
  PlannerRequest pr = request.planner;
  if (request.root_stage == "COUNT" && coll != nullptr && pr.filter_doc.empty() &&
      pr.hint.eoo()) {
    BsonBuilder b;
    b.StartDocument("queryPlanner");
    b.AppendString("namespace", request.ns);
    b.AppendBool("indexFilterSet", false);
    b.StartDocument("parsedQuery");
    b.End();
    b.AppendBool("maxIndexedOrSolutionsReached", false);
    b.AppendBool("maxIndexedAndSolutionsReached", false);
    b.AppendBool("maxScansToExplodeReached", false);
    b.AppendDocument("winningPlan", FastCountStage(engine, coll, pr, false));
    b.StartArray("rejectedPlans");
    b.End();
    b.End();
    if (request.verbosity != ExplainVerbosity::kQueryPlanner) {
      b.StartDocument("executionStats");
      b.AppendBool("executionSuccess", true);
      b.AppendInt32("nReturned", 0);
      b.AppendInt32("executionTimeMillis", 0);
      b.AppendInt32("totalKeysExamined", 0);
      b.AppendInt32("totalDocsExamined", 0);
      b.AppendDocument("executionStages", FastCountStage(engine, coll, pr, true));
      if (request.verbosity == ExplainVerbosity::kAllPlansExecution) {
        b.StartArray("allPlansExecution");
        b.End();
      }
      b.End();
    }
    return b.Done();
  }
  pr.bypass_cache = true;
  DDS_ASSIGN_OR_RETURN(PlannerResult planned, PlanQuery(engine, coll, pr));
  std::optional<ExecCounts> exec;
  if (request.verbosity != ExplainVerbosity::kQueryPlanner) {
    DDS_ASSIGN_OR_RETURN(ExecCounts c, Execute(engine, *planned.winner, pr));
    exec = c;
  }
  BsonBuilder b;
  b.StartDocument("queryPlanner");
  b.AppendString("namespace", request.ns);
  b.AppendBool("indexFilterSet", false);
  AppendParsedQuery(&b, pr.filter_doc);
  b.AppendString("queryHash", planned.query_hash);
  if (!planned.plan_cache_key.empty()) b.AppendString("planCacheKey", planned.plan_cache_key);
  b.AppendBool("maxIndexedOrSolutionsReached", false);
  b.AppendBool("maxIndexedAndSolutionsReached", false);
  b.AppendBool("maxScansToExplodeReached", false);
  b.AppendDocument("winningPlan", PlanStages(*planned.winner, request, nullptr));
  b.StartArray("rejectedPlans");
  size_t n = 0;
  for (const TrialResult& t : planned.trials) {
    if (t.plan == planned.winner) continue;
    b.AppendDocument(bson::IndexName(n++), PlanStages(*t.plan, request, nullptr));
  }
  b.End();
  b.End();
  if (exec) {
    b.StartDocument("executionStats");
    b.AppendBool("executionSuccess", true);
    int64_t returned = request.root_stage == "COUNT" ? 0 : exec->returned;
    b.AppendInt32("nReturned", static_cast<int32_t>(returned));
    b.AppendInt32("executionTimeMillis", static_cast<int32_t>(exec->millis));
    b.AppendInt32("totalKeysExamined", static_cast<int32_t>(exec->stats.keys_examined));
    b.AppendInt32("totalDocsExamined", static_cast<int32_t>(exec->stats.docs_examined));
    b.AppendDocument("executionStages", PlanStages(*planned.winner, request, &*exec));
    if (request.verbosity == ExplainVerbosity::kAllPlansExecution) {
      b.StartArray("allPlansExecution");
      for (size_t i = 0; i < planned.trials.size(); ++i) {
        const TrialResult& t = planned.trials[i];
        b.StartDocument(bson::IndexName(i));
        b.AppendInt32("nReturned", static_cast<int32_t>(t.results));
        b.AppendInt32("executionTimeMillisEstimate", 0);
        b.AppendInt32("totalKeysExamined", static_cast<int32_t>(t.stats.keys_examined));
        b.AppendInt32("totalDocsExamined", static_cast<int32_t>(t.stats.docs_examined));
        b.AppendDocument("executionStages", PlanStages(*t.plan, request, nullptr));
        b.End();
      }
      b.End();
    }
    b.End();
  }
  return b.Done();
}

}  // namespace dds::query
