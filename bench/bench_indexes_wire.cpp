// bench_indexes_wire: the secondary-index benchmarks of issue #4 as a real client sees them,
// through libmongoc against a running ddsd (bench/run_indexes.sh starts a fresh one). It is the
// wire-level companion of bench_indexes (same documents, same four measures, in process):
//   1. insert_many (batches of 1000, ordered) into a collection with 3 secondary indexes (g, s, r)
//      vs none, alternating batches, over the first min(200000, N) documents; then the rest of the
//      N documents go into the unindexed collection;
//   2. createIndex {k: 1} over the N documents vs one full collection scan (a find({}) that
//      fetches every document), with update_one by _id on another connection during the build
//      and, to compare, for 2 s before it (rate, p50/p99; the longest on stderr);
//   3. find by an indexed field ({k: i*7+3}) vs find by _id, limit 1 and singleBatch, each
//      returning the whole ~1 KB document; alternating rounds (so both see the same load) at 1 and
//      at --conns connections, after a warm-up on the cold cache (1 connection, S/2 seconds of
//      each kind; reported separately);
//      (before the finds, the run waits until the storage engine has no flush or compaction
//      running or pending: the settled tree of a long-running server);
//   3b. the same finds at --conns connections with k_1 rebuilt as a unique index, whose entries
//      are keyed by the value alone (an equality on it is one point read, as a find by _id),
//      again once storage is quiet; k_1 is rebuilt non-unique afterwards;
//   4. explain executionStats of find({k: {$gte: 5000}}).limit(10): keys and documents examined.
// Every reply is checked: a failed command, insert or find aborts the run, nothing is counted.
// Usage: bench_indexes_wire [--uri URI | --port N] [--docs N] [--seconds S] [--conns C]
//                           [--rounds R] [--keep 1]
// Defaults: N = 1000000 documents of about 1 KB, S = 5 seconds per kind per find case, C = 4,
// R = 5 alternating rounds of S/R seconds of each kind per find case. Prints one table with the
// targets of issue #4 (PASS/MISS) and the load average; exits 3 when a target is missed, 1 on an
// error. --keep 1 leaves the database in place at the end and, when it already holds the N
// documents and the index k_1 (a previous --keep run), skips steps 1 and 2: repeated find
// measurements on settled data, as a long-running server has it.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <mongoc/mongoc.h>

#include "latency.h"
#include "timed_run.h"

namespace dds::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kDb = "bench_indexes_wire";
constexpr int kBatch = 1000;             // insert_many batch size
constexpr int64_t kInsertDocs = 200000;  // documents of the with/without indexes comparison

struct Options {
  std::string uri;
  int port = 27017;
  int64_t docs = 1000000;
  double seconds = 5;  // per kind (by _id, by k) per find case
  int conns = 4;
  int rounds = 5;  // alternating rounds of each kind per find case
  bool keep = false;
  std::string only;  // "id" or "k": only finds of that kind on --conns connections (profiling)
};

void Usage() {
  std::fprintf(stderr,
               "usage: bench_indexes_wire [--uri URI | --port N] [--docs N] [--seconds S] "
               "[--conns C] [--rounds R] [--keep 1] [--only id|k]\n"
               "  --only id|k: on data loaded by an earlier --keep 1 run, only finds by _id or by k\n"
               "               on --conns connections for --seconds (to profile one path)\n");
}

[[noreturn]] void Die(const std::string& what, const bson_error_t* error = nullptr) {
  std::fprintf(stderr, "bench_indexes_wire: %s%s%s\n", what.c_str(), error ? ": " : "",
               error ? error->message : "");
  std::exit(1);
}

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The three load averages of /proc/loadavg (what `uptime` prints).
std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

