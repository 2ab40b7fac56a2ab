// dds_bench: throughput and latency of a running ddsd through libmongoc, next to an in-process
// loopback echo baseline measured in the same run (same request/reply sizes as a find by _id).
// It starts no server itself: point it at one with --uri or --port (bench/run.sh starts a fresh ddsd
// and calls it). Cases: echo (1 and 8 conns), insertOne of 1 KB documents (1 and 8 conns),
// insertMany in batches of 1000 (docs/s), find by _id (1 and 8 conns), updateOne $inc by _id (1 and 8
// conns); with --pid, ddsd's idle RSS and its RSS with 1000 idle connections open. Prints ops/s,
// p50/p99 per case, ratios to the echo baseline and the targets of issue 2.

#include <mongoc/mongoc.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "echo_server.h"
#include "latency.h"
#include "timed_run.h"

namespace dds::bench {
namespace {

constexpr int kDocSize = 1024;        // insertOne / find documents
constexpr int kPreloadDocs = 10000;   // documents for find / update by _id
constexpr int kBatch = 1000;          // insertMany batch size
constexpr const char* kDb = "dds_bench";

struct Options {
  std::string uri = "mongodb://127.0.0.1:27017/";
  std::string host = "127.0.0.1";
  int port = 27017;
  double seconds = 3;
  int pid = 0;
  int idle_conns = 1000;
  int echo_request = 0;  // 0: measured from a real find by _id
  int echo_reply = 0;
  std::string only;      // comma-separated case prefixes
};

void Usage() {
  std::fprintf(stderr,
               "usage: dds_bench [--uri URI | --port N] [--seconds S] [--pid DDSD_PID]\n"
               "                 [--idle-conns N] [--only echo,insertOne,insertMany,find,update,rss]\n");
}

bool Want(const Options& opt, const std::string& name) {
  return CaseSelected(opt.only, name);
}

std::string Padding(int n) { return std::string(static_cast<size_t>(n), 'x'); }

// Runs `op` on `conns` threads for opt.seconds (see timed_run.h); a failure aborts the case.
CaseResult RunCase(const Options& opt, mongoc_client_pool_t* pool, const std::string& name, int conns,
                   const WireOp& op, const char* unit = "ops") {
  CaseResult result;
  result.name = name;
  result.conns = conns;
  result.unit = unit;
  std::vector<std::vector<uint32_t>> lat;
  TimedRun run = RunTimed(pool, conns, opt.seconds, 0, op, &lat);
  result.seconds = run.seconds;
  result.ops = run.units;
  SummarizeLatencies(lat, &result);
  if (run.failed) {
    std::fprintf(stderr, "case %s (%d conns) failed; result is partial\n", name.c_str(), conns);
    result.ops = 0;
  }
  return result;
}

bool Command(mongoc_client_t* client, const char* db, bson_t* cmd, bson_t* reply_out = nullptr) {
  bson_error_t error;
  bson_t reply;
  bool ok = mongoc_client_command_simple(client, db, cmd, nullptr, &reply, &error);
  if (!ok) std::fprintf(stderr, "command failed: %s\n", error.message);
  if (reply_out) {
    bson_copy_to(&reply, reply_out);
  }
  bson_destroy(&reply);
  bson_destroy(cmd);
  return ok;
}

bool DropCollection(mongoc_client_t* client, const char* name) {
  mongoc_collection_t* coll = mongoc_client_get_collection(client, kDb, name);
  bson_error_t error;
  mongoc_collection_drop_with_opts(coll, nullptr, &error);  // NamespaceNotFound is fine
  mongoc_collection_destroy(coll);
  return true;
}

bool Preload(mongoc_client_t* client, const char* name, int n) {
  DropCollection(client, name);
  mongoc_collection_t* coll = mongoc_client_get_collection(client, kDb, name);
  std::string pad = Padding(kDocSize - 40);
  bool ok = true;
  for (int base = 0; base < n && ok; base += kBatch) {
    std::vector<bson_t*> docs;
    for (int i = base; i < std::min(n, base + kBatch); i++) {
      bson_t* d = bson_new();
      BSON_APPEND_INT32(d, "_id", i);
      BSON_APPEND_INT32(d, "n", 0);
      BSON_APPEND_UTF8(d, "pad", pad.c_str());
      docs.push_back(d);
    }
    bson_error_t error;
    ok = mongoc_collection_insert_many(coll, const_cast<const bson_t**>(docs.data()), docs.size(),
                                       nullptr, nullptr, &error);
    if (!ok) std::fprintf(stderr, "preload failed: %s\n", error.message);
    for (bson_t* d : docs) bson_destroy(d);
  }
  mongoc_collection_destroy(coll);
  return ok;
}

int64_t ReadRssKb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + 6);
  }
  return -1;
}

