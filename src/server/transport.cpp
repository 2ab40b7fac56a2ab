#include "server/transport.h"

#include <array>
#include <atomic>
#include <csignal>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include "common/logging.h"
#include "server/request_processor.h"
#include "server/tls_context.h"
#include "wire/message.h"

namespace dds::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using SslStream = asio::ssl::stream<tcp::socket>;

static_assert(kTlsSniffBytes == wire::kHeaderSize);

namespace {

// connectionId values: process-wide, starting at 1 (reported by hello and currentOp).
std::atomic<int64_t> g_next_connection_id{1};

std::string FormatEndpoint(const tcp::endpoint& ep) {
  const asio::ip::address a = ep.address();
  if (a.is_v6()) return "[" + a.to_string() + "]:" + std::to_string(ep.port());
  return a.to_string() + ":" + std::to_string(ep.port());
}

// Wraps a completion handler that continues a session's own chain (read body, write reply, read
// the next header), so Asio treats it as a continuation: an operation that completes at once
// queues its handler on the current io thread instead of waking another one.
template <typename Handler>
struct Continuation {
  Handler handler;
  template <typename... Args>
  void operator()(Args&&... args) {
    handler(std::forward<Args>(args)...);
  }
  friend bool asio_handler_is_continuation(Continuation*) { return true; }
};

template <typename Handler>
Continuation<std::decay_t<Handler>> Continue(Handler&& handler) {
  return {std::forward<Handler>(handler)};
}

bool WouldBlock(const error_code& ec) {
  return ec == asio::error::would_block || ec == asio::error::try_again;
}

}  // namespace

// Anything that shutdown must close: a session over either stream type.
class Connection {
 public:
  virtual ~Connection() = default;
  // Closes the connection from any thread.
  virtual void Close() = 0;
};

struct Transport::Impl {
  Impl(commands::ServiceContext& s, CommandRunner& r, TransportOptions o)
      : service(s),
        runner(r),
        options(std::move(o)),
        io(ThreadCount(options)),
        control(asio::make_strand(io)),
        signals(control) {}

  static int ThreadCount(const TransportOptions& o) {
    if (o.threads > 0) return o.threads;
    return std::max(4, static_cast<int>(std::thread::hardware_concurrency()) * 2);
  }

  void StartAccept(tcp::acceptor* acceptor);
  void OnAccept(tcp::acceptor* acceptor, const error_code& ec, tcp::socket socket);
  void StartTimer(size_t index);
  void DoShutdown();
  void Deregister(int64_t id);

  commands::ServiceContext& service;
  CommandRunner& runner;
  TransportOptions options;
  // Set by Listen() when TLS is on; shared read-only by every TLS session.
  std::unique_ptr<asio::ssl::context> tls_context;
  // Declared before `io`: handlers that io_context's destructor destroys may still end sessions.
  std::mutex mu;
  bool shutting_down = false;                                       // guarded by mu
  std::unordered_map<int64_t, std::weak_ptr<Connection>> sessions;  // guarded by mu
  std::atomic<bool> shutdown_requested{false};
  asio::io_context io;
  // Acceptors, timers and signals are only touched on this strand.
  asio::strand<asio::io_context::executor_type> control;
  asio::signal_set signals;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  struct Periodic {
    std::chrono::milliseconds interval;
    std::function<void()> task;
    std::unique_ptr<asio::steady_timer> timer;
  };
  std::vector<Periodic> periodic;
  std::unique_ptr<asio::steady_timer> accept_retry;
  int port = 0;
};

