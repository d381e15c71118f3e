// The `net.fetch` HTTP(S) client against a real local server (plain Asio,
// so the server's bytes are exactly what each test writes).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/test_support.hpp"
#include "transport/http_client.hpp"

namespace arcp::test {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using transport::async_http_fetch;
using transport::http_fetch;
using namespace std::chrono_literals;

constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);
const std::string kCertFile = std::string(ARCP_TEST_DATA_DIR) + "/test-cert.pem";
const std::string kKeyFile = std::string(ARCP_TEST_DATA_DIR) + "/test-key.pem";

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// A request as the server read it; header names lower-cased.
struct Received {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::string header(const std::string& name) const {
    for (const auto& [n, v] : headers)
      if (n == lower(name)) return v;
    return {};
  }
};

Received parse_head(const std::string& head) {
  Received r;
  auto line_end = head.find("\r\n");
  auto first = head.substr(0, line_end);
  auto sp1 = first.find(' ');
  auto sp2 = first.find(' ', sp1 + 1);
  r.method = first.substr(0, sp1);
  r.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
  std::size_t pos = line_end + 2;
  while (pos < head.size()) {
    auto end = head.find("\r\n", pos);
    if (end == std::string::npos || end == pos) break;
    auto line = head.substr(pos, end - pos);
    auto colon = line.find(':');
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    r.headers.emplace_back(lower(line.substr(0, colon)), value);
    pos = end + 2;
  }
  return r;
}

// Literals stay out of the server's coroutines: GCC 12 rejects some of them
// there ("array used as initializer").
constexpr std::string_view kEndOfHead = "\r\n\r\n";

std::size_t content_length(const Received& r) {
  auto value = r.header("content-length");
  return value.empty() ? 0 : std::stoul(value);
}

/// The server's answer to a request: raw bytes, or nullopt to hold the
/// connection open without ever answering.
using Responder = std::function<std::optional<std::string>(const Received&)>;

std::string response(int status, const std::string& reason, const std::string& body,
                     const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n";
  for (const auto& [n, v] : headers) out += n + ": " + v + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return out;
}

std::string chunked_response(const std::vector<std::string>& chunks) {
  std::string out = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const auto& c : chunks) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx", c.size());
    out += std::string(size) + "\r\n" + c + "\r\n";
  }
  return out + "0\r\n\r\n";
}

/// One HTTP/1.1 exchange per connection on `address`:0, plain or TLS with
/// the test certificate (CN/SAN localhost, 127.0.0.1), served on its own thread.
class TestHttpServer {
 public:
  explicit TestHttpServer(Responder responder, bool tls = false,
                          const std::string& address = "127.0.0.1")
      : responder_(std::move(responder)), acceptor_(ioc_) {
    if (tls) {
      tls_.emplace(ssl::context::tls_server);
      tls_->use_certificate_chain_file(kCertFile);
      tls_->use_private_key_file(kKeyFile, ssl::context::pem);
    }
    tcp::endpoint endpoint(net::ip::make_address(address), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    net::co_spawn(ioc_, accept_loop(), net::detached);
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~TestHttpServer() {
    ioc_.stop();
    thread_.join();
  }

  std::uint16_t port() const { return port_; }
  int connections() const { return connections_.load(); }

  /// The next request the server has read, in arrival order.
  std::optional<Received> next_request(std::chrono::milliseconds timeout = kWait) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return !received_.empty(); })) return std::nullopt;
    auto r = std::move(received_.front());
    received_.pop_front();
    return r;
  }

 private:
  net::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kUseTuple);
      if (ec) co_return;
      ++connections_;
      net::co_spawn(ioc_, serve(std::move(socket)), net::detached);
    }
  }

  net::awaitable<void> serve(tcp::socket socket) {
    if (!tls_) {
      co_await talk(socket);
      co_return;
    }
    ssl::stream<tcp::socket> stream(std::move(socket), *tls_);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, kUseTuple);
    if (!ec) co_await talk(stream);
  }

  template <class Stream>
  net::awaitable<void> talk(Stream& stream) {
    std::string buf;
    auto [ec, n] =
        co_await net::async_read_until(stream, net::dynamic_buffer(buf), kEndOfHead, kUseTuple);
    if (ec) co_return;
    Received r = parse_head(buf.substr(0, n));
    buf.erase(0, n);
    auto length = content_length(r);
    if (buf.size() < length) {
      auto [bec, m] = co_await net::async_read(
          stream, net::dynamic_buffer(buf), net::transfer_exactly(length - buf.size()), kUseTuple);
      if (bec) co_return;
    }
    r.body = buf.substr(0, length);
    auto reply = responder_(r);
    {
      std::lock_guard lock(mu_);
      received_.push_back(std::move(r));
    }
    cv_.notify_all();
    if (!reply) {  // hold: wait for the client to go away
      char c;
      co_await stream.async_read_some(net::buffer(&c, 1), kUseTuple);
      co_return;
    }
    co_await net::async_write(stream, net::buffer(*reply), kUseTuple);
  }

  Responder responder_;
  std::optional<ssl::context> tls_;  // outlives the streams the io_context still holds
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Received> received_;
};

