// The `net.fetch` HTTP(S) client against a real local server (plain Asio,
// so the server's bytes are exactly what each test writes).
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "support/http_test_server.hpp"
#include "support/test_support.hpp"
#include "transport/http_client.hpp"

namespace arcp::test {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using transport::async_http_fetch;
using transport::http_fetch;
using namespace std::chrono_literals;

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

/// One form of the client, printed by its name: gtest shows the parameter
/// of each test (`GetParam() = Blocking`), not a function's address.
struct FetchForm {
  const char* name;
  Fetcher fetch;
  friend void PrintTo(const FetchForm& form, std::ostream* os) { *os << form.name; }
};

/// Runs a test body with both forms of the client.
class HttpFetchBoth : public ::testing::TestWithParam<FetchForm> {
 protected:
  Result<FetchResponse> fetch(FetchRequest request, std::stop_token stop = {}) {
    return GetParam().fetch(std::move(request), std::move(stop));
  }
};

INSTANTIATE_TEST_SUITE_P(HttpFetch, HttpFetchBoth,
                         ::testing::Values(FetchForm{"Blocking", &blocking_fetch},
                                           FetchForm{"Awaitable", &await_fetch}),
                         [](const auto& info) { return std::string(info.param.name); });

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