// Document i, as MakeDoc of bench_indexes.cpp builds it (~1 KB).
void MakeDoc(int64_t i, std::mt19937_64& rng, bson_t* doc) {
  static const std::string pad(900, 'p');
  bson_reinit(doc);
  BSON_APPEND_INT64(doc, "_id", i);
  BSON_APPEND_INT64(doc, "k", i * 7 + 3);
  BSON_APPEND_INT32(doc, "g", static_cast<int32_t>(i % 1000));
  BSON_APPEND_UTF8(doc, "s", ("user-" + std::to_string(rng() % 1000000)).c_str());
  BSON_APPEND_INT64(doc, "r", static_cast<int64_t>(rng() % 1000000000));
  BSON_APPEND_UTF8(doc, "pad", pad.c_str());
}

// Runs `cmd` (destroyed) on kDb; aborts on any error, including {ok: 0}. The caller destroys
// `reply`.
void RunCommand(mongoc_client_t* client, bson_t* cmd, bson_t* reply) {
  bson_error_t error;
  bool ok = mongoc_client_command_simple(client, kDb, cmd, nullptr, reply, &error);
  if (!ok) {
    char* json = bson_as_relaxed_extended_json(cmd, nullptr);
    std::string what = std::string("command ") + json + " failed";
    bson_free(json);
    Die(what, &error);
  }
  bson_destroy(cmd);
}

int64_t GetInt(const bson_t* doc, const char* dotted) {
  bson_iter_t it, found;
  if (!bson_iter_init(&it, doc) || !bson_iter_find_descendant(&it, dotted, &found) ||
      !BSON_ITER_HOLDS_NUMBER(&found)) {
    return -1;
  }
  return bson_iter_as_int64(&found);
}

// Inserts docs[0, n) with one ordered insert_many; aborts unless all n were inserted.
void InsertBatch(mongoc_collection_t* coll, const std::vector<bson_t*>& docs, size_t n) {
  bson_t reply;
  bson_error_t error;
  bool ok = mongoc_collection_insert_many(coll, const_cast<const bson_t**>(docs.data()), n, nullptr,
                                          &reply, &error);
  int64_t inserted = GetInt(&reply, "insertedCount");
  bson_destroy(&reply);
  if (!ok) Die(std::string("insert_many into ") + mongoc_collection_get_name(coll), &error);
  if (inserted != static_cast<int64_t>(n)) {
    Die("insert_many into " + std::string(mongoc_collection_get_name(coll)) + " inserted " +
        std::to_string(inserted) + " of " + std::to_string(n));
  }
}

// One row of the table. `value` is a rate (unit "docs/s", "ops/s"), seconds ("s") or a count.
struct Row {
  std::string name;
  int conns = 1;
  double value = 0;
  std::string unit;
  double p50_us = -1;
  double p99_us = -1;
  double ratio = -1;
  std::string target;
  int verdict = -1;  // -1 no target, 0 MISS, 1 PASS
};

Row RateRow(const CaseResult& r, const std::string& unit) {
  Row row;
  row.name = r.name;
  row.conns = r.conns;
  row.value = r.OpsPerSecond();
  row.unit = unit;
  row.p50_us = r.p50_us;
  row.p99_us = r.p99_us;
  return row;
}

void PrintTable(const std::vector<Row>& rows) {
  auto opt_num = [](double v, const char* fmt) {
    char buf[32] = "";
    if (v >= 0) std::snprintf(buf, sizeof buf, fmt, v);
    return std::string(buf);
  };
  std::printf("%-36s %5s %12s %-7s %10s %10s %7s  %-12s %s\n", "case", "conns", "value", "unit",
              "p50(us)", "p99(us)", "ratio", "target", "");
  for (const Row& r : rows) {
    std::string value = opt_num(r.value, r.unit == "s" ? "%.2f" : "%.0f");
    std::printf("%-36s %5d %12s %-7s %10s %10s %7s  %-12s %s\n", r.name.c_str(), r.conns,
                value.c_str(), r.unit.c_str(), opt_num(r.p50_us, "%.1f").c_str(),
                opt_num(r.p99_us, "%.1f").c_str(), opt_num(r.ratio, "%.2f").c_str(),
                r.target.c_str(), r.verdict < 0 ? "" : (r.verdict ? "PASS" : "MISS"));
  }
}