std::optional<std::string> hold(const Received&) {
  return std::nullopt;
}

std::string header_of(const FetchResponse& r, const std::string& name) {
  for (const auto& [n, v] : r.headers)
    if (lower(n) == lower(name)) return v;
  return {};
}

std::string url(const TestHttpServer& server, const std::string& path = "/",
                const std::string& scheme = "http", const std::string& host = "127.0.0.1") {
  return scheme + "://" + host + ":" + std::to_string(server.port()) + path;
}

/// The awaitable form on a single-threaded io_context run by this thread.
Result<FetchResponse> await_fetch(FetchRequest request, std::stop_token stop = {}) {
  net::io_context ioc;
  std::optional<Result<FetchResponse>> out;
  net::co_spawn(
      ioc,
      [&]() -> net::awaitable<void> {
        out.emplace(co_await async_http_fetch(std::move(request), stop));
      },
      net::detached);
  ioc.run();
  if (!out) return Error(ErrorCode::kInternalError, "no outcome");
  return std::move(*out);
}

using Fetcher = Result<FetchResponse> (*)(FetchRequest, std::stop_token);
Result<FetchResponse> blocking_fetch(FetchRequest request, std::stop_token stop) {
  return http_fetch(request, std::move(stop));
}

/// Runs a test body with both forms of the client.
class HttpFetchBoth : public ::testing::TestWithParam<Fetcher> {
 protected:
  Result<FetchResponse> fetch(FetchRequest request, std::stop_token stop = {}) {
    return GetParam()(std::move(request), std::move(stop));
  }
};

INSTANTIATE_TEST_SUITE_P(HttpFetch, HttpFetchBoth, ::testing::Values(&blocking_fetch, &await_fetch),
                         [](const auto& info) {
                           return std::string(info.index == 0 ? "Blocking" : "Awaitable");
                         });

TEST_P(HttpFetchBoth, GetReturnsStatusHeadersAndBody) {
  TestHttpServer server([](const Received&) {
    return response(200, "OK", "hello", {{"X-Test", "yes"}, {"Content-Type", "text/plain"}});
  });
  FetchRequest request{.url = url(server, "/path/x?q=1&r=two#frag")};
  request.headers = {{"X-Custom", "value 1"}, {"Accept", "text/plain"}};
  auto r = fetch(request);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(header_of(*r, "X-Test"), "yes");
  EXPECT_EQ(header_of(*r, "Content-Type"), "text/plain");

  auto seen = server.next_request();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->method, "GET");
  EXPECT_EQ(seen->target, "/path/x?q=1&r=two");  // the fragment stays with the client
  EXPECT_EQ(seen->header("Host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(seen->header("User-Agent"), "arcp-cpp");
  EXPECT_EQ(seen->header("X-Custom"), "value 1");
  EXPECT_EQ(seen->header("Accept"), "text/plain");
  EXPECT_EQ(seen->header("Content-Length"), "");  // no body, no length
}

TEST_P(HttpFetchBoth, PostSendsTheBodyWithItsLength) {
  TestHttpServer server([](const Received& r) {
    return response(201, "Created", r.body, {{"X-Method", r.method}});
  });
  FetchRequest request{.url = url(server, "/echo"), .method = "POST", .body = "{\"a\":1}"};
  request.headers = {{"Content-Type", "application/json"}, {"User-Agent", "agent/1"}};
  auto r = fetch(request);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "{\"a\":1}");
  EXPECT_EQ(header_of(*r, "X-Method"), "POST");
  auto seen = server.next_request();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->header("Content-Length"), "7");
  EXPECT_EQ(seen->header("Content-Type"), "application/json");
  EXPECT_EQ(seen->header("User-Agent"), "agent/1");  // the request's own replaces ours
}

