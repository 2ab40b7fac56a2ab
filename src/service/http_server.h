// HttpServer: the HTTP/1.1 listener of dds-service on Boost.Beast. Keep-alive connections, a time
// limit per request (slow partial requests are cut off), a body limit checked from Content-Length
// before reading and counted for chunked bodies (413 APIG.0201), handler work on a worker pool so
// slow operations never stall the I/O threads, and graceful shutdown: on SIGTERM/SIGINT the
// service answers 503 + Retry-After while in-flight requests and jobs drain, then stops.
//
// Run() blocks the calling thread until shutdown; the other methods are thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "common/status.h"
#include "service/service_state.h"

namespace dds::service {

class HttpServer {
 public:
  explicit HttpServer(ServiceState* state);
  ~HttpServer();

  // Binds the listener (config listen_host:listen_port; port 0 picks a free one).
  Status Listen();
  // Returns the bound port (after Listen).
  int port() const { return port_; }
  // Serves until a signal arrives and draining finishes (or Shutdown() is called).
  void Run();
  // Starts draining as a signal would.
  void Shutdown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ServiceState* state_;
  int port_ = 0;
};

}  // namespace dds::service
