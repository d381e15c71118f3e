#include "support/raw_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>

namespace arcp::test {
namespace {

int remaining_ms(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

std::optional<RawSocket> RawSocket::connect(const std::string& ws_url) {
  // ws://HOST:PORT/path
  auto start = ws_url.find("://");
  if (start == std::string::npos) return std::nullopt;
  std::string rest = ws_url.substr(start + 3);
  std::string host_port = rest.substr(0, rest.find('/'));
  auto colon = host_port.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  std::string host = host_port.substr(0, colon);
  int port = std::stoi(host_port.substr(colon + 1));
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  RawSocket s(fd);
  s.host_port_ = host_port;
  return std::optional<RawSocket>(std::move(s));
}

RawSocket::RawSocket(RawSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      buf_(std::move(other.buf_)),
      host_port_(std::move(other.host_port_)) {}

RawSocket::~RawSocket() {
  close();
}

void RawSocket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void RawSocket::small_send_buffer() {
  int size = 16 * 1024;
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
}

bool RawSocket::send_all(std::string_view bytes, std::chrono::milliseconds stall,
                         std::size_t* sent) {
  while (!bytes.empty()) {
    pollfd p{fd_, POLLOUT, 0};
    int rc = ::poll(&p, 1, static_cast<int>(stall.count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) return false;  // the peer has not taken anything for `stall`
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
    if (sent) *sent += static_cast<std::size_t>(n);
  }
  return true;
}

long RawSocket::read_chunk(std::chrono::steady_clock::time_point deadline, std::string& out) {
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    int rc = ::poll(&p, 1, remaining_ms(deadline));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) return -2;  // timed out
    char chunk[64 * 1024];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n > 0) out.append(chunk, static_cast<std::size_t>(n));
    return n;
  }
}

bool RawSocket::fill(std::chrono::steady_clock::time_point deadline) {
  return read_chunk(deadline, buf_) > 0;
}

bool RawSocket::upgrade(const std::string& path) {
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: " + host_port_ +
                    "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    "Sec-WebSocket-Version: 13\r\n\r\n";
  if (!send_all(req, std::chrono::seconds(10))) return false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::size_t end;
  while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
    if (!fill(deadline)) return false;
  bool ok = buf_.rfind("HTTP/1.1 101", 0) == 0;
  buf_.erase(0, end + 4);
  return ok;
}

std::string RawSocket::text_frame(std::string_view payload) {
  std::string f;
  f.push_back(static_cast<char>(0x81));
  std::size_t n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xFFFF) {
    f.push_back(static_cast<char>(0x80 | 126));
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n & 0xFF));
  } else {
    f.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i) f.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  }
  const char mask[4] = {0x12, 0x34, 0x56, 0x78};
  f.append(mask, 4);
  for (std::size_t i = 0; i < n; ++i) f.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
  return f;
}

std::optional<std::string> RawSocket::next_message(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (buf_.size() >= 2) {
      auto b0 = static_cast<unsigned char>(buf_[0]);
      auto b1 = static_cast<unsigned char>(buf_[1]);
      std::size_t len = b1 & 0x7F;
      std::size_t head = 2;
      if (len == 126 && buf_.size() >= 4) {
        len = (static_cast<unsigned char>(buf_[2]) << 8) | static_cast<unsigned char>(buf_[3]);
        head = 4;
      } else if (len == 127 && buf_.size() >= 10) {
        len = 0;
        for (int i = 0; i < 8; ++i) len = (len << 8) | static_cast<unsigned char>(buf_[2 + i]);
        head = 10;
      } else if (len >= 126) {
        head = 0;  // extended length not here yet
      }
      if (head != 0 && buf_.size() >= head + len) {
        std::string payload = buf_.substr(head, len);
        buf_.erase(0, head + len);
        unsigned opcode = b0 & 0x0F;
        if (opcode == 0x8) return std::nullopt;  // close
        if (opcode == 0x1) return payload;
        continue;  // ping/pong: not ours to assert
      }
    }
    if (!fill(deadline)) return std::nullopt;
  }
}

bool RawSocket::wait_closed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string ignored;
  for (;;) {
    long n = read_chunk(deadline, ignored);
    ignored.clear();
    if (n == 0 || n == -1) return true;  // EOF, or reset by the peer
    if (n == -2) return false;
  }
}

}  // namespace arcp::test