// One client connection over `Stream` (tcp::socket or SslStream). All of its handlers run on the
// socket's strand, one at a time. A plaintext socket is in non-blocking mode: the body and the
// reply move with read_some/write_some for as long as the kernel takes them, and only the rest
// goes through async_read/async_write (see the header comment).
template <typename Stream>
class Session : public Connection, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kPlain = std::is_same_v<Stream, tcp::socket>;

 public:
  Session(Transport::Impl& owner, Stream stream, int64_t id)
      : owner_(owner), stream_(std::move(stream)) {
    client_.connection_id = id;
    error_code ec;
    auto remote = stream_.lowest_layer().remote_endpoint(ec);
    if (!ec) client_.remote = FormatEndpoint(remote);
    auto local = stream_.lowest_layer().local_endpoint(ec);
    if (!ec) client_.local = FormatEndpoint(local);
    stream_.lowest_layer().set_option(tcp::no_delay(true), ec);
  }

  ~Session() override {
    if (handed_off_) return;  // the TLS session that took over ends the connection
    const int64_t count = --owner_.service.counters.connections_current;
    owner_.Deregister(client_.connection_id);
    if (!owner_.options.quiet) {
      SetLogContext("conn" + std::to_string(client_.connection_id));
      DDS_LOG_INFO("NETWORK", 22944, "Connection ended",
                   {{"remote", client_.remote},
                    {"connectionId", client_.connection_id},
                    {"connectionCount", count}});
    }
  }

  const commands::ClientState& client() const { return client_; }

  // Starts reading on the session's own strand. With TLS on, a plaintext session first reads
  // kTlsSniffBytes bytes, within the handshake timeout, to learn which protocol the client speaks.
  void Start() {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kPlain) {
        // Sync operations return would_block instead of waiting (async ones are unaffected).
        error_code ec;
        self->stream_.non_blocking(true, ec);
        if (ec) return self->End();
        if (self->owner_.tls_context) {
          self->sniffing_ = true;
          self->StartDeadline();
        }
      }
      self->ReadHeader();
    });
  }

  void Close() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->End(); });
  }

 private:
  template <typename>
  friend class Session;

  // Waits for the next header. Only called from the session's own handlers, so the read continues
  // its chain.
  void ReadHeader() {
    asio::async_read(stream_, asio::buffer(header_),
                     Continue([self = this->shared_from_this()](const error_code& ec, size_t) {
                       self->OnHeader(ec);
                     }));
  }

  void OnHeader(const error_code& ec) {
    if (ec) return End();  // EOF, reset or closed by shutdown
    if constexpr (kPlain) {
      if (sniffing_) {
        sniffing_ = false;
        if (LooksLikeTlsClientHello(reinterpret_cast<const unsigned char*>(header_.data()))) {
          return HandOffToTls();
        }
        if (owner_.options.tls.mode == TlsMode::kRequireTls) {
          // mongod's refusal of plaintext under requireTLS.
          return EndWithError("SSLHandshakeFailed: The server is configured to only allow SSL "
                              "connections");
        }
        CancelDeadline();
      }
    }
    auto header = wire::ParseHeader(header_.data());
    if (!header.ok()) return EndWithError(header.status().ToString());
    // Exactly messageLength bytes: no preallocated buffers per connection.
    message_.assign(static_cast<size_t>(header->message_length), '\0');
    std::memcpy(message_.data(), header_.data(), wire::kHeaderSize);
    size_t have = wire::kHeaderSize;
    if constexpr (kPlain) {
      // The body has usually arrived with the header: take what the socket holds right now.
      while (have < message_.size()) {
        error_code ec;
        const size_t n =
            stream_.read_some(asio::buffer(message_.data() + have, message_.size() - have), ec);
        if (WouldBlock(ec)) break;
        if (ec) return End();  // EOF or reset mid-message
        have += n;
      }
    }
    if (have == message_.size()) return Process();
    asio::async_read(stream_, asio::buffer(message_.data() + have, message_.size() - have),
                     Continue([self = this->shared_from_this()](const error_code& ec, size_t) {
                       if (ec) return self->End();
                       self->Process();
                     }));
  }

  void Process() {
    SetLogContext("conn" + std::to_string(client_.connection_id));
    auto& counters = owner_.service.counters;
    counters.bytes_in += static_cast<int64_t>(message_.size());
    ++counters.num_requests;
    ++counters.connections_active;
    ProcessResult result;
    try {
      result = ProcessMessage(owner_.runner, client_, message_.data(), message_.size());
    } catch (const std::exception& e) {
      DDS_LOG_ERROR("NETWORK", 23076, "Unhandled exception while processing a request",
                    {{"error", e.what()}, {"remote", client_.remote}});
      result.reply.clear();
      result.close = true;
    }
    --counters.connections_active;
    std::string().swap(message_);  // idle connections keep no buffer
    SetLogContext("conn");
    if (result.reply.empty()) {
      if (result.close) return End();
      return ReadHeader();
    }
    counters.bytes_out += static_cast<int64_t>(result.reply.size());
    reply_ = std::move(result.reply);
    close_after_write_ = result.close;
    size_t sent = 0;
    if constexpr (kPlain) {
      // Usually the whole reply fits in the socket's send buffer.
      while (sent < reply_.size()) {
        error_code ec;
        const size_t n =
            stream_.write_some(asio::buffer(reply_.data() + sent, reply_.size() - sent), ec);
        if (WouldBlock(ec)) break;
        if (ec) return OnReplyWritten(ec);  // reset by the client
        sent += n;
      }
      if (sent == reply_.size()) return OnReplyWritten(error_code());
    }
    // The client is not reading fast enough (or TLS): wait for it without holding the thread.
    asio::async_write(stream_, asio::buffer(reply_.data() + sent, reply_.size() - sent),
                      Continue([self = this->shared_from_this()](const error_code& ec, size_t) {
                        self->OnReplyWritten(ec);
                      }));
  }

  void OnReplyWritten(const error_code& ec) {
    std::string().swap(reply_);
    if (ec || close_after_write_) return End();
    ReadHeader();
  }

  // A ClientHello arrived on a port that accepts TLS: a TLS session takes over the socket (and
  // the connection's id and bookkeeping); the bytes read so far start its handshake.
  void HandOffToTls() {
    CancelDeadline();
    error_code ec;
    stream_.non_blocking(false, ec);  // the TLS session uses async operations only
    auto tls = std::make_shared<Session<SslStream>>(
        owner_, SslStream(std::move(stream_), *owner_.tls_context), client_.connection_id);
    handed_off_ = true;
    {
      std::lock_guard<std::mutex> lock(owner_.mu);
      // Shutdown already closed what it saw; this new session ends at once.
      if (owner_.shutting_down) return tls->End();
      owner_.sessions[client_.connection_id] = tls;
    }
    tls->Handshake(header_);
  }

  void Handshake(const std::array<char, wire::kHeaderSize>& first_bytes) {
    header_ = first_bytes;
    StartDeadline();
    stream_.async_handshake(asio::ssl::stream_base::server, asio::buffer(header_),
                            [self = this->shared_from_this()](const error_code& ec, size_t) {
                              self->OnHandshake(ec);
                            });
  }

  void OnHandshake(const error_code& ec) {
    CancelDeadline();
    if (ec) {
      return EndWithError(std::string("SSLHandshakeFailed: ") +
                          (timed_out_ ? "the TLS handshake timed out" : ec.message()));
    }
    if constexpr (!kPlain) {
      Status peer = CheckPeerCertificate(stream_.native_handle(), owner_.options.tls,
                                         client_.remote);
      if (!peer.ok()) return EndWithError("SSLHandshakeFailed: " + peer.reason());
    }
    ReadHeader();
  }

  // Closes the connection when the sniff or the handshake takes longer than the timeout.
  void StartDeadline() {
    deadline_ = std::make_unique<asio::steady_timer>(stream_.get_executor(),
                                                     owner_.options.tls_handshake_timeout);
    deadline_->async_wait([weak = this->weak_from_this()](const error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock()) {
        self->timed_out_ = true;
        if (self->sniffing_) {
          self->EndWithError("SSLHandshakeFailed: no TLS handshake or request within the timeout");
        } else {
          self->End();  // the pending handshake completes with an error and logs it
        }
      }
    });
  }

  void CancelDeadline() {
    if (deadline_) deadline_->cancel();
  }

  void EndWithError(const std::string& error) {
    SetLogContext("conn" + std::to_string(client_.connection_id));
    DDS_LOG_WARNING("NETWORK", 22988,
                    "Error receiving request from client. Ending connection from remote",
                    {{"error", error},
                     {"remote", client_.remote},
                     {"connectionId", client_.connection_id}});
    End();
  }

  void End() {
    CancelDeadline();
    error_code ec;
    stream_.lowest_layer().shutdown(tcp::socket::shutdown_both, ec);
    stream_.lowest_layer().close(ec);
  }

  Transport::Impl& owner_;
  Stream stream_;
  commands::ClientState client_;
  std::array<char, wire::kHeaderSize> header_{};
  std::string message_;
  std::string reply_;
  bool close_after_write_ = false;
  // TLS only: the first bytes decide the protocol; the deadline bounds that and the handshake.
  bool sniffing_ = false;
  bool handed_off_ = false;
  bool timed_out_ = false;
  std::unique_ptr<asio::steady_timer> deadline_;
};

