// Transport: ddsd's network front end on Boost.Asio. Listens on the configured addresses, runs
// one Session per connection, and a small pool of threads runs the io_context. A session holds no
// buffer while idle: it waits for the 16-byte header with an async read, then allocates exactly
// messageLength. A request runs on the io thread that read its header; requests of one connection
// are processed one at a time, in order (a session's handlers run on its strand).
//
// The common request path wakes a thread only for the header's arrival (plus Asio handing its
// epoll wait over to an idle thread): on a plaintext socket (kept in non-blocking mode) the body
// is taken with read_some while the socket has data, and the reply is written with write_some
// while the socket accepts it; only what remains goes through async_read/async_write, so a slow
// or stalled client never holds an io thread. TLS sessions use async operations throughout (a
// non-blocking write through OpenSSL could lose bytes it already encrypted). Handlers that
// continue a session's chain are marked as continuations, so an operation that completes at once
// runs next on the same io thread instead of waking another (this covers TLS too). A long command
// holds only its own io thread; the other threads keep serving every other connection.
//
// TLS (options.tls, mongod's net.tls.mode): with TLS on, the first 16 bytes of a connection tell a
// ClientHello from a MongoDB header. A TLS connection continues as a session over an OpenSSL
// stream (the bytes already read feed the handshake); a plaintext one continues unchanged, or is
// closed under requireTLS. Sessions are templated on the stream, so plaintext pays no indirection.
// Reading those bytes and the handshake are bounded by tls_handshake_timeout.
//
// Run() blocks until Shutdown() (SIGINT/SIGTERM, or the shutdown command through
// ServiceContext::request_shutdown) has closed the listeners and every connection.
// Shutdown() is thread-safe and idempotent; everything else is called from the owning thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "commands/dispatch.h"
#include "common/status.h"
#include "server/tls_options.h"

namespace dds::server {

class CommandRunner;

struct TransportOptions {
  // Addresses to listen on (IP literals or host names). Default: 127.0.0.1.
  std::vector<std::string> bind_ips = {"127.0.0.1"};
  // Listen on 0.0.0.0 instead of bind_ips. Default: false.
  bool bind_ip_all = false;
  // Port; 0 picks a free one (see port()). Default: 27017.
  int port = 27017;
  // Connections beyond this are closed right after accept. Default: 1000000.
  int64_t max_connections = 1'000'000;
  // No "Connection accepted"/"Connection ended" lines. Default: false.
  bool quiet = false;
  // io threads; 0 means max(4, 2 * hardware_concurrency). Default: 0.
  int threads = 0;
  // Install SIGINT/SIGTERM handlers that call Shutdown(). Default: true.
  bool handle_signals = true;
  // TLS settings (see server/tls_options.h). Default: disabled.
  TlsOptions tls;
  // With TLS on, a connection that has not finished its TLS handshake (or sent its first 16
  // plaintext bytes) within this time is closed. Default: 10 s.
  std::chrono::milliseconds tls_handshake_timeout = std::chrono::seconds(10);
};

class Transport {
 public:
  // `service` provides the counters; `runner` runs commands. Both must outlive the Transport.
  Transport(commands::ServiceContext& service, CommandRunner& runner, TransportOptions options);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Sets up TLS (InvalidSSLConfiguration, 140, naming the file), then binds and listens on every
  // address ("Listening on" lines). Errors name the address.
  Status Listen();
  // Returns the port actually listened on (after Listen()).
  int port() const;
  // Runs `task` every `interval` on an io thread until shutdown (e.g. cursor reaping).
  // REQUIRES: called before Run().
  void AddPeriodicTask(std::chrono::milliseconds interval, std::function<void()> task);
  // Logs "Waiting for connections" and serves until Shutdown() completes.
  void Run();
  // Stops accepting and closes every connection; Run() then returns. Thread-safe, idempotent.
  void Shutdown();
  // Returns the number of open connections.
  int64_t connection_count() const;

  // Implementation detail, defined in transport.cpp (shared with its Session class).
  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace dds::server
