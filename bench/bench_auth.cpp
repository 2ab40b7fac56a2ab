// bench_auth: authentication handshakes per second against a running `ddsd --auth` (issue #5).
// Every operation is a whole new connection: connect, hello, SCRAM-SHA-256 (speculative first
// step in hello, then saslContinue), ping, close. Cases:
//   mongoc-noauth     libmongoc client per connection, no credentials (the connection baseline)
//   mongoc-scram256   libmongoc client per connection with credentials. libmongoc caches the
//                     client-side PBKDF2 result per client (pool), so a new client per
//                     connection pays PBKDF2 every time: this is a cold client's cost
//   raw-noauth        a minimal wire client: hello + ping (baseline of the raw cases)
//   raw-scram256      the same plus SCRAM with the client's salted password cached (what a
//                     long-lived driver pool reconnecting after a blip does): nearly all the
//                     remaining cost is the server's
//   raw-scram256-pbkdf2  the client recomputes PBKDF2 every time (a client without a cache)
// With --pid, ddsd's CPU time per handshake (utime+stime from /proc) is printed too. With
// --compare-port P2 [--compare-pid PID2] every case also runs against a second ddsd (bench/
// run_auth.sh starts it with the server's user cache disabled) and the ratios are printed.
// Each figure is the best of --rounds runs (default 3), alternating the two servers.
// Starts no server: bench/run_auth.sh starts them and calls it.

#include <arpa/inet.h>
#include <mongoc/mongoc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "latency.h"

namespace dds::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  int port = 27017;
  int pid = 0;
  int compare_port = 0;
  int compare_pid = 0;
  std::string user = "bench";
  std::string password = "bench-Pwd1";
  double seconds = 3;
  std::vector<int> threads = {1, 4};
  int rounds = 3;  // best of
  std::string only;  // comma-separated case prefixes
};

void Usage() {
  std::fprintf(stderr,
               "usage: bench_auth [--port N] [--pid PID] [--compare-port N] [--compare-pid PID]\n"
               "                  [--user U] [--password P] [--seconds S] [--threads 1,4]\n"
               "                  [--rounds 3] [--only mongoc,raw-scram256,...]\n");
}

bool Want(const Options& opt, const std::string& name) {
  return CaseSelected(opt.only, name);
}

// ddsd's user+system CPU time in microseconds (0 without a pid).
int64_t ProcessCpuMicros(int pid) {
  if (pid <= 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')');
  if (paren == std::string::npos) return 0;
  // Fields after ") ": state(3) ... utime(14) stime(15).
  std::vector<std::string> fields;
  size_t pos = paren + 2;
  while (pos < text.size() && fields.size() < 13) {
    size_t sp = text.find(' ', pos);
    fields.push_back(text.substr(pos, sp - pos));
    pos = sp == std::string::npos ? text.size() : sp + 1;
  }
  if (fields.size() < 13) return 0;
  const double tick_us = 1e6 / static_cast<double>(sysconf(_SC_CLK_TCK));
  return static_cast<int64_t>((std::atoll(fields[11].c_str()) + std::atoll(fields[12].c_str())) *
                              tick_us);
}

// --- SCRAM-SHA-256 client side --------------------------------------------------------------