using PlainSession = Session<tcp::socket>;

void Transport::Impl::Deregister(int64_t id) {
  std::lock_guard<std::mutex> lock(mu);
  sessions.erase(id);
}

void Transport::Impl::StartAccept(tcp::acceptor* acceptor) {
  acceptor->async_accept(
      asio::make_strand(io),
      asio::bind_executor(control, [this, acceptor](const error_code& ec, tcp::socket socket) {
        OnAccept(acceptor, ec, std::move(socket));
      }));
}

void Transport::Impl::OnAccept(tcp::acceptor* acceptor, const error_code& ec, tcp::socket socket) {
  SetLogContext("listener");
  if (ec) {
    if (ec == asio::error::operation_aborted || shutdown_requested) return;
    // EMFILE and friends: log, back off briefly, and keep accepting.
    DDS_LOG_WARNING("NETWORK", 22991, "Error accepting new connection", {{"error", ec.message()}});
    accept_retry = std::make_unique<asio::steady_timer>(control, std::chrono::milliseconds(100));
    accept_retry->async_wait(asio::bind_executor(control, [this, acceptor](const error_code& e) {
      if (!e && !shutdown_requested) StartAccept(acceptor);
    }));
    return;
  }
  StartAccept(acceptor);

  auto& counters = service.counters;
  error_code rec;
  const auto remote = socket.remote_endpoint(rec);
  const std::string remote_str = rec ? "unknown" : FormatEndpoint(remote);
  if (counters.connections_current.load() >= options.max_connections) {
    DDS_LOG_INFO(
        "NETWORK", 22942, "Connection refused because there are too many open connections",
        {{"remote", remote_str}, {"connectionCount", counters.connections_current.load()}});
    socket.close(rec);
    return;
  }
  const int64_t id = g_next_connection_id.fetch_add(1);
  const int64_t count = ++counters.connections_current;
  ++counters.connections_total;
  auto session = std::make_shared<PlainSession>(*this, std::move(socket), id);
  {
    std::lock_guard<std::mutex> lock(mu);
    if (shutting_down) {
      session->Close();
      return;
    }
    sessions.emplace(id, session);
  }
  if (!options.quiet) {
    DDS_LOG_INFO("NETWORK", 22943, "Connection accepted",
                 {{"remote", remote_str}, {"connectionId", id}, {"connectionCount", count}});
  }
  session->Start();
}

