// A small HTTP/1.1 (and HTTPS) server for tests that exercise the `net.fetch`
// client: plain Asio, so the bytes it sends are exactly what each test writes,
// and it records every request it reads.
#pragma once

#include <arcp/http_fetch.hpp>
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/test_support.hpp"

namespace arcp::test {

/// The test certificate (CN/SAN localhost, 127.0.0.1) and its key.
inline const std::string kCertFile = std::string(ARCP_TEST_DATA_DIR) + "/test-cert.pem";
inline const std::string kKeyFile = std::string(ARCP_TEST_DATA_DIR) + "/test-key.pem";

std::string lower(std::string s);

/// A request as the server read it; header names lower-cased.
struct Received {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// The value of header `name` (any case), or "" when absent.
  std::string header(const std::string& name) const;
};

/// The server's answer to a request: raw bytes, or nullopt to hold the
/// connection open without ever answering.
using Responder = std::function<std::optional<std::string>(const Received&)>;

/// A complete response with a Content-Length.
std::string response(int status, const std::string& reason, const std::string& body,
                     const std::vector<std::pair<std::string, std::string>>& headers = {});
/// A 200 with a chunked body made of `chunks`.
std::string chunked_response(const std::vector<std::string>& chunks);
/// A Responder that never answers.
std::optional<std::string> hold(const Received&);

/// One HTTP/1.1 exchange per connection on `address`:0, plain or TLS with
/// the test certificate, served on its own thread.
class TestHttpServer {
 public:
  explicit TestHttpServer(Responder responder, bool tls = false,
                          const std::string& address = "127.0.0.1");
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  std::uint16_t port() const { return port_; }
  /// Connections accepted so far.
  int connections() const { return connections_.load(); }
  /// Requests read (whole, body included) so far; counted before the reply
  /// is written, so a client that has its answer has been counted.
  int requests() const { return requests_.load(); }

  /// The next request the server has read, in arrival order.
  std::optional<Received> next_request(std::chrono::milliseconds timeout = kWait);

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);
  template <class Stream>
  boost::asio::awaitable<void> talk(Stream& stream);

  Responder responder_;
  std::optional<boost::asio::ssl::context> tls_;  // outlives the streams the io_context holds
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Received> received_;
};

/// The value of header `name` (any case) in a fetch response, or "".
std::string header_of(const FetchResponse& r, const std::string& name);

/// `scheme://host:port` of `server` followed by `path`.
std::string url(const TestHttpServer& server, const std::string& path = "/",
                const std::string& scheme = "http", const std::string& host = "127.0.0.1");

}  // namespace arcp::test
