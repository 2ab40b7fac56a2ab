// The transport with TLS on: certificates come from tests/e2e/lib/make_test_certs.sh (the openssl
// CLI) in a temp dir; clients are blocking boost::asio::ssl streams.
#include "server/tls_context.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include "bson/bson.h"
#include "common/logging.h"
#include "fake_runner.h"
#include "server/transport.h"
#include "test_util.h"
#include "wire/message.h"
#include "wire/op_msg.h"

namespace dds::server {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using testing::FakeRunner;

// The certificates, generated once per process.
const std::filesystem::path& CertDir() {
  static const std::filesystem::path dir = [] {
    std::filesystem::path d = std::filesystem::temp_directory_path() /
                              ("dds-tls-unit-" + std::to_string(getpid()));
    const std::filesystem::path script = std::filesystem::absolute(
        std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "e2e" / "lib" /
        "make_test_certs.sh");
    const std::string cmd = "bash '" + script.string() + "' '" + d.string() + "'";
    if (std::system(cmd.c_str()) != 0) ADD_FAILURE() << "certificate generation failed: " << cmd;
    // The keys do not outlive the test process (the path is leaked on purpose: atexit handlers
    // may run after static destructors).
    static const std::filesystem::path* to_remove = new std::filesystem::path(d);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(*to_remove, ec);
    });
    return d;
  }();
  return dir;
}

std::string Cert(const std::string& name) { return (CertDir() / name).string(); }

std::string Ping(int32_t request_id = 1) {
  std::string m = wire::EncodeOpMsg(bson::FromJson(R"({"ping": 1, "$db": "admin"})"), 0);
  wire::StoreLE<int32_t>(m.data() + 4, request_id);
  return m;
}

// Reads one whole message from a stream; "" on error or EOF.
template <typename Stream>
std::string ReadMessage(Stream& s) {
  boost::system::error_code ec;
  std::string header(16, '\0');
  asio::read(s, asio::buffer(header), ec);
  if (ec) return "";
  const int32_t len = wire::LoadLE<int32_t>(header.data());
  if (len < 16) return "";
  std::string rest(static_cast<size_t>(len) - 16, '\0');
  asio::read(s, asio::buffer(rest), ec);
  return ec ? "" : header + rest;
}

