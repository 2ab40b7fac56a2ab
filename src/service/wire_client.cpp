#include "service/wire_client.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bson/bson.h"

namespace dds::service {
namespace {

constexpr int32_t kOpMsg = 2013;
constexpr int32_t kMaxReplyBytes = 48 * 1024 * 1024;

using Clock = std::chrono::steady_clock;

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

Status WaitFd(int fd, short events, Clock::time_point deadline) {
  while (true) {
    pollfd p{fd, events, 0};
    int rc = ::poll(&p, 1, RemainingMs(deadline));
    if (rc > 0) return Status::OK();
    if (rc == 0) return Status(ErrorCode::kNetworkTimeout, "hello timed out");
    if (errno != EINTR) return Status(ErrorCode::kHostUnreachable, std::strerror(errno));
  }
}

Status SendAll(int fd, const std::string& data, Clock::time_point deadline) {
  size_t off = 0;
  while (off < data.size()) {
    DDS_RETURN_IF_ERROR(WaitFd(fd, POLLOUT, deadline));
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Status(ErrorCode::kHostUnreachable, std::strerror(errno));
    }
    off += static_cast<size_t>(n);
  }
  return Status::OK();
}

Status RecvAll(int fd, char* buf, size_t len, Clock::time_point deadline) {
  size_t off = 0;
  while (off < len) {
    DDS_RETURN_IF_ERROR(WaitFd(fd, POLLIN, deadline));
    ssize_t n = ::recv(fd, buf + off, len - off, 0);
    if (n == 0) return Status(ErrorCode::kHostUnreachable, "connection closed by node");
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Status(ErrorCode::kHostUnreachable, std::strerror(errno));
    }
    off += static_cast<size_t>(n);
  }
  return Status::OK();
}

void PutInt32(std::string* out, int32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);  // little-endian hosts only (x86-64, aarch64)
  out->append(b, 4);
}

int32_t GetInt32(const char* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

bool FillAddr(const std::string& host, int port, sockaddr_in* addr) {
  std::memset(addr, 0, sizeof(*addr));
  addr->sin_family = AF_INET;
  addr->sin_port = htons(static_cast<uint16_t>(port));
  std::string h = host == "localhost" ? "127.0.0.1" : host;
  return ::inet_pton(AF_INET, h.c_str(), &addr->sin_addr) == 1;
}

}  // namespace

Status WireHello(const std::string& host, int port, int timeout_ms, std::string* reply_json) {
  static std::atomic<int32_t> next_request_id{1};
  Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  sockaddr_in addr;
  if (!FillAddr(host, port, &addr)) return Status(ErrorCode::kBadValue, "bad host " + host);
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status(ErrorCode::kHostUnreachable, std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) < 0) {
    if (errno != EINPROGRESS) return Status(ErrorCode::kHostUnreachable, std::strerror(errno));
    DDS_RETURN_IF_ERROR(WaitFd(fd, POLLOUT, deadline));
    int err = 0;
    socklen_t len = sizeof(err);
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return Status(ErrorCode::kHostUnreachable, std::strerror(err));
  }
  bson::BsonBuilder b;
  b.AppendInt32("hello", 1);
  b.AppendString("$db", "admin");
  std::string body = b.DoneBytes();
  std::string msg;
  PutInt32(&msg, static_cast<int32_t>(16 + 4 + 1 + body.size()));
  PutInt32(&msg, next_request_id.fetch_add(1));
  PutInt32(&msg, 0);
  PutInt32(&msg, kOpMsg);
  PutInt32(&msg, 0);    // flagBits
  msg.push_back('\0');  // section kind 0: the body
  msg += body;
  DDS_RETURN_IF_ERROR(SendAll(fd, msg, deadline));

  char header[16];
  DDS_RETURN_IF_ERROR(RecvAll(fd, header, 16, deadline));
  int32_t total = GetInt32(header);
  if (total < 16 + 5 + 5 || total > kMaxReplyBytes) {
    return Status(ErrorCode::kProtocolError, "bad reply length");
  }
  if (GetInt32(header + 12) != kOpMsg) return Status(ErrorCode::kProtocolError, "reply not OP_MSG");
  std::string rest(static_cast<size_t>(total - 16), '\0');
  DDS_RETURN_IF_ERROR(RecvAll(fd, rest.data(), rest.size(), deadline));
  if (rest[4] != '\0') return Status(ErrorCode::kProtocolError, "reply section is not kind 0");
  const char* doc = rest.data() + 5;
  size_t avail = rest.size() - 5;
  size_t doc_size = 0;
  DDS_RETURN_IF_ERROR(bson::ValidateBson(doc, avail, 100, &doc_size));
  bson::BsonView reply(doc);
  if (reply_json) *reply_json = reply.ToJson();
  bson::BsonElement ok = reply["ok"];
  if (ok.eoo() || !ok.TrueValue()) {
    bson::BsonElement errmsg = reply["errmsg"];
    return Status(
        ErrorCode::kCommandFailed,
        "hello failed: " + (errmsg.eoo() ? reply.ToJson() : std::string(errmsg.String())));
  }
  return Status::OK();
}

bool PortIsFree(const std::string& host, int port) {
  sockaddr_in addr;
  if (!FillAddr(host, port, &addr)) return false;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

}  // namespace dds::service
