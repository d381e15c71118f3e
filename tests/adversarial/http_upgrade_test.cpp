// Malformed and hostile HTTP upgrade requests over a real socket: every one is
// answered with an HTTP error and `Connection: close`, the server then closes
// the connection, and it keeps serving well-behaved clients.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

constexpr int kIoTimeoutSeconds = 10;

std::uint16_t port_of(const std::string& url) {
  auto colon = url.rfind(':');
  return static_cast<std::uint16_t>(std::stoi(url.substr(colon + 1, url.find('/', colon) - colon)));
}

/// What the server sent, and how the connection ended.
struct Reply {
  enum class End { kEof, kReset, kTimeout };
  std::string data;
  End end = End::kTimeout;

  int status() const {
    if (data.rfind("HTTP/1.1 ", 0) != 0 || data.size() < 12) return -1;
    return std::stoi(data.substr(9, 3));
  }
  bool says_close() const {
    auto head = data.substr(0, data.find("\r\n\r\n") + 2);
    return head.find("\r\nConnection: close\r\n") != std::string::npos;
  }
};

/// A plain TCP connection speaking raw HTTP. Writes go through a thread so that a
/// server that stops reading (and closes) cannot block the reads.
class RawHttp {
 public:
  explicit RawHttp(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{.tv_sec = kIoTimeoutSeconds, .tv_usec = 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawHttp() {
    if (writer_.joinable()) writer_.join();
    ::close(fd_);
  }
  bool connected() const { return connected_; }

  /// Sends `request` (then, with `end`, shuts the write side) on the writer thread;
  /// a send error (the server closed) ends the writing.
  void send(std::string request, bool end = true) {
    writer_ = std::thread([this, request = std::move(request), end] {
      std::size_t at = 0;
      while (at < request.size()) {
        auto n = ::send(fd_, request.data() + at, request.size() - at, MSG_NOSIGNAL);
        if (n <= 0) return;
        at += static_cast<std::size_t>(n);
      }
      if (end) ::shutdown(fd_, SHUT_WR);
    });
  }

  /// Reads until the server closes (EOF or reset) or a read times out.
  Reply read_to_close() {
    Reply r;
    char buf[16384];
    for (;;) {
      auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n > 0) {
        r.data.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0)
        r.end = Reply::End::kEof;
      else if (errno == ECONNRESET || errno == EPIPE)
        r.end = Reply::End::kReset;
      else
        r.end = Reply::End::kTimeout;
      return r;
    }
  }

  /// Reads up to the end of the response head.
  std::string read_head() {
    std::string data;
    char c;
    while (data.find("\r\n\r\n") == std::string::npos && ::recv(fd_, &c, 1, 0) == 1)
      data.push_back(c);
    return data;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::thread writer_;
};

std::string upgrade_request(const std::string& host, const std::string& extra = {},
                            const std::string& target = "/arcp") {
  return "GET " + target + " HTTP/1.1\r\nHost: " + host +
         "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
         extra + "\r\n";
}

/// A hostile request, the status it must get, and whether it is so large that the
/// server may reset rather than finish reading it once it has answered.
struct Hostile {
  std::string name;
  std::string request;
  int status;
  bool huge = false;
};

std::vector<Hostile> hostile_requests(std::uint16_t port) {
  std::string host = "127.0.0.1:" + std::to_string(port);
  std::string two_thousand;
  for (int i = 0; i < 2000; ++i) two_thousand += "X-H" + std::to_string(i) + ": v\r\n";
  std::string ten_mb_body(10 * 1024 * 1024, 'b');
  return {
      {"9 KiB header", upgrade_request(host, "X-Pad: " + std::string(9 * 1024, 'a') + "\r\n"), 431},
      {"1 MiB header", upgrade_request(host, "X-Pad: " + std::string(1024 * 1024, 'a') + "\r\n"),
       431, true},
      {"2,000 headers", upgrade_request(host, two_thousand), 431},
      // Beast limits the request line and the fields separately; their sum is capped too.
      {"4 KiB URL + 6 KiB fields",
       upgrade_request(host, "X-Pad: " + std::string(6 * 1024, 'a') + "\r\n",
                       "/arcp?" + std::string(4 * 1024, 'q')),
       431},
      {"100 KiB URL", upgrade_request(host, {}, "/arcp?" + std::string(100 * 1024, 'q')), 414},
      {"10 MiB body",
       upgrade_request(host, "Content-Length: " + std::to_string(ten_mb_body.size()) + "\r\n") +
           ten_mb_body,
       413, true},
      {"chunked body",
       upgrade_request(host, "Transfer-Encoding: chunked\r\n") + "5\r\nhello\r\n0\r\n\r\n", 413},
      {"two Host headers", upgrade_request(host, "Host: evil.com\r\n"), 400},
      {"two identical Host headers", upgrade_request(host, "Host: " + host + "\r\n"), 400},
      {"userinfo in Host", upgrade_request("localhost:80@evil.com"), 400},
      {"fragment in Host", upgrade_request("evil.com#@localhost"), 400},
      {"port out of range", upgrade_request("localhost:99999"), 400},
      {"empty Host", upgrade_request(""), 400},
      {"no Host",
       "GET /arcp HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
       400},
      {"malformed request line", "GET  /arcp HTTP/9.9\r\nHost: " + host + "\r\n\r\n", 400},
      {"foreign Host", upgrade_request("evil.com:" + std::to_string(port)), 403},
      {"foreign Origin", upgrade_request(host, "Origin: http://evil.com\r\n"), 403},
      {"Origin: null", upgrade_request(host, "Origin: null\r\n"), 403},
      {"Origin with a path", upgrade_request(host, "Origin: http://localhost/x\r\n"), 403},
      {"two Origins",
       upgrade_request(host, "Origin: http://localhost\r\nOrigin: http://evil.com\r\n"), 403},
  };
}

/// Sends `h` on a new connection; expects its status, `Connection: close` and a
/// close by the server.
void expect_refused(std::uint16_t port, const Hostile& h) {
  SCOPED_TRACE(h.name);
  RawHttp conn(port);
  ASSERT_TRUE(conn.connected());
  conn.send(h.request);
  Reply r = conn.read_to_close();
  EXPECT_EQ(r.status(), h.status) << r.data.substr(0, 200);
  EXPECT_TRUE(r.says_close()) << r.data.substr(0, 200);
  if (h.huge)
    // The server stops reading after a bounded time; if the peer is still
    // sending then, the close may arrive as a reset.
    EXPECT_NE(r.end, Reply::End::kTimeout);
  else
    EXPECT_EQ(r.end, Reply::End::kEof);
}

class HttpUpgrade : public ::testing::Test {
 protected:
  TestRuntime rt_;
  std::uint16_t port_ = port_of(rt_.websocket_url());

  std::vector<Hostile> hostile_ = hostile_requests(port_);

  const Hostile& find(const std::string& name) const {
    for (const auto& h : hostile_)
      if (h.name == name) return h;
    throw std::runtime_error("no hostile request " + name);
  }
};

TEST_F(HttpUpgrade, HeaderOver8KiBIs431) {
  expect_refused(port_, find("9 KiB header"));
}
TEST_F(HttpUpgrade, OneMiBHeaderIs431) {
  expect_refused(port_, find("1 MiB header"));
}
TEST_F(HttpUpgrade, TwoThousandHeadersIs431) {
  expect_refused(port_, find("2,000 headers"));
}
TEST_F(HttpUpgrade, RequestLinePlusFieldsOver8KiBIs431) {
  expect_refused(port_, find("4 KiB URL + 6 KiB fields"));
}
TEST_F(HttpUpgrade, HundredKiBUrlIs414) {
  expect_refused(port_, find("100 KiB URL"));
}
TEST_F(HttpUpgrade, TenMiBBodyIs413) {
  expect_refused(port_, find("10 MiB body"));
}
TEST_F(HttpUpgrade, ChunkedBodyIs413) {
  expect_refused(port_, find("chunked body"));
}
TEST_F(HttpUpgrade, ConformanceT02_TwoHostHeadersAre400) {
  expect_refused(port_, find("two Host headers"));
  expect_refused(port_, find("two identical Host headers"));
}
TEST_F(HttpUpgrade, MalformedHostOrRequestIs400) {
  for (auto name : {"userinfo in Host", "fragment in Host", "port out of range", "empty Host",
                    "no Host", "malformed request line"})
    expect_refused(port_, find(name));
}
TEST_F(HttpUpgrade, ConformanceT02_ForeignHostOrOriginIs403) {
  for (auto name :
       {"foreign Host", "foreign Origin", "Origin: null", "Origin with a path", "two Origins"})
    expect_refused(port_, find(name));
}

TEST_F(HttpUpgrade, AllowedOriginAndLargeButLegalHeaderSwitchProtocols) {
  std::string host = "127.0.0.1:" + std::to_string(port_);
  std::string origin = "Origin: http://localhost:" + std::to_string(port_) + "\r\n";
  // Request line and fields together just under 8 KiB.
  std::string base = upgrade_request(host, origin + "X-Pad: \r\n");
  std::string near_limit =
      upgrade_request(host, origin + "X-Pad: " + std::string(8000 - base.size(), 'a') + "\r\n");
  ASSERT_LT(near_limit.size(), 8 * 1024U);
  for (const auto& request : {upgrade_request(host, origin), near_limit}) {
    RawHttp conn(port_);
    ASSERT_TRUE(conn.connected());
    conn.send(request, /*end=*/false);
    std::string head = conn.read_head();
    EXPECT_EQ(head.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0U) << head;
    EXPECT_NE(head.find("\r\nUpgrade: websocket\r\n"), std::string::npos) << head;
  }
}

TEST_F(HttpUpgrade, ServesClientsAfterEveryRefusal) {
  for (const auto& h : hostile_) expect_refused(port_, h);
  // Several at once, too.
  {
    std::vector<std::thread> threads;
    for (const auto& h : hostile_) threads.emplace_back([&, this] { expect_refused(port_, h); });
    for (auto& t : threads) t.join();
  }
  auto client = Client::connect(rt_.websocket_url(), ClientOptions{.token = "alice-token"});
  ASSERT_TRUE(client) << client.error().describe();
  auto job = (*client)->submit({.agent = "echo", .input = "still here"});
  ASSERT_TRUE(job) << job.error().describe();
  auto result = job->result();
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_EQ(result.value(), "still here");
}

}  // namespace
}  // namespace arcp::test