// 1. Inserts with and without 3 secondary indexes, then loads the rest into `plain`.
void MeasureInserts(mongoc_client_t* client, const Options& opt, std::vector<Row>* rows) {
  mongoc_collection_t* plain = mongoc_client_get_collection(client, kDb, "plain");
  mongoc_collection_t* idx3 = mongoc_client_get_collection(client, kDb, "idx3");
  bson_t reply;
  RunCommand(client, BCON_NEW("create", BCON_UTF8("plain")), &reply);
  bson_destroy(&reply);
  RunCommand(client,
             BCON_NEW("createIndexes", BCON_UTF8("idx3"), "indexes", "[", "{", "key", "{", "g",
                      BCON_INT32(1), "}", "name", BCON_UTF8("g_1"), "}", "{", "key", "{", "s",
                      BCON_INT32(1), "}", "name", BCON_UTF8("s_1"), "}", "{", "key", "{", "r",
                      BCON_INT32(1), "}", "name", BCON_UTF8("r_1"), "}", "]"),
             &reply);
  bson_destroy(&reply);

  std::vector<bson_t*> docs;
  for (int i = 0; i < kBatch; i++) docs.push_back(bson_new());
  std::mt19937_64 rng(42);
  const int64_t compared = std::min(kInsertDocs, opt.docs);
  // Per collection: seconds inside insert_many and one latency sample (ns) per batch.
  double secs[2] = {0, 0};
  std::vector<uint32_t> lat[2];
  mongoc_collection_t* colls[2] = {plain, idx3};
  for (int64_t base = 0; base < compared; base += kBatch) {
    size_t n = static_cast<size_t>(std::min<int64_t>(kBatch, compared - base));
    for (size_t j = 0; j < n; j++) MakeDoc(base + static_cast<int64_t>(j), rng, docs[j]);
    // The same batch into both; which goes first alternates (compactions hit both alike).
    int first = static_cast<int>((base / kBatch) % 2);
    for (int c : {first, 1 - first}) {
      auto start = Clock::now();
      InsertBatch(colls[c], docs, n);
      double s = Seconds(start);
      secs[c] += s;
      lat[c].push_back(static_cast<uint32_t>(std::min(s * 1e9, 4e9)));
    }
  }
  CaseResult r[2];
  const char* names[2] = {"insert_many 1000, no sec. index", "insert_many 1000, 3 sec. indexes"};
  for (int c : {0, 1}) {
    r[c].name = names[c];
    r[c].ops = static_cast<uint64_t>(compared);
    r[c].seconds = secs[c];
    std::vector<std::vector<uint32_t>> samples(1, lat[c]);
    SummarizeLatencies(samples, &r[c]);
    rows->push_back(RateRow(r[c], "docs/s"));
  }
  Row& with = rows->back();
  with.ratio = r[1].OpsPerSecond() / r[0].OpsPerSecond();
  with.target = ">= 0.50";
  with.verdict = with.ratio >= 0.50;
  std::fprintf(stderr, "inserted %lld docs into plain and idx3; loading the rest into plain\n",
               static_cast<long long>(compared));

  if (opt.docs > compared) {
    auto start = Clock::now();
    for (int64_t base = compared; base < opt.docs; base += kBatch) {
      size_t n = static_cast<size_t>(std::min<int64_t>(kBatch, opt.docs - base));
      for (size_t j = 0; j < n; j++) MakeDoc(base + static_cast<int64_t>(j), rng, docs[j]);
      InsertBatch(plain, docs, n);
    }
    Row load;
    load.name = "insert_many 1000, rest into plain";
    load.value = (opt.docs - compared) / Seconds(start);
    load.unit = "docs/s";
    rows->push_back(load);
  }
  for (bson_t* d : docs) bson_destroy(d);
  mongoc_collection_destroy(plain);
  mongoc_collection_destroy(idx3);
}

