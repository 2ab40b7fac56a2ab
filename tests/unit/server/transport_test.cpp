#include "server/transport.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bson/bson.h"
#include "common/logging.h"
#include "fake_runner.h"
#include "test_util.h"
#include "wire/message.h"
#include "wire/op_msg.h"

namespace dds::server {
namespace {

using bson::FromJson;
using testing::FakeRunner;

// A blocking loopback client with a receive timeout.
class Client {
 public:
  // rcvbuf > 0 shrinks the receive buffer (before connecting) to make the server's writes block.
  explicit Client(int port, int timeout_ms = 5000, int rcvbuf = 0) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (rcvbuf > 0) setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~Client() {
    if (fd_ >= 0) close(fd_);
  }
  bool connected() const { return connected_; }
  void Send(const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }
  // Returns one whole message, or "" on EOF / error / timeout.
  std::string Receive() {
    std::string header = ReadExactly(16);
    if (header.size() != 16) return "";
    int32_t len = wire::LoadLE<int32_t>(header.data());
    if (len < 16) return "";
    std::string rest = ReadExactly(static_cast<size_t>(len) - 16);
    if (rest.size() != static_cast<size_t>(len) - 16) return "";
    return header + rest;
  }
  // Returns true when the server closed the connection (EOF) within the timeout.
  bool SeesEof() {
    char c;
    return recv(fd_, &c, 1, 0) == 0;
  }

 private:
  std::string ReadExactly(size_t n) {
    std::string out(n, '\0');
    size_t off = 0;
    while (off < n) {
      ssize_t r = recv(fd_, out.data() + off, n - off, 0);
      if (r <= 0) return out.substr(0, off);
      off += static_cast<size_t>(r);
    }
    return out;
  }

  int fd_ = -1;
  bool connected_ = false;
};

std::string Msg(std::string_view json, int32_t request_id = 1) {
  std::string m = wire::EncodeOpMsg(FromJson(json), 0);
  wire::StoreLE<int32_t>(m.data() + 4, request_id);
  return m;
}

bson::BsonView Body(const std::string& reply) { return bson::BsonView(reply.data() + 21); }

class TransportTest : public ::testing::Test {
 protected:
  void SetUp() override { SetLogQuiet(true); }

  void Start(TransportOptions options = {}) {
    options.port = 0;
    options.handle_signals = false;
    if (options.threads == 0) options.threads = 4;
    transport_ = std::make_unique<Transport>(service_, runner_, options);
    runner_.on_shutdown = [this] { transport_->Shutdown(); };
    ASSERT_OK(transport_->Listen());
    port_ = transport_->port();
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { transport_->Run(); });
  }

  void TearDown() override {
    if (transport_) {
      transport_->Shutdown();
      thread_.join();
    }
    SetLogQuiet(false);
  }

  commands::ServiceContext service_;
  FakeRunner runner_;
  std::unique_ptr<Transport> transport_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(TransportTest, PingRoundTrip) {
  Start();
  Client a(port_);
  ASSERT_TRUE(a.connected());
  a.Send(Msg(R"({"ping": 1, "$db": "admin"})", 42));
  std::string reply = a.Receive();
  ASSERT_FALSE(reply.empty());
  EXPECT_EQ(wire::LoadLE<int32_t>(reply.data() + 8), 42);
  EXPECT_EQ(Body(reply)["echo"].String(), "ping");
  const int64_t first_id = Body(reply)["connectionId"].Int64();
  EXPECT_GE(first_id, 1);

  Client b(port_);
  b.Send(Msg(R"({"ping": 1, "$db": "admin"})"));
  std::string reply_b = b.Receive();
  ASSERT_FALSE(reply_b.empty());
  EXPECT_GT(Body(reply_b)["connectionId"].Int64(), first_id);
  EXPECT_EQ(service_.counters.connections_current.load(), 2);
}

TEST_F(TransportTest, PipelinedRequestsAnswerInOrder) {
  Start();
  Client c(port_);
  std::string batch;
  for (int i = 1; i <= 5; ++i) {
    batch += Msg(R"({"sleep": 1, "ms": )" + std::to_string(i % 2 ? 30 : 0) + R"(, "$db": "a"})", i);
  }
  c.Send(batch);
  for (int i = 1; i <= 5; ++i) {
    std::string reply = c.Receive();
    ASSERT_FALSE(reply.empty()) << i;
    EXPECT_EQ(wire::LoadLE<int32_t>(reply.data() + 8), i);
  }
}

TEST_F(TransportTest, SlowClientDoesNotBlockOthers) {
  Start();
  Client slow(port_);
  slow.Send(Msg(R"({"sleep": 1, "ms": 1500, "$db": "a"})"));
  // A client that sent half a header and went quiet.
  Client idle(port_);
  idle.Send(std::string("\x30\x00", 2));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto start = std::chrono::steady_clock::now();
  Client fast(port_);
  fast.Send(Msg(R"({"ping": 1, "$db": "a"})"));
  ASSERT_FALSE(fast.Receive().empty());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000));
  EXPECT_FALSE(slow.Receive().empty());
}