// An OP_MSG {ping: 1, $db: "admin"}.
std::vector<char> PingMessage() {
  bson_t doc = BSON_INITIALIZER;
  BSON_APPEND_INT32(&doc, "ping", 1);
  BSON_APPEND_UTF8(&doc, "$db", "admin");
  std::vector<char> msg(21 + doc.len);
  int32_t header[4] = {static_cast<int32_t>(msg.size()), 1, 0, 2013};
  std::memcpy(msg.data(), header, 16);
  std::memset(msg.data() + 16, 0, 5);
  std::memcpy(msg.data() + 21, bson_get_data(&doc), doc.len);
  bson_destroy(&doc);
  return msg;
}

struct RssResult {
  int64_t idle_kb = -1;
  int64_t with_conns_kb = -1;
  int opened = 0;
};

RssResult MeasureRss(const Options& opt) {
  RssResult r;
  r.idle_kb = ReadRssKb(opt.pid);
  std::vector<int> fds;
  std::vector<char> ping = PingMessage();
  char buf[4096];
  for (int i = 0; i < opt.idle_conns; i++) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(opt.port));
    ::inet_pton(AF_INET, opt.host.c_str(), &addr.sin_addr);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      std::fprintf(stderr, "connection %d failed: %s\n", i, std::strerror(errno));
      if (fd >= 0) ::close(fd);
      break;
    }
    // One round trip each, so the server has really set the session up.
    if (::send(fd, ping.data(), ping.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(ping.size()) ||
        ::recv(fd, buf, sizeof buf, 0) <= 0) {
      std::fprintf(stderr, "ping on connection %d failed\n", i);
      ::close(fd);
      break;
    }
    fds.push_back(fd);
  }
  r.opened = static_cast<int>(fds.size());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  r.with_conns_kb = ReadRssKb(opt.pid);
  for (int fd : fds) ::close(fd);
  return r;
}