// update_one({_id: random}, {$set: {u: i}}) on its own connection to `plain` until `stop`: one
// latency sample (ns) per update, the longest in *max_ns.
CaseResult UpdateUntil(const Options& opt, const std::atomic<bool>& stop, const char* name,
                       uint32_t* max_ns) {
  mongoc_client_t* client = mongoc_client_new(opt.uri.c_str());
  if (client == nullptr) Die("cannot connect for the updates");
  mongoc_collection_t* plain = mongoc_client_get_collection(client, kDb, "plain");
  std::mt19937_64 rng(7);
  std::vector<std::vector<uint32_t>> lat(1);
  *max_ns = 0;
  auto start = Clock::now();
  for (int64_t i = 0; !stop.load(); ++i) {
    bson_t* selector = BCON_NEW("_id", BCON_INT64(static_cast<int64_t>(rng() % opt.docs)));
    bson_t* update = BCON_NEW("$set", "{", "u", BCON_INT64(i), "}");
    bson_error_t error;
    auto t0 = Clock::now();
    if (!mongoc_collection_update_one(plain, selector, update, nullptr, nullptr, &error)) {
      Die("update_one", &error);
    }
    uint32_t ns = static_cast<uint32_t>(std::min(Seconds(t0) * 1e9, 4e9));
    lat[0].push_back(ns);
    *max_ns = std::max(*max_ns, ns);
    bson_destroy(selector);
    bson_destroy(update);
  }
  CaseResult r;
  r.name = name;
  r.ops = lat[0].size();
  r.seconds = Seconds(start);
  SummarizeLatencies(lat, &r);
  mongoc_collection_destroy(plain);
  mongoc_client_destroy(client);
  return r;
}

// 2. One full scan (find({}) fetching every document) vs createIndex {k: 1}, with updates of the
// collection on another connection meanwhile (and for 2 s before, idle, to compare): a build of a
// non-unique index lets them go on.
void MeasureCreateIndex(mongoc_client_t* client, const Options& opt, std::vector<Row>* rows) {
  mongoc_collection_t* plain = mongoc_client_get_collection(client, kDb, "plain");
  bson_t filter = BSON_INITIALIZER;
  bson_t* opts = BCON_NEW("batchSize", BCON_INT32(100000));
  auto start = Clock::now();
  mongoc_cursor_t* cursor = mongoc_collection_find_with_opts(plain, &filter, opts, nullptr);
  const bson_t* doc;
  int64_t n = 0;
  while (mongoc_cursor_next(cursor, &doc)) n++;
  bson_error_t error;
  if (mongoc_cursor_error(cursor, &error)) Die("full scan", &error);
  double scan = Seconds(start);
  mongoc_cursor_destroy(cursor);
  bson_destroy(opts);
  bson_destroy(&filter);
  mongoc_collection_destroy(plain);
  if (n != opt.docs) Die("full scan returned " + std::to_string(n) + " documents");

  std::atomic<bool> stop{false};
  uint32_t idle_max_ns = 0, during_max_ns = 0;
  CaseResult idle, during;
  std::thread idle_updates(
      [&] { idle = UpdateUntil(opt, stop, "update_one by _id, no build", &idle_max_ns); });
  std::this_thread::sleep_for(std::chrono::seconds(2));
  stop = true;
  idle_updates.join();
  stop = false;
  std::thread updates([&] {
    during = UpdateUntil(opt, stop, "update_one by _id, during createIndex", &during_max_ns);
  });
  start = Clock::now();
  bson_t reply;
  RunCommand(client,
             BCON_NEW("createIndexes", BCON_UTF8("plain"), "indexes", "[", "{", "key", "{", "k",
                      BCON_INT32(1), "}", "name", BCON_UTF8("k_1"), "}", "]"),
             &reply);
  double build = Seconds(start);
  bson_destroy(&reply);
  stop = true;
  updates.join();

  Row scan_row;
  scan_row.name = "full scan find({}), batchSize 100k";
  scan_row.value = scan;
  scan_row.unit = "s";
  rows->push_back(scan_row);
  Row build_row;
  build_row.name = "createIndex {k: 1}";
  build_row.value = build;
  build_row.unit = "s";
  build_row.ratio = build / scan;
  build_row.target = "<= 3";
  build_row.verdict = build_row.ratio <= 3;
  rows->push_back(build_row);
  for (auto [r, max_ns] : {std::pair{&idle, idle_max_ns}, std::pair{&during, during_max_ns}}) {
    rows->push_back(RateRow(*r, "ops/s"));
    std::fprintf(stderr, "%s: %llu updates, longest %.1f ms\n", r->name.c_str(),
                 static_cast<unsigned long long>(r->ops), max_ns / 1e6);
  }
}