// The body arrives in slow pieces after the header: the session reads what is there, then waits
// for the rest without holding an io thread (a one-thread transport still serves another client).
TEST_F(TransportTest, BodyInSlowPiecesWhileOthersAreServed) {
  TransportOptions o;
  o.threads = 1;
  Start(o);
  Client slow(port_);
  Client other(port_);
  const std::string first = Msg(R"({"first": 1, "$db": "a"})", 1);
  const std::string second = Msg(R"({"second": 1, "$db": "a"})", 2);
  // Header alone, then the body in three pieces; the last piece carries the start of the next
  // request, whose rest comes later.
  const std::string all = first + second;
  const size_t cuts[] = {
      0, wire::kHeaderSize, wire::kHeaderSize + 3, first.size() - 2, first.size() + 20, all.size()};
  for (size_t i = 0; i + 1 < std::size(cuts); ++i) {
    slow.Send(all.substr(cuts[i], cuts[i + 1] - cuts[i]));
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    other.Send(Msg(R"({"ping": 1, "$db": "a"})"));
    ASSERT_FALSE(other.Receive().empty()) << i;
  }
  std::string reply = slow.Receive();
  ASSERT_FALSE(reply.empty());
  EXPECT_EQ(wire::LoadLE<int32_t>(reply.data() + 8), 1);
  EXPECT_EQ(Body(reply)["echo"].String(), "first");
  reply = slow.Receive();
  ASSERT_FALSE(reply.empty());
  EXPECT_EQ(wire::LoadLE<int32_t>(reply.data() + 8), 2);
  EXPECT_EQ(Body(reply)["echo"].String(), "second");
}

// A reply larger than the socket buffers, to a client that does not read it yet: the part that
// does not fit waits in an async write, another client keeps being served on the only io thread,
// and the reply arrives whole once the client reads.
TEST_F(TransportTest, LargeReplyToAClientThatDoesNotRead) {
  TransportOptions o;
  o.threads = 1;
  Start(o);
  constexpr int kPad = 8 << 20;
  Client big(port_, 10000, 4096);
  big.Send(Msg(R"({"big": 1, "replyBytes": )" + std::to_string(kPad) + R"(, "$db": "a"})", 7));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Client other(port_);
  for (int i = 0; i < 3; ++i) {
    other.Send(Msg(R"({"ping": 1, "$db": "a"})"));
    ASSERT_FALSE(other.Receive().empty()) << i;
  }
  std::string reply = big.Receive();
  ASSERT_FALSE(reply.empty());
  EXPECT_EQ(wire::LoadLE<int32_t>(reply.data() + 8), 7);
  EXPECT_EQ(Body(reply)["pad"].String().size(), static_cast<size_t>(kPad));
  // The connection goes on with the next request.
  big.Send(Msg(R"({"ping": 1, "$db": "a"})", 8));
  reply = big.Receive();
  ASSERT_FALSE(reply.empty());
  EXPECT_EQ(wire::LoadLE<int32_t>(reply.data() + 8), 8);
}

