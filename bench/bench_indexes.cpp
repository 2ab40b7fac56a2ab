// bench_indexes: secondary-index benchmarks of issue #4, in process (storage + index + query
// layers, the same code paths find and insert use, without the network):
//   1. insert throughput into a collection with 3 secondary indexes vs none;
//   2. createIndex over N documents vs one full collection scan;
//   3. find by an indexed field vs find by _id (PlanExecutor, point queries planned as the find
//      command plans them); then again with the index rebuilt unique (entries keyed by the value
//      alone: one point read per find), and rebuilt non-unique after;
//   4. a range query with limit 10: keys examined.
// Usage: bench_indexes [--docs N] [--insert-docs M] [--queries Q] [--rounds R] [--dir PATH]
//                      [--only find]
// Defaults: N = 1000000 documents of about 1 KB, M = 200000, Q = 50000, R = 5, a temp dir
// (removed). With --dir the directory is kept, and a later run with `--only find` reuses its data
// (loaded and indexed by an earlier full run) and only measures the finds (profiling). The finds
// alternate R rounds of Q/R queries by _id and by the indexed field, so both see the same load;
// Q of each kind on the cold cache, then Q of each in the steady state.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bson/bson.h"
#include "index/index_build.h"
#include "index/index_maintenance.h"
#include "query/explain.h"
#include "query/match_parser.h"
#include "query/plan_executor.h"
#include "query/planner.h"
#include "storage/engine.h"