void Transport::Impl::StartTimer(size_t index) {
  Periodic& p = periodic[index];
  p.timer->expires_after(p.interval);
  p.timer->async_wait(asio::bind_executor(control, [this, index](const error_code& ec) {
    if (ec || shutdown_requested) return;
    SetLogContext("clientcursormon");
    try {
      periodic[index].task();
    } catch (const std::exception& e) {
      DDS_LOG_ERROR("CONTROL", 23077, "Periodic task failed", {{"error", e.what()}});
    }
    StartTimer(index);
  }));
}

void Transport::Impl::DoShutdown() {
  SetLogContext("SignalHandler");
  DDS_LOG_INFO("COMMAND", 20562, "Shutdown: going to close listening sockets");
  for (auto& a : acceptors) {
    error_code ec;
    a->close(ec);
  }
  error_code ec;
  signals.cancel(ec);
  for (auto& p : periodic) p.timer->cancel();
  if (accept_retry) accept_retry->cancel();
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard<std::mutex> lock(mu);
    shutting_down = true;
    for (auto& [id, weak] : sessions) {
      if (auto s = weak.lock()) open.push_back(std::move(s));
    }
  }
  DDS_LOG_INFO("NETWORK", 4784923, "Shutting down the ASIO transport SessionManager",
               {{"openConnections", static_cast<int64_t>(open.size())}});
  for (auto& s : open) s->Close();
}

Transport::Transport(commands::ServiceContext& service, CommandRunner& runner,
                     TransportOptions options)
    : impl_(std::make_unique<Impl>(service, runner, std::move(options))) {}