// The length of the document's `pad` string (-1 if missing).
int PadLength(const bson_t* doc) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, doc, "pad") || !BSON_ITER_HOLDS_UTF8(&it)) return -1;
  uint32_t len = 0;
  bson_iter_utf8(&it, &len);
  return static_cast<int>(len);
}

// One find {field: value} with limit 1 and singleBatch; 1 if it returned document `id` whole,
// else 0 (after printing why).
int FindOne(mongoc_client_t* client, const char* field, int64_t value, int64_t id) {
  mongoc_collection_t* coll = mongoc_client_get_collection(client, kDb, "plain");
  bson_t filter = BSON_INITIALIZER;
  BSON_APPEND_INT64(&filter, field, value);
  bson_t opts = BSON_INITIALIZER;
  BSON_APPEND_INT64(&opts, "limit", 1);
  BSON_APPEND_BOOL(&opts, "singleBatch", true);
  mongoc_cursor_t* cursor = mongoc_collection_find_with_opts(coll, &filter, &opts, nullptr);
  const bson_t* doc;
  int result = 0;
  bson_error_t error;
  if (!mongoc_cursor_next(cursor, &doc)) {
    if (mongoc_cursor_error(cursor, &error)) {
      std::fprintf(stderr, "find {%s: %lld}: %s\n", field, static_cast<long long>(value),
                   error.message);
    } else {
      std::fprintf(stderr, "find {%s: %lld}: no document\n", field, static_cast<long long>(value));
    }
  } else if (GetInt(doc, "_id") != id || PadLength(doc) != 900) {
    std::fprintf(stderr, "find {%s: %lld}: wrong document (_id %lld, %u bytes)\n", field,
                 static_cast<long long>(value), static_cast<long long>(GetInt(doc, "_id")),
                 doc->len);
  } else {
    result = 1;
  }
  mongoc_cursor_destroy(cursor);
  bson_destroy(&opts);
  bson_destroy(&filter);
  mongoc_collection_destroy(coll);
  return result;
}

// A find of one random document of `docs`, by _id or (by_k) by the indexed field k.
WireOp FindOp(bool by_k, int64_t docs) {
  return [by_k, docs](int, mongoc_client_t* client, std::mt19937_64& rng) {
    int64_t i = static_cast<int64_t>(rng() % static_cast<uint64_t>(docs));
    return by_k ? FindOne(client, "k", i * 7 + 3, i) : FindOne(client, "_id", i, i);
  };
}