TEST_P(HttpFetchBoth, ChunkedResponseIsAssembled) {
  TestHttpServer server([](const Received&) {
    return chunked_response({"first,", std::string(1000, 'x'), ",last"});
  });
  auto r = fetch({.url = url(server)});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "first," + std::string(1000, 'x') + ",last");
}

TEST_P(HttpFetchBoth, RedirectIsReturnedNotFollowed) {
  TestHttpServer server([](const Received& r) -> std::optional<std::string> {
    if (r.target == "/elsewhere") return response(200, "OK", "followed");
    return response(302, "Found", "moved", {{"Location", "/elsewhere"}});
  });
  auto r = fetch({.url = url(server, "/start")});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->body, "moved");
  EXPECT_EQ(header_of(*r, "Location"), "/elsewhere");
  // Following would have needed a second exchange before returning.
  EXPECT_EQ(server.connections(), 1);
}

TEST_P(HttpFetchBoth, HeadReadsNoBody) {
  TestHttpServer server([](const Received&) {
    return std::string("HTTP/1.1 200 OK\r\nContent-Length: 12345\r\n\r\n");
  });
  auto r = fetch({.url = url(server), .method = "HEAD"});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "");
}

TEST_P(HttpFetchBoth, BodyAtTheCapIsReturned) {
  TestHttpServer server(
      [](const Received&) { return response(200, "OK", std::string(1024, 'b')); });
  auto r = fetch({.url = url(server), .max_body_bytes = 1024});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->body.size(), 1024u);
}

void expect_over_cap(const Result<FetchResponse>& r, std::size_t cap) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternalError);
  EXPECT_EQ(r.error().message, "response body exceeds " + std::to_string(cap) + " bytes");
  EXPECT_EQ(get_int(r.error().details, "cap"), static_cast<std::int64_t>(cap));
  auto* limit = get_string(r.error().details, "limit");
  ASSERT_NE(limit, nullptr);
  EXPECT_EQ(*limit, "max_body_bytes");
}

TEST_P(HttpFetchBoth, BodyOverTheCapFails) {
  TestHttpServer server(
      [](const Received&) { return response(200, "OK", std::string(4096, 'b')); });
  expect_over_cap(fetch({.url = url(server), .max_body_bytes = 1024}), 1024);
}

TEST_P(HttpFetchBoth, ChunkedBodyOverTheCapFails) {
  // No Content-Length: the cap is only crossed while the chunks stream in.
  TestHttpServer server([](const Received&) {
    return chunked_response(std::vector<std::string>(8, std::string(512, 'c')));
  });
  expect_over_cap(fetch({.url = url(server), .max_body_bytes = 1024}), 1024);
}

TEST_P(HttpFetchBoth, SilentServerTimesOut) {
  TestHttpServer server(hold);
  auto start = std::chrono::steady_clock::now();
  auto r = fetch({.url = url(server), .timeout = 200ms});
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
  EXPECT_EQ(r.error().message, "fetch timed out after 200 ms");
  EXPECT_EQ(get_int(r.error().details, "timeout_ms"), 200);
  EXPECT_GE(elapsed, 190ms);
  EXPECT_LT(elapsed, 5s);
}

TEST_P(HttpFetchBoth, HandshakeWithASilentServerTimesOut) {
  TestHttpServer server(hold);  // plain TCP: never answers the ClientHello
  auto r = fetch({.url = url(server, "/", "https"), .timeout = 200ms, .ca_file = kCertFile});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
}

