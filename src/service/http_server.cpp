#include "service/http_server.h"

#include <array>
#include <chrono>
#include <ctime>
#include <limits>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/logging.h"
#include "service/api_error.h"
#include "service/crypto.h"

namespace dds::service {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr size_t kHeaderLimitBytes = 16 * 1024;

std::string HttpDate() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServiceState* state, asio::thread_pool* workers)
      : stream_(std::move(socket)), state_(state), workers_(workers) {}

  void Start() {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
    ReadHeader();
  }

 private:
  const ServiceConfig& config() const { return state_->config(); }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimitBytes);
    // The limit is applied after the route check (404/405 come before 413); see ReadBody().
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    stream_.expires_after(std::chrono::milliseconds(config().request_timeout_ms));
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (ec) return Close();  // timeout, EOF, malformed header: nothing sensible to answer
    auto& req = parser_->get();
    std::string method(req.method_string());
    std::string target(req.target());
    std::string path = target.substr(0, target.find('?'));
    bool has_body =
        parser_->chunked() || (parser_->content_length() && *parser_->content_length() > 0);
    // Order of checks: route (404/405), then size (413), before the body is read.
    RouteMatch match = state_->Match(method, path);
    if (state_->draining() || match.kind != RouteMatchKind::kFound) {
      // The pipeline answers 404/405/503 from the header alone; an unread body ends the
      // connection (after a lingering close).
      if (has_body) keep_alive_override_ = false;
      return Dispatch();
    }
    if (parser_->content_length() && *parser_->content_length() > config().max_body_bytes) {
      return RespondTooLarge();
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return Dispatch();
    parser_->body_limit(config().max_body_bytes);
    auto& req = parser_->get();
    auto expect = req.find(http::field::expect);
    if (expect != req.end() && beast::iequals(expect->value(), "100-continue") && !sent_continue_) {
      // curl sends Expect: 100-continue for larger bodies and would otherwise wait a second.
      sent_continue_ = true;
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                     req.version());
      return http::async_write(stream_, *cont,
                               [self = shared_from_this(), cont](beast::error_code ec, size_t) {
                                 if (ec) return self->Abort();
                                 self->ReadBody();
                               });
    }
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void OnBody(beast::error_code ec, size_t) {
    if (ec == http::error::body_limit) return RespondTooLarge();
    if (ec) return Close();
    Dispatch();
  }

  void RespondTooLarge() {
    HttpResponse resp = state_->ErrorResponse(
        ApiError(ErrorCode::kServicePayloadTooLarge, "APIG.0201", "Request entity too large."),
        UuidV4());
    keep_alive_override_ = false;
    Write(std::move(resp), 11, false);
  }

  void Dispatch() {
    auto& req = parser_->get();
    auto request = std::make_shared<HttpRequest>();
    request->method = std::string(req.method_string());
    std::string target(req.target());
    size_t q = target.find('?');
    request->path = target.substr(0, q);
    if (q != std::string::npos) request->raw_query = target.substr(q + 1);
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request->headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request->body = std::move(req.body());
    request->remote = remote_;
    unsigned version = req.version();
    bool keep_alive = req.keep_alive() && keep_alive_override_;
    stream_.expires_never();
    auto self = shared_from_this();
    // Handlers may block (process start, PBKDF2): run them off the I/O threads.
    asio::post(*workers_, [self, request, version, keep_alive]() {
      HttpResponse resp = self->state_->Dispatch(*request);
      asio::post(self->stream_.get_executor(),
                 [self, resp = std::move(resp), version, keep_alive]() mutable {
                   self->Write(std::move(resp), version, keep_alive);
                 });
    });
  }

  void Write(HttpResponse resp, unsigned version, bool keep_alive) {
    if (state_->draining()) keep_alive = false;
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(version);
    res->result(static_cast<unsigned>(resp.status));
    for (auto& [name, value] : resp.headers) res->set(name, value);
    res->set(http::field::date, HttpDate());
    res->body() = std::move(resp.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    stream_.expires_after(std::chrono::milliseconds(config().request_timeout_ms));
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, keep_alive](beast::error_code ec, size_t) {
                        if (ec || !keep_alive) return self->Close();
                        self->keep_alive_override_ = true;
                        self->sent_continue_ = false;
                        self->ReadHeader();
                      });
  }

  // Lingering close: stop sending, then discard what the client still sends (for a while) so
  // that it reads our response instead of a connection reset.
  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(2));
    Drain();
  }

  void Drain() {
    if (drained_bytes_ > kMaxDrainBytes) return Abort();
    stream_.async_read_some(asio::buffer(drain_buf_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->Abort();
                              self->drained_bytes_ += n;
                              self->Drain();
                            });
  }

  void Abort() {
    beast::error_code ec;
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  ServiceState* state_;
  asio::thread_pool* workers_;
  std::string remote_;
  bool keep_alive_override_ = true;
  bool sent_continue_ = false;
  static constexpr size_t kMaxDrainBytes = 64 * 1024 * 1024;
  size_t drained_bytes_ = 0;
  std::array<char, 16384> drain_buf_;
};

}  // namespace