// 3. Finds by _id and by k on `conns` connections, `seconds` of each kind in opt.rounds alternating
// rounds (ABBA order). Returns the two rows; the second carries the ratio and the target.
void MeasureFinds(mongoc_client_pool_t* pool, const Options& opt, int conns, double seconds,
                  const std::string& label, bool with_target, uint64_t seed,
                  std::vector<Row>* rows) {
  WireOp by_id = FindOp(false, opt.docs);
  WireOp by_k = FindOp(true, opt.docs);
  CaseResult r[2];
  std::vector<std::vector<uint32_t>> lat[2];
  for (int round = 0; round < opt.rounds; round++) {
    int first = round % 2;
    for (int kind : {first, 1 - first}) {
      TimedRun run = RunTimed(pool, conns, seconds / opt.rounds, seed + round * 2 + kind,
                              kind == 0 ? by_id : by_k, &lat[kind]);
      if (run.failed) Die("a find failed; aborting");
      r[kind].ops += run.units;
      r[kind].seconds += run.seconds;
    }
  }
  for (int kind : {0, 1}) {
    r[kind].name = (kind == 0 ? "find by _id" : "find by k (index k_1)") + label;
    r[kind].conns = conns;
    SummarizeLatencies(lat[kind], &r[kind]);
    rows->push_back(RateRow(r[kind], "ops/s"));
  }
  Row& k = rows->back();
  k.ratio = r[1].OpsPerSecond() / r[0].OpsPerSecond();
  if (with_target) {
    k.target = ">= 0.80";
    k.verdict = k.ratio >= 0.80;
  }
}

// The stages of an explain's winning plan, outermost first ("LIMIT > FETCH > IXSCAN k_1").
std::string PlanShape(const bson_t* reply) {
  std::string shape;
  std::string path = "queryPlanner.winningPlan";
  for (int depth = 0; depth < 8; depth++, path += ".inputStage") {
    bson_iter_t it, stage;
    if (!bson_iter_init(&it, reply) ||
        !bson_iter_find_descendant(&it, (path + ".stage").c_str(), &stage) ||
        !BSON_ITER_HOLDS_UTF8(&stage)) {
      break;
    }
    if (!shape.empty()) shape += " > ";
    shape += bson_iter_utf8(&stage, nullptr);
    bson_iter_t name;
    if (bson_iter_init(&it, reply) &&
        bson_iter_find_descendant(&it, (path + ".indexName").c_str(), &name) &&
        BSON_ITER_HOLDS_UTF8(&name)) {
      shape += std::string(" ") + bson_iter_utf8(&name, nullptr);
    }
  }
  return shape;
}

// Waits (up to 3 minutes) until the storage engine has no flush or compaction running or pending
// (serverStatus.rocksdb), so the finds measure the settled tree a long-running server has, not a
// burst of background work after the load or an index build. Prints the time it waited.
void WaitForQuietStorage(mongoc_client_t* client) {
  auto start = Clock::now();
  while (Seconds(start) < 180) {
    bson_t reply;
    RunCommand(client, BCON_NEW("serverStatus", BCON_INT32(1)), &reply);
    int64_t busy = 0;
    for (const char* field : {"rocksdb.num-running-compactions", "rocksdb.compaction-pending",
                              "rocksdb.num-running-flushes", "rocksdb.mem-table-flush-pending"}) {
      int64_t v = GetInt(&reply, field);
      busy += v < 0 ? 1 : v;
    }
    bson_destroy(&reply);
    if (busy == 0) break;
    struct timespec pause = {0, 200 * 1000 * 1000};
    nanosleep(&pause, nullptr);
  }
  std::fprintf(stderr, "  storage quiet after %.1f s\n", Seconds(start));
}

// Replaces the index k_1 of "plain" by a unique or a non-unique {k: 1}.
void RebuildIndexK(mongoc_client_t* client, bool unique) {
  bson_t reply;
  RunCommand(client, BCON_NEW("dropIndexes", BCON_UTF8("plain"), "index", BCON_UTF8("k_1")),
             &reply);
  bson_destroy(&reply);
  RunCommand(client,
             BCON_NEW("createIndexes", BCON_UTF8("plain"), "indexes", "[", "{", "key", "{", "k",
                      BCON_INT32(1), "}", "name", BCON_UTF8("k_1"), "unique", BCON_BOOL(unique),
                      "}", "]"),
             &reply);
  bson_destroy(&reply);
}