std::string Hmac(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Sha256(const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string B64(const std::string& raw) {
  std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(raw.data()),
                          static_cast<int>(raw.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string UnB64(const std::string& text) {
  std::string out(3 * text.size() / 4 + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return {};
  size_t pad = 0;
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) pad++;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string Pbkdf2(const std::string& password, const std::string& salt, int iterations) {
  std::string out(32, '\0');
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), iterations, EVP_sha256(), 32,
                    reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

// The client's salted-password cache (what libmongoc and the other drivers keep).
class SaltedPasswordCache {
 public:
  std::string Get(const std::string& password, const std::string& salt, int iterations,
                  bool use_cache) {
    if (!use_cache) return Pbkdf2(password, salt, iterations);
    std::lock_guard<std::mutex> lock(mu_);
    std::string key = salt + ":" + std::to_string(iterations);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    std::string salted = Pbkdf2(password, salt, iterations);
    cache_[key] = salted;
    return salted;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> cache_;
};

// --- a minimal OP_MSG client ------------------------------------------------------------------

class RawConnection {
 public:
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  bool Connect(const std::string& host, int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return false;
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    return connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  // Sends `cmd` as OP_MSG and copies the reply body into *reply (the caller destroys it, on
  // success only).
  bool RoundTrip(const bson_t* cmd, bson_t* reply) {
    std::vector<char> msg(21 + cmd->len);
    int32_t header[4] = {static_cast<int32_t>(msg.size()), ++request_id_, 0, 2013};
    std::memcpy(msg.data(), header, 16);
    std::memset(msg.data() + 16, 0, 5);
    std::memcpy(msg.data() + 21, bson_get_data(cmd), cmd->len);
    if (!WriteAll(msg.data(), msg.size())) return false;
    int32_t len = 0;
    if (!ReadAll(reinterpret_cast<char*>(&len), 4) || len < 21 || len > 48000000) return false;
    std::vector<char> rest(static_cast<size_t>(len) - 4);
    if (!ReadAll(rest.data(), rest.size())) return false;
    const uint8_t* body = reinterpret_cast<const uint8_t*>(rest.data() + 17);
    bson_t view;
    if (!bson_init_static(&view, body, rest.size() - 17)) return false;
    bson_copy_to(&view, reply);
    return true;
  }

 private:
  bool WriteAll(const char* p, size_t n) {
    while (n > 0) {
      ssize_t w = send(fd_, p, n, MSG_NOSIGNAL);
      if (w <= 0) return false;
      p += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  }
  bool ReadAll(char* p, size_t n) {
    while (n > 0) {
      ssize_t r = recv(fd_, p, n, 0);
      if (r <= 0) return false;
      p += r;
      n -= static_cast<size_t>(r);
    }
    return true;
  }
  int fd_ = -1;
  int32_t request_id_ = 0;
};

bool ReplyOk(const bson_t* reply) {
  bson_iter_t it;
  return bson_iter_init_find(&it, reply, "ok") && bson_iter_as_double(&it) == 1.0;
}

std::string ReplyPayload(const bson_t* reply, const char* path) {
  bson_iter_t it;
  if (!bson_iter_init(&it, reply) || !bson_iter_find_descendant(&it, path, &it) ||
      !BSON_ITER_HOLDS_BINARY(&it)) {
    return {};
  }
  bson_subtype_t subtype;
  uint32_t len = 0;
  const uint8_t* data = nullptr;
  bson_iter_binary(&it, &subtype, &len, &data);
  return std::string(reinterpret_cast<const char*>(data), len);
}

std::string Attr(const std::string& msg, char name) {
  size_t pos = 0;
  while (pos < msg.size()) {
    size_t comma = msg.find(',', pos);
    if (comma == std::string::npos) comma = msg.size();
    if (msg[pos] == name && pos + 1 < msg.size() && msg[pos + 1] == '=') {
      return msg.substr(pos + 2, comma - pos - 2);
    }
    pos = comma + 1;
  }
  return {};
}

// One raw connection: hello (+ speculative saslStart) [, saslContinue], ping, close.
bool RawHandshake(const Options& opt, int port, bool authenticate, bool client_cache,
                  SaltedPasswordCache* cache) {
  RawConnection conn;
  if (!conn.Connect(opt.host, port)) return false;
  unsigned char nonce_raw[24];
  RAND_bytes(nonce_raw, sizeof nonce_raw);
  const std::string nonce = B64(std::string(reinterpret_cast<char*>(nonce_raw), sizeof nonce_raw));
  const std::string first_bare = "n=" + opt.user + ",r=" + nonce;
  const std::string first = "n,," + first_bare;

  bson_t hello = BSON_INITIALIZER;
  BSON_APPEND_INT32(&hello, "hello", 1);
  BSON_APPEND_UTF8(&hello, "$db", "admin");
  if (authenticate) {
    bson_t spec, options;
    BSON_APPEND_DOCUMENT_BEGIN(&hello, "speculativeAuthenticate", &spec);
    BSON_APPEND_INT32(&spec, "saslStart", 1);
    BSON_APPEND_UTF8(&spec, "mechanism", "SCRAM-SHA-256");
    BSON_APPEND_BINARY(&spec, "payload", BSON_SUBTYPE_BINARY,
                       reinterpret_cast<const uint8_t*>(first.data()),
                       static_cast<uint32_t>(first.size()));
    BSON_APPEND_DOCUMENT_BEGIN(&spec, "options", &options);
    BSON_APPEND_BOOL(&options, "skipEmptyExchange", true);
    bson_append_document_end(&spec, &options);
    BSON_APPEND_UTF8(&spec, "db", "admin");
    bson_append_document_end(&hello, &spec);
  }
  bson_t reply;
  bool ok = conn.RoundTrip(&hello, &reply);
  bson_destroy(&hello);
  if (!ok) return false;
  ok = ReplyOk(&reply);
  const std::string server_first = ReplyPayload(&reply, "speculativeAuthenticate.payload");
  bson_destroy(&reply);
  if (!ok) return false;
  if (authenticate) {
    const std::string r = Attr(server_first, 'r');
    const std::string salt = UnB64(Attr(server_first, 's'));
    const int iterations = std::atoi(Attr(server_first, 'i').c_str());
    if (r.empty() || salt.empty() || iterations <= 0) return false;
    const std::string salted = cache->Get(opt.password, salt, iterations, client_cache);
    const std::string client_key = Hmac(salted, "Client Key");
    const std::string stored_key = Sha256(client_key);
    const std::string without_proof = "c=biws,r=" + r;
    const std::string auth_message = first_bare + "," + server_first + "," + without_proof;
    std::string proof = Hmac(stored_key, auth_message);
    for (size_t i = 0; i < proof.size(); ++i) proof[i] = static_cast<char>(proof[i] ^ client_key[i]);
    const std::string final_message = without_proof + ",p=" + B64(proof);
    bson_t cont = BSON_INITIALIZER;
    BSON_APPEND_INT32(&cont, "saslContinue", 1);
    BSON_APPEND_INT32(&cont, "conversationId", 1);
    BSON_APPEND_BINARY(&cont, "payload", BSON_SUBTYPE_BINARY,
                       reinterpret_cast<const uint8_t*>(final_message.data()),
                       static_cast<uint32_t>(final_message.size()));
    BSON_APPEND_UTF8(&cont, "$db", "admin");
    bson_t cont_reply;
    ok = conn.RoundTrip(&cont, &cont_reply);
    bson_destroy(&cont);
    if (!ok) return false;
    const std::string expected = "v=" + B64(Hmac(Hmac(salted, "Server Key"), auth_message));
    ok = ReplyOk(&cont_reply) && ReplyPayload(&cont_reply, "payload") == expected;
    bson_destroy(&cont_reply);
    if (!ok) return false;
  }
  bson_t ping = BSON_INITIALIZER;
  BSON_APPEND_INT32(&ping, "ping", 1);
  BSON_APPEND_UTF8(&ping, "$db", "admin");
  bson_t ping_reply;
  ok = conn.RoundTrip(&ping, &ping_reply);
  bson_destroy(&ping);
  if (!ok) return false;
  ok = ReplyOk(&ping_reply);
  bson_destroy(&ping_reply);
  return ok;
}

// One libmongoc client: created, ping (connect + handshake + auth), destroyed.
bool MongocHandshake(const std::string& uri) {
  mongoc_client_t* client = mongoc_client_new(uri.c_str());
  if (client == nullptr) return false;
  bson_t* cmd = BCON_NEW("ping", BCON_INT32(1));
  bson_error_t error;
  bool ok = mongoc_client_command_simple(client, "admin", cmd, nullptr, nullptr, &error);
  if (!ok) std::fprintf(stderr, "ping failed: %s\n", error.message);
  bson_destroy(cmd);
  mongoc_client_destroy(client);
  return ok;
}

struct Measured {
  CaseResult result;
  double server_cpu_us = 0;  // per handshake
};

Measured RunCase(const Options& opt, const std::string& name, int threads, int pid,
                 const std::function<bool()>& op) {
  Measured m;
  m.result.name = name;
  m.result.conns = threads;
  m.result.unit = "handshakes";
  std::vector<std::vector<uint32_t>> lat(static_cast<size_t>(threads));
  std::atomic<uint64_t> total{0};
  std::atomic<bool> failed{false};
  if (!op()) failed = true;  // warm-up (and client caches)
  const int64_t cpu0 = ProcessCpuMicros(pid);
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::microseconds(static_cast<int64_t>(opt.seconds * 1e6));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      auto& mine = lat[static_cast<size_t>(t)];
      uint64_t done = 0;
      while (!failed) {
        auto t0 = Clock::now();
        if (t0 >= deadline) break;
        if (!op()) {
          failed = true;
          break;
        }
        auto t1 = Clock::now();
        done++;
        mine.push_back(static_cast<uint32_t>(std::min<int64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count(), UINT32_MAX)));
      }
      total += done;
    });
  }
  for (auto& th : pool) th.join();
  m.result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  m.result.ops = failed ? 0 : total.load();
  SummarizeLatencies(lat, &m.result);
  if (pid > 0 && m.result.ops > 0) {
    m.server_cpu_us = static_cast<double>(ProcessCpuMicros(pid) - cpu0) / m.result.ops;
  }
  if (failed) std::fprintf(stderr, "case %s (%d threads) failed\n", name.c_str(), threads);
  return m;
}

void Print(const Measured& m, const char* target) {
  std::printf("%-22s %-9s %7d %14.0f %10.0f %10.0f", m.result.name.c_str(), target, m.result.conns,
              m.result.OpsPerSecond(), m.result.p50_us, m.result.p99_us);
  if (m.server_cpu_us > 0) {
    std::printf(" %14.0f\n", m.server_cpu_us);
  } else {
    std::printf(" %14s\n", "-");
  }
  std::fflush(stdout);
}

bool ParseArgs(int argc, char** argv, Options* opt) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--port" && (v = next())) {
      opt->port = std::atoi(v);
    } else if (a == "--pid" && (v = next())) {
      opt->pid = std::atoi(v);
    } else if (a == "--compare-port" && (v = next())) {
      opt->compare_port = std::atoi(v);
    } else if (a == "--compare-pid" && (v = next())) {
      opt->compare_pid = std::atoi(v);
    } else if (a == "--user" && (v = next())) {
      opt->user = v;
    } else if (a == "--password" && (v = next())) {
      opt->password = v;
    } else if (a == "--seconds" && (v = next())) {
      opt->seconds = std::atof(v);
    } else if (a == "--rounds" && (v = next())) {
      opt->rounds = std::max(1, std::atoi(v));
    } else if (a == "--only" && (v = next())) {
      opt->only = v;
    } else if (a == "--threads" && (v = next())) {
      opt->threads.clear();
      for (const char* p = v; *p;) {
        opt->threads.push_back(std::atoi(p));
        const char* comma = std::strchr(p, ',');
        if (comma == nullptr) break;
        p = comma + 1;
      }
    } else {
      Usage();
      return false;
    }
  }
  return true;
}

}  // namespace
}  // namespace dds::bench