struct HttpServer::Impl {
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  asio::signal_set signals{ioc, SIGINT, SIGTERM};
  asio::thread_pool workers{8};
  std::atomic<bool> shutting_down{false};
  std::thread drainer;
};

HttpServer::HttpServer(ServiceState* state) : impl_(std::make_unique<Impl>()), state_(state) {}

HttpServer::~HttpServer() {
  if (impl_->drainer.joinable()) impl_->drainer.join();
  impl_->workers.join();
}

Status HttpServer::Listen() {
  const ServiceConfig& c = state_->config();
  beast::error_code ec;
  auto address =
      asio::ip::make_address(c.listen_host == "localhost" ? "127.0.0.1" : c.listen_host, ec);
  if (ec) return Status(ErrorCode::kBadValue, "bad listen address " + c.listen_host);
  tcp::endpoint ep(address, static_cast<unsigned short>(c.listen_port));
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status(ErrorCode::kHostUnreachable, "cannot listen on " + c.listen_host + ":" +
                                                   std::to_string(c.listen_port) + ": " +
                                                   ec.message());
  }
  port_ = impl_->acceptor.local_endpoint().port();
  return Status::OK();
}

void HttpServer::Shutdown() {
  if (impl_->shutting_down.exchange(true)) return;
  state_->SetDraining();
  DDS_LOG_INFO(
      "SERVICE", 9010, "Draining: new requests get 503 until work finishes",
      {{"inFlight", state_->in_flight()}, {"runningJobs", state_->instances().ActiveJobs()}});
  impl_->drainer = std::thread([this]() {
    SetLogContext("drain");
    const ServiceConfig& c = state_->config();
    auto start = std::chrono::steady_clock::now();
    auto min_until = start + std::chrono::milliseconds(c.drain_min_ms);
    auto max_until = start + std::chrono::milliseconds(c.drain_timeout_ms);
    while (std::chrono::steady_clock::now() < max_until) {
      bool idle = state_->in_flight() == 0 && state_->instances().ActiveJobs() == 0;
      if (idle && std::chrono::steady_clock::now() >= min_until) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    asio::post(impl_->ioc, [this]() {
      beast::error_code ec;
      impl_->acceptor.close(ec);
      impl_->ioc.stop();
    });
  });
}

void HttpServer::Run() {
  std::function<void()> accept = [this, &accept]() {
    impl_->acceptor.async_accept(
        asio::make_strand(impl_->ioc), [this, &accept](beast::error_code ec, tcp::socket socket) {
          if (ec) {
            if (!impl_->acceptor.is_open()) return;
          } else {
            std::make_shared<Session>(std::move(socket), state_, &impl_->workers)->Start();
          }
          accept();
        });
  };
  accept();
  impl_->signals.async_wait([this](beast::error_code ec, int sig) {
    if (!ec) {
      DDS_LOG_INFO("SERVICE", 9011, "Signal received", {{"signal", sig}});
      Shutdown();
    }
  });
  int threads = std::max(1, state_->config().http_threads);
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([this]() { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : pool) t.join();
}

}  // namespace dds::service