// Whether "plain" holds `docs` documents and the index k_1 (left by a run with --keep 1).
bool HoldsIndexedData(mongoc_client_t* client, int64_t docs) {
  mongoc_collection_t* plain = mongoc_client_get_collection(client, kDb, "plain");
  bson_error_t error;
  int64_t count = mongoc_collection_estimated_document_count(plain, nullptr, nullptr, nullptr,
                                                             &error);
  bool has_index = false;
  if (count == docs) {
    mongoc_cursor_t* cursor = mongoc_collection_find_indexes_with_opts(plain, nullptr);
    const bson_t* index;
    while (mongoc_cursor_next(cursor, &index)) {
      bson_iter_t it;
      has_index |= bson_iter_init_find(&it, index, "name") && BSON_ITER_HOLDS_UTF8(&it) &&
                   std::string(bson_iter_utf8(&it, nullptr)) == "k_1";
    }
    mongoc_cursor_destroy(cursor);
  }
  mongoc_collection_destroy(plain);
  return has_index;
}

// 4. explain executionStats of find({k: {$gte: 5000}}).limit(10); returns a line with the stats.
std::string MeasureRange(mongoc_client_t* client, std::vector<Row>* rows) {
  bson_t reply;
  RunCommand(client,
             BCON_NEW("explain", "{", "find", BCON_UTF8("plain"), "filter", "{", "k", "{", "$gte",
                      BCON_INT64(5000), "}", "}", "limit", BCON_INT64(10), "}", "verbosity",
                      BCON_UTF8("executionStats")),
             &reply);
  int64_t returned = GetInt(&reply, "executionStats.nReturned");
  int64_t keys = GetInt(&reply, "executionStats.totalKeysExamined");
  int64_t docs = GetInt(&reply, "executionStats.totalDocsExamined");
  std::string shape = PlanShape(&reply);
  bson_destroy(&reply);
  if (returned < 0 || keys < 0 || docs < 0) Die("explain: no executionStats in the reply");
  if (returned != 10) Die("explain: nReturned " + std::to_string(returned) + ", expected 10");
  Row row;
  row.name = "range k >= 5000 limit 10: keys exam.";
  row.value = static_cast<double>(keys);
  row.unit = "keys";
  row.target = "<= 11";
  row.verdict = keys <= 11;
  rows->push_back(row);
  return "explain find({k: {$gte: 5000}}).limit(10): nReturned " + std::to_string(returned) +
         ", totalKeysExamined " + std::to_string(keys) + ", totalDocsExamined " +
         std::to_string(docs) + "; plan " + shape;
}