int main(int argc, char** argv) {
  using namespace dds::bench;
  Options opt;
  if (!ParseArgs(argc, argv, &opt)) return 2;
  mongoc_init();
  SaltedPasswordCache cache;

  auto mongoc_uri = [&](int port, bool credentials) {
    std::string uri = "mongodb://";
    if (credentials) uri += opt.user + ":" + opt.password + "@";
    uri += opt.host + ":" + std::to_string(port) + "/?serverSelectionTryOnce=true";
    if (credentials) uri += "&authSource=admin&authMechanism=SCRAM-SHA-256";
    return uri;
  };
  struct Case {
    std::string name;
    std::function<bool(int port)> op;
  };
  std::vector<Case> cases = {
      {"mongoc-noauth", [&](int port) { return MongocHandshake(mongoc_uri(port, false)); }},
      {"mongoc-scram256", [&](int port) { return MongocHandshake(mongoc_uri(port, true)); }},
      {"raw-noauth", [&](int port) { return RawHandshake(opt, port, false, true, &cache); }},
      {"raw-scram256", [&](int port) { return RawHandshake(opt, port, true, true, &cache); }},
      {"raw-scram256-pbkdf2",
       [&](int port) { return RawHandshake(opt, port, true, false, &cache); }},
  };

  std::printf("%-22s %-9s %7s %14s %10s %10s %14s\n", "case", "server", "threads", "handshakes/s",
              "p50_us", "p99_us", "srv_cpu_us/hs");
  std::map<std::string, double> base;
  int exit_code = 0;
  for (const Case& c : cases) {
    if (!Want(opt, c.name)) continue;
    for (int threads : opt.threads) {
      // Best of opt.rounds runs, alternating the two servers (the machine is shared and noisy).
      Measured a, b;
      for (int round = 0; round < opt.rounds; ++round) {
        Measured ra = RunCase(opt, c.name, threads, opt.pid, [&] { return c.op(opt.port); });
        if (round == 0 || ra.result.OpsPerSecond() > a.result.OpsPerSecond()) a = ra;
        if (ra.result.ops == 0) exit_code = 1;
        if (opt.compare_port > 0) {
          Measured rb = RunCase(opt, c.name, threads, opt.compare_pid,
                                [&] { return c.op(opt.compare_port); });
          if (round == 0 || rb.result.OpsPerSecond() > b.result.OpsPerSecond()) b = rb;
          if (rb.result.ops == 0) exit_code = 1;
        }
      }
      Print(a, "cache");
      std::string key = c.name + "/" + std::to_string(threads);
      base[key] = a.result.OpsPerSecond();
      if (opt.compare_port > 0) {
        Print(b, "no-cache");
        if (b.result.OpsPerSecond() > 0) {
          std::printf("%-22s %-9s %7d  ratio cache/no-cache = %.2f",
                      c.name.c_str(), "", threads, a.result.OpsPerSecond() / b.result.OpsPerSecond());
          if (a.server_cpu_us > 0 && b.server_cpu_us > 0) {
            std::printf("; server CPU per handshake no-cache/cache = %.2f",
                        b.server_cpu_us / a.server_cpu_us);
          }
          std::printf("\n");
        }
      }
    }
  }
  auto ratio = [&](const std::map<std::string, double>& m, const std::string& a,
                   const std::string& b) {
    auto ia = m.find(a), ib = m.find(b);
    if (ia == m.end() || ib == m.end() || ib->second <= 0) return;
    std::printf("ratio %s / %s = %.2f\n", a.c_str(), b.c_str(), ia->second / ib->second);
  };
  for (int threads : opt.threads) {
    std::string t = "/" + std::to_string(threads);
    ratio(base, "mongoc-scram256" + t, "mongoc-noauth" + t);
    ratio(base, "raw-scram256" + t, "raw-noauth" + t);
    ratio(base, "raw-scram256-pbkdf2" + t, "raw-scram256" + t);
  }
  mongoc_cleanup();
  return exit_code;
}