Transport::~Transport() = default;

Status Transport::Listen() {
  Impl& m = *impl_;
  if (m.options.tls.enabled()) {
    DDS_ASSIGN_OR_RETURN(m.tls_context, MakeServerTlsContext(m.options.tls));
  }
  std::vector<std::string> hosts =
      m.options.bind_ip_all ? std::vector<std::string>{"0.0.0.0"} : m.options.bind_ips;
  std::vector<tcp::endpoint> endpoints;
  for (const std::string& host : hosts) {
    error_code ec;
    asio::ip::address addr = asio::ip::make_address(host, ec);
    if (!ec) {
      endpoints.emplace_back(addr, 0);
      continue;
    }
    tcp::resolver resolver(m.io);
    auto results = resolver.resolve(host, "", ec);
    if (ec) {
      return Status(ErrorCode::kHostNotFound,
                    "Failed to resolve bind address " + host + ": " + ec.message());
    }
    for (const auto& r : results) {
      if (r.endpoint().address().is_v4()) endpoints.emplace_back(r.endpoint().address(), 0);
    }
    if (endpoints.empty()) {
      return Status(ErrorCode::kHostNotFound, "No IPv4 address found for " + host);
    }
  }
  std::set<asio::ip::address> seen;
  int port = m.options.port;
  for (tcp::endpoint ep : endpoints) {
    if (!seen.insert(ep.address()).second) continue;
    ep.port(static_cast<uint16_t>(port));
    auto acceptor = std::make_unique<tcp::acceptor>(m.control);
    error_code ec;
    acceptor->open(ep.protocol(), ec);
    if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
    if (ep.address().is_v6() && !ec) acceptor->set_option(asio::ip::v6_only(true), ec);
    if (!ec) acceptor->bind(ep, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status(ErrorCode::kInternalError,
                    "Failed to listen on " + FormatEndpoint(ep) + ": " + ec.message());
    }
    port = acceptor->local_endpoint().port();
    DDS_LOG_INFO("NETWORK", 23015, "Listening on", {{"address", ep.address().to_string()}});
    m.acceptors.push_back(std::move(acceptor));
  }
  m.port = port;
  return Status::OK();
}

int Transport::port() const { return impl_->port; }

void Transport::AddPeriodicTask(std::chrono::milliseconds interval, std::function<void()> task) {
  impl_->periodic.push_back(
      {interval, std::move(task), std::make_unique<asio::steady_timer>(impl_->control)});
}

void Transport::Run() {
  Impl& m = *impl_;
  if (m.options.handle_signals) {
    m.signals.add(SIGINT);
    m.signals.add(SIGTERM);
    m.signals.async_wait(asio::bind_executor(m.control, [this](const error_code& ec, int sig) {
      if (ec) return;
      SetLogContext("SignalHandler");
      DDS_LOG_INFO("CONTROL", 23377, "Received signal",
                   {{"signal", sig}, {"error", std::string(strsignal(sig))}});
      DDS_LOG_INFO("CONTROL", 23381, "will terminate after current cmd ends");
      Shutdown();
    }));
  }
  for (size_t i = 0; i < m.periodic.size(); ++i) m.StartTimer(i);
  for (auto& a : m.acceptors) m.StartAccept(a.get());
  DDS_LOG_INFO("NETWORK", 23016, "Waiting for connections", {{"port", m.port}, {"ssl", m.tls_context ? "on" : "off"}});

  auto worker = [&m] {
    for (;;) {
      try {
        m.io.run();
        return;
      } catch (const std::exception& e) {
        DDS_LOG_ERROR("NETWORK", 23078, "Unhandled exception on an io thread",
                      {{"error", e.what()}});
      }
    }
  };
  std::vector<std::thread> threads;
  const int n = Impl::ThreadCount(m.options);
  for (int i = 1; i < n; ++i) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
}

void Transport::Shutdown() {
  if (impl_->shutdown_requested.exchange(true)) return;
  asio::post(impl_->control, [this] { impl_->DoShutdown(); });
}

int64_t Transport::connection_count() const {
  return impl_->service.counters.connections_current.load();
}

}  // namespace dds::server