int Main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (i + 1 >= argc) {
      Usage();
      return 2;
    }
    std::string v = argv[++i];
    if (a == "--uri") {
      opt.uri = v;
    } else if (a == "--port") {
      opt.port = std::atoi(v.c_str());
    } else if (a == "--docs") {
      opt.docs = std::atoll(v.c_str());
    } else if (a == "--seconds") {
      opt.seconds = std::atof(v.c_str());
    } else if (a == "--conns") {
      opt.conns = std::atoi(v.c_str());
    } else if (a == "--rounds") {
      opt.rounds = std::atoi(v.c_str());
    } else if (a == "--keep") {
      opt.keep = std::atoi(v.c_str()) != 0;
    } else if (a == "--only" && (v == "id" || v == "k")) {
      opt.only = v;
    } else {
      Usage();
      return 2;
    }
  }
  if (opt.docs < 1000 || opt.seconds <= 0 || opt.conns < 1 || opt.rounds < 1) {
    Usage();
    return 2;
  }
  if (opt.uri.empty()) opt.uri = "mongodb://127.0.0.1:" + std::to_string(opt.port) + "/";
  std::setvbuf(stdout, nullptr, _IONBF, 0);

  mongoc_init();
  bson_error_t error;
  mongoc_uri_t* uri = mongoc_uri_new_with_error(opt.uri.c_str(), &error);
  if (!uri) Die("bad uri " + opt.uri, &error);
  mongoc_client_pool_t* pool = mongoc_client_pool_new(uri);
  mongoc_client_pool_max_size(pool, 32);
  mongoc_client_pool_set_error_api(pool, MONGOC_ERROR_API_VERSION_2);
  mongoc_client_t* client = mongoc_client_pool_pop(pool);
  bson_t reply;
  const bool reuse = opt.keep && HoldsIndexedData(client, opt.docs);
  if (!reuse) {
    RunCommand(client, BCON_NEW("dropDatabase", BCON_INT32(1)), &reply);
    bson_destroy(&reply);
  }

  bson_t* sample = bson_new();
  std::mt19937_64 sample_rng(42);
  MakeDoc(0, sample_rng, sample);
  std::printf(
      "bench_indexes_wire: %s, %lld documents of %u bytes, %.1f s per kind per find case, "
      "load average %s\n",
      opt.uri.c_str(), static_cast<long long>(opt.docs), sample->len, opt.seconds,
      LoadAverage().c_str());
  bson_destroy(sample);

  if (!opt.only.empty()) {
    if (!reuse) Die("--only needs the data of an earlier --keep 1 run");
    mongoc_client_pool_push(pool, client);
    std::vector<std::vector<uint32_t>> latencies;
    TimedRun run = RunTimed(pool, opt.conns, opt.seconds, 5000, FindOp(opt.only == "k", opt.docs),
                            &latencies);
    if (run.failed) Die("a find failed");
    std::printf("find by %s, %d connections: %.0f ops/s\n", opt.only.c_str(), opt.conns,
                run.units / run.seconds);
    mongoc_client_pool_destroy(pool);
    mongoc_uri_destroy(uri);
    mongoc_cleanup();
    return 0;
  }

  std::vector<Row> rows;
  auto phase = [](const char* what) {
    std::fprintf(stderr, "[%s] %s\n", LoadAverage().c_str(), what);
  };
  if (reuse) {
    phase("1, 2: skipped (--keep 1 and the indexed data of a previous run is there)");
  } else {
    phase("1. insert_many with and without 3 secondary indexes");
    MeasureInserts(client, opt, &rows);
    phase("2. full scan, then createIndex {k: 1}");
    MeasureCreateIndex(client, opt, &rows);
  }
  WaitForQuietStorage(client);
  mongoc_client_pool_push(pool, client);
  phase("3. find by _id vs by k: warm-up (cold cache), 1 connection, more connections");
  MeasureFinds(pool, opt, 1, std::max(1.0, opt.seconds / 2), ", warm-up", false, 1000, &rows);
  MeasureFinds(pool, opt, 1, opt.seconds, "", true, 2000, &rows);
  if (opt.conns > 1) MeasureFinds(pool, opt, opt.conns, opt.seconds, "", true, 3000, &rows);
  phase("3b. find by _id vs by k with k_1 unique");
  client = mongoc_client_pool_pop(pool);
  RebuildIndexK(client, true);
  WaitForQuietStorage(client);
  mongoc_client_pool_push(pool, client);
  MeasureFinds(pool, opt, opt.conns, opt.seconds, ", unique", true, 4000, &rows);
  client = mongoc_client_pool_pop(pool);
  RebuildIndexK(client, false);
  mongoc_client_pool_push(pool, client);
  phase("4. explain of a range query with limit 10");
  client = mongoc_client_pool_pop(pool);
  std::string range = MeasureRange(client, &rows);
  if (!opt.keep) {
    RunCommand(client, BCON_NEW("dropDatabase", BCON_INT32(1)), &reply);
    bson_destroy(&reply);
  }
  mongoc_client_pool_push(pool, client);

  std::printf("\n");
  PrintTable(rows);
  std::printf("%s\n", range.c_str());
  int missed = 0;
  for (const Row& r : rows) missed += r.verdict == 0;
  std::printf("\n%d target(s) missed; load average %s\n", missed, LoadAverage().c_str());

  mongoc_client_pool_destroy(pool);
  mongoc_uri_destroy(uri);
  mongoc_cleanup();
  return missed == 0 ? 0 : 3;
}

}  // namespace
}  // namespace dds::bench

int main(int argc, char** argv) { return dds::bench::Main(argc, argv); }