// A blocking TLS client that trusts `ca` and optionally presents `client_pem`.
class TlsClient {
 public:
  TlsClient(int port, const std::string& ca, const std::string& client_pem = "")
      : ctx_(asio::ssl::context::tls_client) {
    ctx_.load_verify_file(ca);
    if (!client_pem.empty()) {
      ctx_.use_certificate_chain_file(client_pem);
      ctx_.use_private_key_file(client_pem, asio::ssl::context::pem);
    }
    stream_ = std::make_unique<asio::ssl::stream<tcp::socket>>(io_, ctx_);
    stream_->set_verify_mode(asio::ssl::verify_peer);
    stream_->set_verify_callback(asio::ssl::host_name_verification("localhost"));
    SSL_set_tlsext_host_name(stream_->native_handle(), "localhost");
    timeval tv{5, 0};
    stream_->lowest_layer().connect({asio::ip::make_address("127.0.0.1"),
                                     static_cast<uint16_t>(port)});
    setsockopt(stream_->lowest_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    stream_->handshake(asio::ssl::stream_base::client, handshake_error_);
  }

  const boost::system::error_code& handshake_error() const { return handshake_error_; }

  // Sends a ping and returns the reply ("" when the connection failed).
  std::string PingRoundTrip(int32_t request_id = 1) {
    if (handshake_error_) return "";
    boost::system::error_code ec;
    asio::write(*stream_, asio::buffer(Ping(request_id)), ec);
    if (ec) return "";
    return ReadMessage(*stream_);
  }

 private:
  asio::io_context io_;
  asio::ssl::context ctx_;
  std::unique_ptr<asio::ssl::stream<tcp::socket>> stream_;
  boost::system::error_code handshake_error_;
};

// A blocking plaintext client.
class PlainClient {
 public:
  explicit PlainClient(int port) : socket_(io_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)});
    timeval tv{5, 0};
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  void Send(const std::string& bytes) {
    boost::system::error_code ec;
    asio::write(socket_, asio::buffer(bytes), ec);
  }
  std::string Receive() { return ReadMessage(socket_); }
  // True when the server closed the connection (after whatever it sent, e.g. a TLS alert).
  bool SeesEof() {
    char buf[4096];
    boost::system::error_code ec;
    while (!ec) socket_.read_some(asio::buffer(buf), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
};

class TlsTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogQuiet(true);
    ASSERT_FALSE(CertDir().empty());
  }

  void Start(TlsMode mode, TransportOptions options = {}) {
    options.port = 0;
    options.handle_signals = false;
    options.threads = 2;
    options.tls.mode = mode;
    options.tls.certificate_key_file = Cert("server.pem");
    transport_ = std::make_unique<Transport>(service_, runner_, options);
    ASSERT_OK(transport_->Listen());
    port_ = transport_->port();
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

bson::BsonView Body(const std::string& reply) { return bson::BsonView(reply.data() + 21); }

TEST_F(TlsTransportTest, RequireTlsServesTlsAndClosesPlaintext) {
  Start(TlsMode::kRequireTls);
  TlsClient tls(port_, Cert("ca.pem"));
  ASSERT_FALSE(tls.handshake_error()) << tls.handshake_error().message();
  for (int i = 1; i <= 3; ++i) {
    std::string reply = tls.PingRoundTrip(i);
    ASSERT_FALSE(reply.empty());
    EXPECT_EQ(wire::LoadLE<int32_t>(reply.data() + 8), i);
    EXPECT_EQ(Body(reply)["echo"].String(), "ping");
  }
  PlainClient plain(port_);
  plain.Send(Ping());
  EXPECT_TRUE(plain.SeesEof());
  // The refused session ends right after it closes the socket.
  for (int i = 0; i < 500 && service_.counters.connections_current.load() != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(service_.counters.connections_current.load(), 1);
}

TEST_F(TlsTransportTest, PreferTlsServesBothOnOnePort) {
  Start(TlsMode::kPreferTls);
  TlsClient tls(port_, Cert("ca.pem"));
  PlainClient plain(port_);
  plain.Send(Ping(7));
  std::string reply = plain.Receive();
  ASSERT_FALSE(reply.empty());
  EXPECT_EQ(wire::LoadLE<int32_t>(reply.data() + 8), 7);
  ASSERT_FALSE(tls.PingRoundTrip().empty());
  EXPECT_EQ(service_.counters.connections_current.load(), 2);
}

TEST_F(TlsTransportTest, StalledHandshakeIsClosedAndDoesNotBlockOthers) {
  TransportOptions o;
  o.tls_handshake_timeout = std::chrono::milliseconds(300);
  Start(TlsMode::kAllowTls, o);
  // Part of a ClientHello, then silence; and fewer bytes than a header, then silence.
  PlainClient stalled_hello(port_);
  stalled_hello.Send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\x00\x00\x00\x00\x00"
                                 "\x00\x00",
                                 18));
  PlainClient stalled_sniff(port_);
  stalled_sniff.Send(std::string("\x16\x03", 2));
  TlsClient tls(port_, Cert("ca.pem"));
  EXPECT_FALSE(tls.PingRoundTrip().empty());
  EXPECT_TRUE(stalled_hello.SeesEof());
  EXPECT_TRUE(stalled_sniff.SeesEof());
  // An accepted plaintext connection is not subject to the timeout once it has spoken.
  PlainClient plain(port_);
  plain.Send(Ping());
  ASSERT_FALSE(plain.Receive().empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  plain.Send(Ping());
  EXPECT_FALSE(plain.Receive().empty());
}

TEST_F(TlsTransportTest, GarbageHandshakeClosesOnlyThatConnection) {
  Start(TlsMode::kRequireTls);
  TlsClient witness(port_, Cert("ca.pem"));
  ASSERT_FALSE(witness.PingRoundTrip().empty());
  PlainClient garbage(port_);
  std::string bytes("\x16\x03\x01\x00\x30\x01", 6);
  bytes.append(200, '\x5a');
  garbage.Send(bytes);
  EXPECT_TRUE(garbage.SeesEof());
  EXPECT_FALSE(witness.PingRoundTrip().empty());
}

TEST_F(TlsTransportTest, CaFileRequiresAVerifiedClientCertificate) {
  TransportOptions o;
  o.tls.ca_file = Cert("ca.pem");
  Start(TlsMode::kRequireTls, o);
  TlsClient with_cert(port_, Cert("ca.pem"), Cert("client.pem"));
  EXPECT_FALSE(with_cert.PingRoundTrip().empty());
  TlsClient without(port_, Cert("ca.pem"));
  EXPECT_TRUE(without.PingRoundTrip().empty());
  TlsClient foreign(port_, Cert("ca.pem"), Cert("other-client.pem"));
  EXPECT_TRUE(foreign.PingRoundTrip().empty());
}

TEST_F(TlsTransportTest, AllowConnectionsWithoutCertificates) {
  TransportOptions o;
  o.tls.ca_file = Cert("ca.pem");
  o.tls.allow_connections_without_certificates = true;
  Start(TlsMode::kRequireTls, o);
  TlsClient without(port_, Cert("ca.pem"));
  EXPECT_FALSE(without.PingRoundTrip().empty());
  TlsClient foreign(port_, Cert("ca.pem"), Cert("other-client.pem"));
  EXPECT_TRUE(foreign.PingRoundTrip().empty());
}

TEST(TlsContext, ConfigurationErrorsNameTheFile) {
  TlsOptions o;
  o.mode = TlsMode::kRequireTls;
  o.certificate_key_file = "/nonexistent/server.pem";
  auto missing = MakeServerTlsContext(o);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), kInvalidSslConfiguration);
  EXPECT_NE(missing.status().reason().find("/nonexistent/server.pem"), std::string::npos);
  o.certificate_key_file = Cert("server-encrypted.pem");
  o.certificate_key_file_password = "wrong";
  EXPECT_FALSE(MakeServerTlsContext(o).ok());
  o.certificate_key_file_password = "dds-test";
  EXPECT_OK(MakeServerTlsContext(o));
  o.ca_file = "/nonexistent/ca.pem";
  EXPECT_FALSE(MakeServerTlsContext(o).ok());
}

TEST(TlsContext, TellsClientHelloFromMongoHeader) {
  // A real ClientHello's first bytes.
  const unsigned char hello[16] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01,
                                   0xfc, 0x03, 0x03, 0x9a, 0x11, 0x42, 0x07, 0xee};
  EXPECT_TRUE(LooksLikeTlsClientHello(hello));
  // An OP_MSG of 66326 bytes (0x10316) with requestID 0x100 starts 16 03 01 00 00 01: still MongoDB.
  std::string h;
  wire::AppendHeader(&h, wire::MessageHeader{0x10316, 0x100, 0, 2013});
  EXPECT_FALSE(LooksLikeTlsClientHello(reinterpret_cast<const unsigned char*>(h.data())));
  std::string ping = Ping();
  EXPECT_FALSE(LooksLikeTlsClientHello(reinterpret_cast<const unsigned char*>(ping.data())));
}

}  // namespace
}  // namespace dds::server