namespace {

using namespace dds;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU seconds of the calling thread: the finds run on this thread alone, so their CPU time is a
// steadier measure than wall time on a loaded machine.
double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

bson::BsonDocument MakeDoc(int64_t i, std::mt19937_64& rng) {
  static const std::string pad(900, 'p');
  bson::BsonBuilder b(1100);
  b.AppendInt64("_id", i);
  b.AppendInt64("k", i * 7 + 3);
  b.AppendInt32("g", static_cast<int32_t>(i % 1000));
  b.AppendString("s", "user-" + std::to_string(rng() % 1000000));
  b.AppendInt64("r", static_cast<int64_t>(rng() % 1000000000));
  b.AppendString("pad", pad);
  return b.Done();
}

void Check(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

// Inserts docs [from, to) with index maintenance, 1000 per transaction; returns seconds.
double Load(storage::Engine& engine, const std::string& coll, int64_t from, int64_t to) {
  std::mt19937_64 rng(42 + from);
  storage::CollectionPtr desc = engine.catalog().Lookup("bench", coll);
  auto start = Clock::now();
  for (int64_t base = from; base < to; base += 1000) {
    auto unit = engine.BeginWrite();
    for (int64_t i = base; i < base + 1000 && i < to; ++i) {
      bson::BsonDocument doc = MakeDoc(i, rng);
      Check(unit->InsertRecord(desc->id, doc["_id"], doc.view()), "insert");
      Check(index::OnInsert(unit.get(), *desc, doc["_id"], doc.view()), "index insert");
    }
    Check(unit->Commit(false), "commit");
  }
  return Seconds(start);
}

bson::BsonDocument Spec(const std::string& field, bool unique = false) {
  bson::BsonBuilder b;
  b.AppendInt32("v", 2);
  b.StartDocument("key").AppendInt32(field, 1).End();
  b.AppendString("name", field + "_1");
  if (unique) b.AppendBool("unique", true);
  return b.Done();
}

}  // namespace

int main(int argc, char** argv) {
  int64_t docs = 1000000, insert_docs = 200000, queries = 50000, rounds = 5;
  std::string dir, only;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--docs") docs = std::atoll(argv[i + 1]);
    if (flag == "--insert-docs") insert_docs = std::atoll(argv[i + 1]);
    if (flag == "--queries") queries = std::atoll(argv[i + 1]);
    if (flag == "--dir") dir = argv[i + 1];
    if (flag == "--rounds") rounds = std::max<int64_t>(1, std::atoll(argv[i + 1]));
    if (flag == "--only") only = argv[i + 1];
  }
  bool find_only = only == "find";
  insert_docs = std::min(insert_docs, docs);
  bool temp = dir.empty();
  if (temp) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "bench-indexes-XXXXXX").string();
    dir = ::mkdtemp(pattern.data());
  }
  query::InstallIndexHooks();
  storage::EngineOptions options;
  options.db_path = dir;
  options.block_cache_bytes = 256 << 20;
  auto opened = storage::Engine::Open(options);
  Check(opened.status(), "open");
  std::unique_ptr<storage::Engine> engine = std::move(opened).value();
  storage::Catalog& catalog = engine->catalog();
  std::setvbuf(stdout, nullptr, _IONBF, 0);
  if (find_only) {
    storage::CollectionPtr existing = catalog.Lookup("bench", "plain");
    if (existing == nullptr || existing->FindIndex("k_1") == nullptr) {
      std::fprintf(stderr, "--only find needs a --dir filled by an earlier full run\n");
      return 1;
    }
    docs = engine->ApproximateRecordCount(existing->id);
  } else {
    Check(catalog.CreateCollection("bench", "plain", bson::BsonView(), nullptr).status(), "create");
    Check(catalog.CreateCollection("bench", "idx3", bson::BsonView(), nullptr).status(), "create");
    Check(index::BuildIndexes(*engine, "bench", "idx3", {Spec("g"), Spec("s"), Spec("r")}),
          "indexes");

    // 1. Inserts: the same documents into a collection without and with 3 secondary indexes, on a
    // fresh database, alternating rounds so that background compaction hits both alike.
    double plain_secs = 0, idx3_secs = 0;
    const int64_t round = 20000;
    for (int64_t base = 0; base < insert_docs; base += round) {
      int64_t n = std::min(round, insert_docs - base);
      plain_secs += Load(*engine, "plain", base, base + n);
      idx3_secs += Load(*engine, "idx3", base, base + n);
    }
    double rate_plain = insert_docs / plain_secs, rate_idx3 = insert_docs / idx3_secs;
    std::printf("insert, no secondary index : %.0f docs/s (%lld docs)\n", rate_plain,
                static_cast<long long>(insert_docs));
    std::printf("insert, 3 secondary indexes: %.0f docs/s  ratio %.2f (target >= 0.50)\n",
                rate_idx3, rate_idx3 / rate_plain);
    double rest = Load(*engine, "plain", insert_docs, docs);
    std::printf("load: %lld docs (~1 KB) into the unindexed collection (%.0f docs/s)\n",
                static_cast<long long>(docs), (docs - insert_docs) / std::max(rest, 1e-9));

    // 2. createIndex vs a full collection scan.
    storage::CollectionPtr plain = catalog.Lookup("bench", "plain");
    auto start = Clock::now();
    {
      auto read = engine->BeginRead();
      auto cursor = read->ScanRecords(plain->id);
      int64_t n = 0, bytes = 0;
      while (cursor->Next()) {
        ++n;
        bytes += cursor->doc().size();
      }
      Check(cursor->status(), "scan");
      if (n != docs) std::fprintf(stderr, "scan saw %lld docs\n", static_cast<long long>(n));
    }
    double scan = Seconds(start);
    start = Clock::now();
    Check(index::BuildIndexes(*engine, "bench", "plain", {Spec("k")}), "createIndex");
    double build = Seconds(start);
    std::printf(
        "full collection scan: %.2f s; createIndex {k: 1}: %.2f s  ratio %.2f (target <= 3)\n",
        scan, build, build / scan);

  }  // !find_only

  // 3. Point finds: by _id (the id lookup path) vs by the indexed field k (planner + index),
  // alternating rounds. The first `queries` of each kind run on a cold cache (right after the
  // load: every index block is read once); then `queries` more of each measure the steady state
  // (index blocks cached; records, ~4x the block cache, still mostly read from files).
  storage::CollectionPtr plain = catalog.Lookup("bench", "plain");
  std::mt19937_64 rng(7);
  int64_t found = 0;
  // One find by _id / by k of document `id`; each adds the documents it returned to `found`.
  auto find_by_id = [&](int64_t id) {
    bson::BsonBuilder f;
    f.AppendInt64("_id", id);
    query::PlanSpec spec;
    spec.id_lookup = f.Done();
    query::PlanExecutor exec(*engine, plain, std::move(spec));
    bson::BsonDocument out;
    while (exec.Next(&out).value()) ++found;
  };
  // As the find command plans it: the express plan of a point query on a single-field index,
  // else the planner.
  auto find_by_k = [&](int64_t id) {
    bson::BsonBuilder f;
    f.AppendInt64("k", id * 7 + 3);
    bson::BsonDocument filter = f.Done();
    if (auto express = query::ExpressEqualityPlan(plain, filter.view())) {
      query::PlanSpec spec;
      spec.plan = std::move(express);
      query::PlanExecutor exec(*engine, plain, std::move(spec));
      bson::BsonDocument out;
      while (exec.Next(&out).value()) ++found;
      return;
    }
    auto expr = query::ParseMatchExpression(filter.view());
    std::shared_ptr<const query::MatchExpression> shared(std::move(expr).value());
    query::PlannerRequest req;
    req.filter = shared.get();
    req.filter_doc = filter.view();
    auto planned = query::PlanQuery(*engine, plain, req);
    Check(planned.status(), "plan");
    query::PlanSpec spec;
    spec.filter = shared;
    spec.plan = planned.value().winner;
    query::PlanExecutor exec(*engine, plain, std::move(spec));
    bson::BsonDocument out;
    while (exec.Next(&out).value()) ++found;
  };
  // Runs `n` finds of random documents; adds their wall and thread CPU seconds.
  struct Totals {
    double wall = 0, cpu = 0;
  };
  auto timed = [&](int64_t n, const auto& find, Totals* t) {
    auto start = Clock::now();
    double cpu_start = ThreadCpuSeconds();
    for (int64_t q = 0; q < n; ++q) find(static_cast<int64_t>(rng() % docs));
    t->cpu += ThreadCpuSeconds() - cpu_start;
    t->wall += Seconds(start);
  };
  const int64_t per_round = std::max<int64_t>(1, queries / rounds);
  queries = per_round * rounds;
  for (int pass = 0; pass < 2; ++pass) {
    Totals id, k;
    for (int64_t r = 0; r < rounds; ++r) {
      timed(per_round, find_by_id, &id);
      timed(per_round, find_by_k, &k);
    }
    double by_id = queries / id.wall, by_k = queries / k.wall;
    std::printf("find by _id: %.0f/s; find by indexed field: %.0f/s  ratio %.2f (%s)\n", by_id,
                by_k, by_k / by_id,
                pass == 0 ? "cold cache, first queries" : "steady state; target >= 0.80");
    std::printf("  CPU per find: by _id %.1f us, by indexed field %.1f us  ratio %.2f\n",
                id.cpu / queries * 1e6, k.cpu / queries * 1e6, id.cpu / k.cpu);
  }
  // 3b. The steady-state finds again with k_1 unique (rebuilt non-unique afterwards, so a kept
  // --dir stays as a full run left it).
  auto rebuild_k = [&](bool unique) {
    Check(index::DropIndex(*engine, "bench", "plain", "k_1"), "dropIndex");
    Check(index::BuildIndexes(*engine, "bench", "plain", {Spec("k", unique)}), "createIndex");
    plain = catalog.Lookup("bench", "plain");
  };
  rebuild_k(true);
  {
    Totals id, k;
    for (int64_t r = 0; r < rounds; ++r) {
      timed(per_round, find_by_id, &id);
      timed(per_round, find_by_k, &k);
    }
    std::printf("find by _id: %.0f/s; find by unique indexed field: %.0f/s  ratio %.2f\n",
                queries / id.wall, queries / k.wall, id.wall / k.wall);
    std::printf("  CPU per find: by _id %.1f us, by unique indexed field %.1f us  ratio %.2f\n",
                id.cpu / queries * 1e6, k.cpu / queries * 1e6, id.cpu / k.cpu);
  }
  rebuild_k(false);
  if (found != 6 * queries) std::fprintf(stderr, "found %lld\n", static_cast<long long>(found));

  // 4. Range with limit 10.
  {
    bson::BsonDocument filter = bson::FromJson(R"({"k": {"$gte": 5000}})");
    auto expr = query::ParseMatchExpression(filter.view());
    query::ExplainRequest req;
    req.ns = "bench.plain";
    req.verbosity = query::ExplainVerbosity::kExecutionStats;
    req.planner.filter = expr.value().get();
    req.planner.filter_doc = filter.view();
    req.planner.limit = 10;
    auto out = query::ExplainQuery(*engine, plain, req);
    Check(out.status(), "explain");
    bson::BsonView stats = out.value().view()["executionStats"].Object();
    std::printf(
        "range {k: {$gte: 5000}} limit 10: nReturned %d, totalKeysExamined %d "
        "(target <= 11), totalDocsExamined %d\n",
        stats["nReturned"].Int32(), stats["totalKeysExamined"].Int32(),
        stats["totalDocsExamined"].Int32());
  }
  engine.reset();
  if (temp) std::filesystem::remove_all(dir);
  return 0;
}
