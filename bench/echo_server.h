#pragma once
// In-process loopback TCP echo server used as the baseline of dds_bench: it reads a wire-framed
// request (int32 little-endian total length first, like a MongoDB message header) and answers with a
// reply of a fixed size, so one round trip moves the same bytes as a find by _id against ddsd.
// One thread per connection, blocking I/O, TCP_NODELAY: the cheapest honest server.

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace dds::bench {

class EchoServer {
 public:
  explicit EchoServer(int reply_size);
  ~EchoServer();

  // Listens on 127.0.0.1:0; returns the port (0 on failure).
  int Start();
  void Stop();

 private:
  void AcceptLoop();
  void Serve(int fd);

  int reply_size_;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::vector<std::thread> workers_;
  std::vector<int> client_fds_;
};

// A blocking client connection for the echo baseline: Connect, then RoundTrip sends `request_size`
// bytes framed with a length prefix and reads one framed reply.
class EchoClient {
 public:
  bool Connect(int port);
  bool RoundTrip(int request_size);
  ~EchoClient();

 private:
  int fd_ = -1;
  std::vector<char> buf_;
};

}  // namespace dds::bench