void RaiseFdLimit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 8192) {
    rl.rlim_cur = std::min<rlim_t>(8192, rl.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
}

// Measures the wire sizes of one find by _id so the echo baseline moves the same bytes.
void MeasureFindSizes(mongoc_client_t* client, Options* opt) {
  if (opt->echo_request > 0 && opt->echo_reply > 0) return;
  // Request: find command body as libmongoc builds it, plus $db, lsid and the OP_MSG framing.
  bson_t cmd = BSON_INITIALIZER;
  BSON_APPEND_UTF8(&cmd, "find", "docs");
  bson_t filter;
  BSON_APPEND_DOCUMENT_BEGIN(&cmd, "filter", &filter);
  BSON_APPEND_INT32(&filter, "_id", 1234);
  bson_append_document_end(&cmd, &filter);
  BSON_APPEND_INT64(&cmd, "limit", 1);
  BSON_APPEND_BOOL(&cmd, "singleBatch", true);
  BSON_APPEND_UTF8(&cmd, "$db", kDb);
  const int lsid_size = 5 + 4 + 5 + 16 + 1 + 5;  // lsid: {id: UUID}
  if (opt->echo_request <= 0) opt->echo_request = 21 + static_cast<int>(cmd.len) + lsid_size;
  bson_destroy(&cmd);
  bson_t reply;
  bson_error_t error;
  bson_t* find = BCON_NEW("find", "docs", "filter", "{", "_id", BCON_INT32(1234), "}", "limit",
                          BCON_INT64(1), "singleBatch", BCON_BOOL(true));
  bool ok = mongoc_client_command_simple(client, kDb, find, nullptr, &reply, &error);
  bson_destroy(find);
  if (opt->echo_reply <= 0) opt->echo_reply = ok ? 21 + static_cast<int>(reply.len) : 21 + kDocSize + 90;
  bson_destroy(&reply);
}

void PrintRow(const CaseResult& r, double ratio, const char* target, int verdict) {
  char ratio_s[32] = "";
  if (ratio > 0) std::snprintf(ratio_s, sizeof ratio_s, "%.2f", ratio);
  std::printf("%-28s %5d %12.0f %-5s %10.1f %10.1f %8s  %-22s %s\n", r.name.c_str(), r.conns,
              r.OpsPerSecond(), r.unit.c_str(), r.p50_us, r.p99_us, ratio_s, target,
              verdict < 0 ? "" : (verdict ? "PASS" : "FAIL"));
}

int Main(int argc, char** argv) {
  Options opt;
  bool have_uri = false;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        Usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--uri") {
      opt.uri = next();
      have_uri = true;
    } else if (a == "--port") {
      opt.port = std::atoi(next().c_str());
    } else if (a == "--seconds") {
      opt.seconds = std::atof(next().c_str());
    } else if (a == "--pid") {
      opt.pid = std::atoi(next().c_str());
    } else if (a == "--idle-conns") {
      opt.idle_conns = std::atoi(next().c_str());
    } else if (a == "--only") {
      opt.only = next();
    } else if (a == "--echo-sizes") {
      std::string s = next();
      std::sscanf(s.c_str(), "%d,%d", &opt.echo_request, &opt.echo_reply);
    } else {
      Usage();
      return 2;
    }
  }
  if (!have_uri) opt.uri = "mongodb://" + opt.host + ":" + std::to_string(opt.port) + "/";
  RaiseFdLimit();

  mongoc_init();
  bson_error_t error;
  mongoc_uri_t* uri = mongoc_uri_new_with_error(opt.uri.c_str(), &error);
  if (!uri) {
    std::fprintf(stderr, "bad uri: %s\n", error.message);
    return 2;
  }
  if (have_uri) {
    const mongoc_host_list_t* hosts = mongoc_uri_get_hosts(uri);
    if (hosts) {
      opt.host = hosts->host;
      opt.port = hosts->port;
    }
  }
  mongoc_client_pool_t* pool = mongoc_client_pool_new(uri);
  mongoc_client_pool_max_size(pool, 32);
  mongoc_client_pool_set_error_api(pool, MONGOC_ERROR_API_VERSION_2);

  std::printf("dds_bench: %s, %.1f s per case, %d-byte documents\n", opt.uri.c_str(), opt.seconds,
              kDocSize);
  // RSS first, while ddsd is still idle.
  RssResult rss;
  if (opt.pid > 0 && Want(opt, "rss")) {
    rss = MeasureRss(opt);
  }

  const bool echo_only = opt.only == "echo";
  if (echo_only && opt.echo_request <= 0) {
    // No server needed: the sizes of a find by _id of a 1 KB document as ddsd answers it.
    opt.echo_request = 160;
    opt.echo_reply = 21 + kDocSize + 90;
  }
  if (!echo_only) {
    mongoc_client_t* admin = mongoc_client_pool_pop(pool);
    if (!Command(admin, "admin", BCON_NEW("ping", BCON_INT32(1)))) {
      std::fprintf(stderr, "cannot reach ddsd at %s\n", opt.uri.c_str());
      return 1;
    }
    bool need_docs = Want(opt, "find") || Want(opt, "update") || Want(opt, "echo");
    if (need_docs && !Preload(admin, "docs", kPreloadDocs)) return 1;
    MeasureFindSizes(admin, &opt);
    mongoc_client_pool_push(pool, admin);
  }

  std::vector<CaseResult> results;
  double echo1 = 0;
  double echo8 = 0;
  std::string pad = Padding(kDocSize - 40);

  if (Want(opt, "echo")) {
    EchoServer server(opt.echo_reply);
    int port = server.Start();
    std::vector<EchoClient> clients(8);
    for (auto& c : clients) c.Connect(port);
    for (int conns : {1, 8}) {
      auto r = RunCase(opt, nullptr, "echo round trip", conns,
                       [&](int t, mongoc_client_t*, std::mt19937_64&) {
                         return clients[static_cast<size_t>(t)].RoundTrip(opt.echo_request) ? 1 : 0;
                       });
      (conns == 1 ? echo1 : echo8) = r.OpsPerSecond();
      results.push_back(r);
    }
    clients.clear();
    server.Stop();
  }

  if (Want(opt, "insertOne")) {
    for (int conns : {1, 8}) {
      mongoc_client_t* c = mongoc_client_pool_pop(pool);
      DropCollection(c, "insert_one");
      mongoc_client_pool_push(pool, c);
      results.push_back(RunCase(opt, pool, "insertOne 1KB", conns,
                                [&](int, mongoc_client_t* client, std::mt19937_64&) {
                                  mongoc_collection_t* coll =
                                      mongoc_client_get_collection(client, kDb, "insert_one");
                                  bson_t doc = BSON_INITIALIZER;
                                  bson_oid_t oid;
                                  bson_oid_init(&oid, nullptr);
                                  BSON_APPEND_OID(&doc, "_id", &oid);
                                  BSON_APPEND_UTF8(&doc, "pad", pad.c_str());
                                  bson_error_t err;
                                  bool ok = mongoc_collection_insert_one(coll, &doc, nullptr, nullptr, &err);
                                  bson_destroy(&doc);
                                  mongoc_collection_destroy(coll);
                                  return ok ? 1 : 0;
                                }));
    }
  }

  if (Want(opt, "insertMany")) {
    mongoc_client_t* c = mongoc_client_pool_pop(pool);
    DropCollection(c, "insert_many");
    mongoc_client_pool_push(pool, c);
    std::vector<bson_t*> docs;
    for (int i = 0; i < kBatch; i++) docs.push_back(bson_new());
    results.push_back(RunCase(
        opt, pool, "insertMany 1000 x 1KB", 1,
        [&](int, mongoc_client_t* client, std::mt19937_64&) {
          mongoc_collection_t* coll = mongoc_client_get_collection(client, kDb, "insert_many");
          for (bson_t* d : docs) {
            bson_reinit(d);
            bson_oid_t oid;
            bson_oid_init(&oid, nullptr);
            BSON_APPEND_OID(d, "_id", &oid);
            BSON_APPEND_UTF8(d, "pad", pad.c_str());
          }
          bson_error_t err;
          bool ok = mongoc_collection_insert_many(coll, const_cast<const bson_t**>(docs.data()),
                                                  docs.size(), nullptr, nullptr, &err);
          if (!ok) std::fprintf(stderr, "insertMany: %s\n", err.message);
          mongoc_collection_destroy(coll);
          return ok ? kBatch : 0;
        },
        "docs"));
    for (bson_t* d : docs) bson_destroy(d);
  }

  auto find_op = [&](int, mongoc_client_t* client, std::mt19937_64& rng) {
    mongoc_collection_t* coll = mongoc_client_get_collection(client, kDb, "docs");
    bson_t filter = BSON_INITIALIZER;
    BSON_APPEND_INT32(&filter, "_id", static_cast<int32_t>(rng() % kPreloadDocs));
    bson_t opts = BSON_INITIALIZER;
    BSON_APPEND_INT64(&opts, "limit", 1);
    BSON_APPEND_BOOL(&opts, "singleBatch", true);
    mongoc_cursor_t* cursor = mongoc_collection_find_with_opts(coll, &filter, &opts, nullptr);
    const bson_t* doc;
    bool found = mongoc_cursor_next(cursor, &doc);
    mongoc_cursor_destroy(cursor);
    bson_destroy(&filter);
    bson_destroy(&opts);
    mongoc_collection_destroy(coll);
    return found ? 1 : 0;
  };
  double find1 = 0;
  double find8 = 0;
  if (Want(opt, "find")) {
    for (int conns : {1, 8}) {
      results.push_back(RunCase(opt, pool, "find by _id", conns, find_op));
      (conns == 1 ? find1 : find8) = results.back().OpsPerSecond();
    }
  }

  if (Want(opt, "update")) {
    for (int conns : {1, 8}) {
      results.push_back(RunCase(opt, pool, "updateOne $inc by _id", conns,
                                [&](int, mongoc_client_t* client, std::mt19937_64& rng) {
                                  mongoc_collection_t* coll =
                                      mongoc_client_get_collection(client, kDb, "docs");
                                  bson_t q = BSON_INITIALIZER;
                                  BSON_APPEND_INT32(&q, "_id", static_cast<int32_t>(rng() % kPreloadDocs));
                                  bson_t* u = BCON_NEW("$inc", "{", "n", BCON_INT32(1), "}");
                                  bson_t reply;
                                  bson_error_t err;
                                  bool ok = mongoc_collection_update_one(coll, &q, u, nullptr, &reply, &err);
                                  bson_iter_t it;
                                  ok = ok && bson_iter_init_find(&it, &reply, "modifiedCount") &&
                                       bson_iter_as_int64(&it) == 1;
                                  bson_destroy(&reply);
                                  bson_destroy(u);
                                  bson_destroy(&q);
                                  mongoc_collection_destroy(coll);
                                  return ok ? 1 : 0;
                                }));
    }
  }

  std::printf("\necho baseline message sizes: request %d B, reply %d B (one find by _id)\n",
              opt.echo_request, opt.echo_reply);
  std::printf("%-28s %5s %12s %-5s %10s %10s %8s  %-22s %s\n", "case", "conns", "rate", "unit",
              "p50(us)", "p99(us)", "vs echo", "target", "");
  int failures = 0;
  for (const auto& r : results) {
    double base = r.conns == 1 ? echo1 : echo8;
    double ratio = (r.name.rfind("echo", 0) == 0 || base <= 0) ? 0 : r.OpsPerSecond() / base;
    const char* target = "";
    int verdict = -1;
    if (r.name == "find by _id" && r.conns == 1 && echo1 > 0) {
      target = ">= 0.60 x echo";
      verdict = ratio >= 0.60;
    } else if (r.name == "find by _id" && r.conns == 8) {
      target = ">= 40000 ops/s";
      verdict = r.OpsPerSecond() >= 40000;
    } else if (r.name.rfind("insertMany", 0) == 0) {
      target = ">= 80000 docs/s";
      verdict = r.OpsPerSecond() >= 80000;
    }
    if (verdict == 0) failures++;
    PrintRow(r, ratio, target, verdict);
  }
  if (rss.idle_kb >= 0) {
    double idle_mb = rss.idle_kb / 1024.0;
    double delta_mb = (rss.with_conns_kb - rss.idle_kb) / 1024.0;
    bool idle_ok = idle_mb <= 30;
    bool conns_ok = rss.opened == opt.idle_conns && delta_mb <= 50;
    failures += !idle_ok + !conns_ok;
    std::printf("%-28s %5s %12.1f %-5s %10s %10s %8s  %-22s %s\n", "RSS idle", "0", idle_mb, "MB", "",
                "", "", "<= 30 MB", idle_ok ? "PASS" : "FAIL");
    std::printf("%-28s %5d %12.1f %-5s %10s %10s %8s  %-22s %s\n", "RSS added by idle conns",
                rss.opened, delta_mb, "MB", "", "", "", "<= 50 MB", conns_ok ? "PASS" : "FAIL");
  }
  std::printf("\n%d target(s) missed\n", failures);

  mongoc_client_pool_destroy(pool);
  mongoc_uri_destroy(uri);
  mongoc_cleanup();
  return failures == 0 ? 0 : 3;
}

}  // namespace
}  // namespace dds::bench

int main(int argc, char** argv) { return dds::bench::Main(argc, argv); }