// A client that asks for a large reply and disconnects without reading it ends only its session.
TEST_F(TransportTest, ClientGoneBeforeLargeReply) {
  Start();
  for (int i = 0; i < 5; ++i) {
    Client gone(port_, 5000, 4096);
    gone.Send(Msg(R"({"sleep": 1, "ms": 20, "replyBytes": 4000000, "$db": "a"})"));
  }  // closed while the command runs
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  Client witness(port_);
  witness.Send(Msg(R"({"ping": 1, "$db": "a"})"));
  EXPECT_FALSE(witness.Receive().empty());
  for (int i = 0; i < 50 && service_.counters.connections_current.load() > 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(service_.counters.connections_current.load(), 1);
}

TEST_F(TransportTest, BadInputClosesOnlyThatConnection) {
  Start();
  Client witness(port_);
  witness.Send(Msg(R"({"ping": 1, "$db": "a"})"));
  ASSERT_FALSE(witness.Receive().empty());

  Client bad(port_);
  std::string h;
  wire::AppendHeader(&h, wire::MessageHeader{0x7FFFFFFF, 1, 0, 2013});
  bad.Send(h);
  EXPECT_TRUE(bad.SeesEof());

  Client legacy(port_);
  std::string ins;
  wire::AppendHeader(&ins, wire::MessageHeader{16 + 8, 1, 0, 2002});
  ins.append(8, '\0');
  legacy.Send(ins);
  EXPECT_TRUE(legacy.SeesEof());

  Client invalid(port_);
  std::string m = Msg(R"({"ping": 1, "$db": "a"})");
  m[wire::kHeaderSize + 9] = 0x70;
  invalid.Send(m);
  std::string reply = invalid.Receive();
  ASSERT_FALSE(reply.empty());
  EXPECT_EQ(Body(reply)["code"].Int32(), 22);

  witness.Send(Msg(R"({"ping": 1, "$db": "a"})"));
  EXPECT_FALSE(witness.Receive().empty());
}

TEST_F(TransportTest, ShutdownCommandStopsTheServer) {
  Start();
  Client idle(port_);
  Client c(port_);
  c.Send(Msg(R"({"shutdown": 1, "$db": "admin"})"));
  thread_.join();  // Run() returns
  EXPECT_TRUE(idle.SeesEof());
  transport_.reset();
  Client after(port_, 500);
  EXPECT_FALSE(after.connected());
}

TEST_F(TransportTest, RefusesConnectionsBeyondTheLimit) {
  TransportOptions o;
  o.max_connections = 2;
  Start(o);
  Client a(port_), b(port_);
  a.Send(Msg(R"({"ping": 1, "$db": "a"})"));
  b.Send(Msg(R"({"ping": 1, "$db": "a"})"));
  ASSERT_FALSE(a.Receive().empty());
  ASSERT_FALSE(b.Receive().empty());
  Client c(port_);
  EXPECT_TRUE(c.SeesEof());
}

int64_t RssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + 6);
  }
  return 0;
}

TEST_F(TransportTest, IdleConnectionsAreCheap) {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);
  const int n = static_cast<int>(std::min<rlim_t>(1000, (lim.rlim_cur - 64) / 2));
  Start();
  const int64_t before = RssKb();
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < n; ++i) {
    clients.push_back(std::make_unique<Client>(port_));
    // Every connection has served one request, then idles.
    clients.back()->Send(Msg(R"({"ping": 1, "$db": "a"})"));
    ASSERT_FALSE(clients.back()->Receive().empty()) << i;
  }
  const int64_t after = RssKb();
  std::printf("%d idle connections: RSS +%lld kB\n", n, static_cast<long long>(after - before));
  EXPECT_EQ(service_.counters.connections_current.load(), n);
  // <= 50 MB per 1000 idle connections.
  EXPECT_LT(after - before, 50 * 1024 * n / 1000) << "RSS grew by " << (after - before) << " kB";
}

}  // namespace
}  // namespace dds::server