TEST_P(HttpFetchBoth, StopBeforeStartCancelsWithoutConnecting) {
  TestHttpServer server([](const Received&) { return response(200, "OK", "no"); });
  std::stop_source source;
  source.request_stop();
  auto r = fetch({.url = url(server)}, source.get_token());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(r.error().message, "fetch cancelled");
  EXPECT_EQ(server.connections(), 0);
}

TEST_P(HttpFetchBoth, StopFromAnotherThreadCancelsPromptly) {
  TestHttpServer server(hold);
  std::stop_source source;
  auto pending = std::async(std::launch::async, [&] {
    return fetch({.url = url(server), .timeout = 60s}, source.get_token());
  });
  ASSERT_TRUE(server.next_request());  // the request is in; its answer never comes
  auto start = std::chrono::steady_clock::now();
  source.request_stop();
  ASSERT_EQ(pending.wait_for(kWait), std::future_status::ready);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  auto r = pending.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(r.error().message, "fetch cancelled");
}

TEST_P(HttpFetchBoth, HttpsWithTheTestCaSucceeds) {
  TestHttpServer server([](const Received&) { return response(200, "OK", "secure"); }, true);
  for (const std::string host : {"localhost", "127.0.0.1"}) {  // the cert names both
    auto r = fetch({.url = url(server, "/s", "https", host), .ca_file = kCertFile});
    ASSERT_TRUE(r.ok()) << host << ": " << r.error().describe();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "secure");
  }
  auto seen = server.next_request();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->header("Host"), "localhost:" + std::to_string(server.port()));
}

TEST_P(HttpFetchBoth, HttpsWithoutTheCaFailsVerification) {
  TestHttpServer server([](const Received&) { return response(200, "OK", "secure"); }, true);
  auto r = fetch({.url = url(server, "/", "https", "localhost")});  // system store only
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternalError);
  EXPECT_TRUE(r.error().retryable);
  EXPECT_NE(r.error().message.find("fetch failed: TLS handshake with localhost"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("certificate verify failed"), std::string::npos)
      << r.error().message;
  EXPECT_NE(get_string(r.error().details, "reason"), nullptr);
  EXPECT_EQ(server.connections(), 1);
}

