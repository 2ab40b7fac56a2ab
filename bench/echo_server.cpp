#include "echo_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace dds::bench {
namespace {

bool ReadFull(int fd, char* p, size_t n) {
  while (n > 0) {
    ssize_t r = ::recv(fd, p, n, 0);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

bool WriteFull(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t r = ::send(fd, p, n, MSG_NOSIGNAL);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

// Reads one length-prefixed message into buf; returns false on EOF or a bad length.
bool ReadMessage(int fd, std::vector<char>* buf) {
  int32_t len = 0;
  if (!ReadFull(fd, reinterpret_cast<char*>(&len), 4)) return false;
  if (len < 4 || len > (64 << 20)) return false;
  buf->resize(static_cast<size_t>(len));
  std::memcpy(buf->data(), &len, 4);
  return ReadFull(fd, buf->data() + 4, static_cast<size_t>(len) - 4);
}

void SetNoDelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

EchoServer::EchoServer(int reply_size) : reply_size_(reply_size) {}

EchoServer::~EchoServer() { Stop(); }

int EchoServer::Start() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listen_fd_ < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 128) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return 0;
  }
  acceptor_ = std::thread([this] { AcceptLoop(); });
  return ntohs(addr.sin_port);
}

void EchoServer::Stop() {
  if (stopping_.exchange(true)) return;
  if (listen_fd_ >= 0) {
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
  }
  if (acceptor_.joinable()) acceptor_.join();
  for (int fd : client_fds_) ::shutdown(fd, SHUT_RDWR);
  for (auto& t : workers_) t.join();
  for (int fd : client_fds_) ::close(fd);
}

void EchoServer::AcceptLoop() {
  while (!stopping_) {
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    SetNoDelay(fd);
    client_fds_.push_back(fd);
    workers_.emplace_back([this, fd] { Serve(fd); });
  }
}

void EchoServer::Serve(int fd) {
  std::vector<char> in;
  std::vector<char> out(static_cast<size_t>(reply_size_), 'r');
  int32_t len = reply_size_;
  std::memcpy(out.data(), &len, 4);
  while (ReadMessage(fd, &in)) {
    if (!WriteFull(fd, out.data(), out.size())) return;
  }
}

bool EchoClient::Connect(int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return false;
  SetNoDelay(fd_);
  return true;
}

bool EchoClient::RoundTrip(int request_size) {
  buf_.assign(static_cast<size_t>(request_size), 'q');
  int32_t len = request_size;
  std::memcpy(buf_.data(), &len, 4);
  if (!WriteFull(fd_, buf_.data(), buf_.size())) return false;
  return ReadMessage(fd_, &buf_);
}

EchoClient::~EchoClient() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace dds::bench
