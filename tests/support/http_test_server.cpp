#include "support/http_test_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <cstdio>
#include <string_view>

namespace arcp::test {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);

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

}  // namespace

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Received::header(const std::string& name) const {
  for (const auto& [n, v] : headers)
    if (n == lower(name)) return v;
  return {};
}

std::string response(int status, const std::string& reason, const std::string& body,
                     const std::vector<std::pair<std::string, std::string>>& headers) {
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

std::optional<std::string> hold(const Received&) {
  return std::nullopt;
}

TestHttpServer::TestHttpServer(Responder responder, bool tls, const std::string& address)
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

TestHttpServer::~TestHttpServer() {
  ioc_.stop();
  thread_.join();
}

std::optional<Received> TestHttpServer::next_request(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, timeout, [&] { return !received_.empty(); })) return std::nullopt;
  auto r = std::move(received_.front());
  received_.pop_front();
  return r;
}

net::awaitable<void> TestHttpServer::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(kUseTuple);
    if (ec) co_return;
    ++connections_;
    net::co_spawn(ioc_, serve(std::move(socket)), net::detached);
  }
}

net::awaitable<void> TestHttpServer::serve(tcp::socket socket) {
  if (!tls_) {
    co_await talk(socket);
    co_return;
  }
  ssl::stream<tcp::socket> stream(std::move(socket), *tls_);
  auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, kUseTuple);
  if (!ec) co_await talk(stream);
}

template <class Stream>
net::awaitable<void> TestHttpServer::talk(Stream& stream) {
  std::string buf;
  auto [ec, n] =
      co_await net::async_read_until(stream, net::dynamic_buffer(buf), kEndOfHead, kUseTuple);
  if (ec) co_return;
  Received r = parse_head(buf.substr(0, n));
  buf.erase(0, n);
  auto length = content_length(r);
  if (buf.size() < length) {
    auto [bec, m] = co_await net::async_read(stream, net::dynamic_buffer(buf),
                                             net::transfer_exactly(length - buf.size()), kUseTuple);
    if (bec) co_return;
  }
  r.body = buf.substr(0, length);
  auto reply = responder_(r);
  ++requests_;
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

std::string header_of(const FetchResponse& r, const std::string& name) {
  for (const auto& [n, v] : r.headers)
    if (lower(n) == lower(name)) return v;
  return {};
}

std::string url(const TestHttpServer& server, const std::string& path, const std::string& scheme,
                const std::string& host) {
  return scheme + "://" + host + ":" + std::to_string(server.port()) + path;
}

}  // namespace arcp::test