TEST_P(HttpFetchBoth, HttpsHostNameMismatchFails) {
  // The CA is trusted, but the cert names localhost and 127.0.0.1, not 127.0.0.2.
  TestHttpServer server([](const Received&) { return response(200, "OK", "secure"); }, true,
                        "127.0.0.2");
  auto r = fetch({.url = url(server, "/", "https", "127.0.0.2"), .ca_file = kCertFile});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternalError);
  EXPECT_NE(r.error().message.find("fetch failed: TLS handshake with 127.0.0.2"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("certificate verify failed"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(server.connections(), 1);  // it was reached, and refused
}

TEST_P(HttpFetchBoth, UnreadableCaFileIsInvalid) {
  TestHttpServer server([](const Received&) { return response(200, "OK", "secure"); }, true);
  auto r = fetch({.url = url(server, "/", "https", "localhost"),
                  .ca_file = std::string(ARCP_TEST_DATA_DIR) + "/no-such-ca.pem"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
}

TEST(HttpFetch, BadUrlsAndRequestsAreInvalid) {
  const std::vector<std::string> urls = {"ftp://localhost/x",
                                         "ws://localhost/",
                                         "file:///etc/passwd",
                                         "not a url",
                                         "http://",
                                         "http:///path",
                                         "//localhost/",
                                         "http://[::1",
                                         "http://h:99999/",
                                         "http://h:x/",
                                         "http://user:pw@localhost/",
                                         "http://evil%00.localhost/",
                                         "http://a%2Fb/"};
  for (const auto& u : urls) {
    for (Fetcher f : {&blocking_fetch, &await_fetch}) {
      auto r = f({.url = u}, {});
      ASSERT_FALSE(r.ok()) << u;
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest) << u << ": " << r.error().describe();
      EXPECT_FALSE(r.error().retryable) << u;
    }
  }
  std::vector<FetchRequest> requests = {
      {.url = "http://127.0.0.1:1/", .method = "GET /x HTTP/1.1\r\nHost: y\r\n\r\nGET"},
      {.url = "http://127.0.0.1:1/", .headers = {{"X-Inject", "a\r\nHost: evil"}}},
      {.url = "http://127.0.0.1:1/", .headers = {{"Bad Name", "v"}}},
      {.url = "http://127.0.0.1:1/", .headers = {{"host", "other.example"}}},
      {.url = "http://127.0.0.1:1/", .headers = {{"Content-Length", "3"}}},
      {.url = "http://127.0.0.1:1/", .headers = {{"Transfer-Encoding", "chunked"}}},
      {.url = "http://127.0.0.1:1/", .timeout = 0ms},
  };
  for (const auto& request : requests) {
    auto r = http_fetch(request);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest) << r.error().describe();
    EXPECT_EQ(r.error().message.find("evil"), std::string::npos);
  }
}

TEST(HttpFetch, FailuresNeverEchoSecrets) {
  std::uint16_t closed_port;
  {
    net::io_context ioc;
    tcp::acceptor probe(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    closed_port = probe.local_endpoint().port();
  }  // nothing listens there now
  FetchRequest request{.url = "http://127.0.0.1:" + std::to_string(closed_port) + "/p?key=s3cret",
                       .method = "POST",
                       .headers = {{"Authorization", "Bearer s3cret-token"}},
                       .body = "s3cret-body"};
  auto r = http_fetch(request);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternalError);
  EXPECT_TRUE(r.error().retryable);
  EXPECT_NE(r.error().message.find("fetch failed: cannot connect to 127.0.0.1"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(r.error().describe().find("s3cret"), std::string::npos) << r.error().describe();
  EXPECT_EQ(json::serialize(r.error().to_json()).find("s3cret"), std::string::npos);
}

TEST(HttpFetch, AwaitableLeavesItsThreadFreeAndStopsFromTheSameThread) {
  // One thread runs both the pending fetch and the coroutine that stops it:
  // the stop can only happen if the fetch does not block that thread.
  TestHttpServer server(hold);
  net::io_context ioc;
  std::stop_source source;
  std::optional<Result<FetchResponse>> out;
  bool other_ran = false;
  FetchRequest request{.url = url(server), .timeout = 60s};
  net::co_spawn(
      ioc,
      [&]() -> net::awaitable<void> {
        out.emplace(co_await async_http_fetch(request, source.get_token()));
      },
      net::detached);
  net::co_spawn(
      ioc,
      [&]() -> net::awaitable<void> {
        net::steady_timer timer(ioc, 50ms);
        co_await timer.async_wait(net::use_awaitable);
        other_ran = true;
        source.request_stop();
      },
      net::detached);
  auto start = std::chrono::steady_clock::now();
  ioc.run();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_TRUE(other_ran);
  ASSERT_TRUE(out);
  ASSERT_FALSE(out->ok());
  EXPECT_EQ(out->error().code, ErrorCode::kCancelled);
}

TEST(HttpFetch, AwaitableOnAThreadPoolWithConcurrentFetches) {
  // A multi-threaded executor: each fetch keeps its socket on its own strand.
  TestHttpServer server([](const Received& r) { return response(200, "OK", r.target); });
  net::io_context ioc;
  std::mutex mu;
  std::vector<std::string> bodies;
  for (int i = 0; i < 8; ++i) {
    FetchRequest request{.url = url(server, "/n" + std::to_string(i))};
    net::co_spawn(
        ioc,
        [&, request]() -> net::awaitable<void> {
          auto r = co_await async_http_fetch(request);
          std::lock_guard lock(mu);
          bodies.push_back(r.ok() ? r->body : r.error().describe());
        },
        net::detached);
  }
  std::thread second([&] { ioc.run(); });
  ioc.run();
  second.join();
  std::sort(bodies.begin(), bodies.end());
  ASSERT_EQ(bodies.size(), 8u);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(bodies[i], "/n" + std::to_string(i));
}

}  // namespace
}  // namespace arcp::test
