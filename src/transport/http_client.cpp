#include "transport/http_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <charconv>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "transport/tls_client.hpp"

namespace arcp::transport {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;

constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);
/// A response header block larger than this is refused, like an oversize body.
constexpr std::uint32_t kHeaderLimit = 64 * 1024;

/// Where the request goes, from its URL.
struct Target {
  bool tls = false;
  std::string host;  // for resolve, SNI and verification; IPv6 without brackets
  std::uint16_t port = 0;
  std::string host_header;  // the URL's host[:port], as written
  std::string target;       // path + query
};

bool is_dns_name(std::string_view host) {
  for (unsigned char c : host)
    if (!std::isalnum(c) && c != '-' && c != '.' && c != '_') return false;
  return true;
}

// Messages name the URL's host at most: paths and queries may carry secrets.
Result<Target> parse_target(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return Error(ErrorCode::kInvalidRequest, "invalid fetch URL");
  Target t;
  auto scheme = parsed->scheme_id();
  if (scheme == boost::urls::scheme::https)
    t.tls = true;
  else if (scheme != boost::urls::scheme::http)
    return Error(ErrorCode::kInvalidRequest, "fetch URL scheme must be http or https");
  if (parsed->has_userinfo())
    return Error(ErrorCode::kInvalidRequest, "fetch URL must not carry user info");
  if (parsed->host_type() == boost::urls::host_type::ipvfuture)
    return Error(ErrorCode::kInvalidRequest, "fetch URL host is not supported");
  t.host = parsed->host_address();
  if (t.host.empty()) return Error(ErrorCode::kInvalidRequest, "fetch URL has no host");
  // Percent-decoding could hide a NUL or a second name from the lease check.
  if (parsed->host_type() == boost::urls::host_type::name && !is_dns_name(t.host))
    return Error(ErrorCode::kInvalidRequest, "fetch URL host is not a DNS name");
  t.port = t.tls ? 443 : 80;
  if (parsed->has_port() && !parsed->port().empty()) {
    auto p = parsed->port();
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
    if (ec != std::errc() || ptr != p.data() + p.size() || value == 0 || value > 65535)
      return Error(ErrorCode::kInvalidRequest, "invalid port in fetch URL");
    t.port = static_cast<std::uint16_t>(value);
  }
  t.host_header = std::string(parsed->encoded_host_and_port());
  t.target = std::string(parsed->encoded_path());
  if (t.target.empty()) t.target = "/";
  if (parsed->has_query()) t.target += "?" + std::string(parsed->encoded_query());
  return t;
}

bool is_token(std::string_view s) {
  static constexpr std::string_view kPunct = "!#$%&'*+-.^_`|~";
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (!std::isalnum(c) && kPunct.find(static_cast<char>(c)) == std::string_view::npos)
      return false;
  return true;
}

/// Method and headers must not be able to smuggle a second request, and the
/// framing headers are ours: the body we send decides Content-Length.
Result<void> check_request(const FetchRequest& request) {
  if (!is_token(request.method)) return Error(ErrorCode::kInvalidRequest, "invalid fetch method");
  for (const auto& [name, value] : request.headers) {
    if (!is_token(name)) return Error(ErrorCode::kInvalidRequest, "invalid fetch header name");
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
      return Error(ErrorCode::kInvalidRequest, "fetch header '" + name + "' has an invalid value");
    for (std::string_view reserved : {"host", "content-length", "transfer-encoding", "connection"})
      if (beast::iequals(name, reserved))
        return Error(ErrorCode::kInvalidRequest,
                     "fetch header '" + name + "' is set by the client itself");
  }
  if (request.timeout.count() <= 0)
    return Error(ErrorCode::kInvalidRequest, "fetch timeout must be positive");
  return {};
}

Error failure(const std::string& what, const error_code& ec) {
  return Error(ErrorCode::kInternalError, "fetch failed: " + what + ": " + ec.message(),
               json::object{{"reason", ec.message()}});
}

// Errors are built outside the coroutines: GCC 12 rejects some string
// literals inside coroutine bodies ("array used as initializer").
Error cancelled() {
  return Error(ErrorCode::kCancelled, "fetch cancelled");
}

Error timed_out(std::chrono::milliseconds timeout) {
  auto ms = static_cast<std::int64_t>(timeout.count());
  return Error(ErrorCode::kTimeout, "fetch timed out after " + std::to_string(ms) + " ms",
               json::object{{"timeout_ms", ms}});
}

Error body_too_large(std::size_t cap) {
  return Error(ErrorCode::kInternalError, "response body exceeds " + std::to_string(cap) + " bytes",
               json::object{{"limit", "max_body_bytes"}, {"cap", std::uint64_t{cap}}});
}

Error header_too_large(const error_code& ec) {
  return Error(ErrorCode::kInternalError,
               "fetch failed: response header exceeds " + std::to_string(kHeaderLimit) + " bytes",
               json::object{{"reason", ec.message()}, {"cap", kHeaderLimit}});
}

Error unexpected_failure(const std::string& what) {
  return Error(ErrorCode::kInternalError, "fetch failed: " + what, json::object{{"reason", what}});
}

enum class Abort { kNone, kTimeout, kCancelled };

/// The fetch's I/O objects, all on one strand. The deadline and the stop
/// callback end the fetch by closing them there, which fails what is pending.
struct FetchIo {
  explicit FetchIo(const net::any_io_executor& ex)
      : resolver(ex), socket(ex), deadline(ex), wake(ex) {}

  void abort(Abort why) {
    if (aborted != Abort::kNone) return;
    aborted = why;
    resolver.cancel();
    error_code ignored;
    socket.close(ignored);
    deadline.cancel();
    wake.cancel();
  }

  tcp::resolver resolver;
  tcp::socket socket;
  net::steady_timer deadline;
  // The coroutine waits on this while the resolver runs: a cancelled
  // getaddrinfo still finishes before its handler runs, the abort must not.
  net::steady_timer wake;
  Abort aborted = Abort::kNone;
  std::optional<std::pair<error_code, tcp::resolver::results_type>> resolved;
};

net::awaitable<Result<std::vector<tcp::endpoint>>> resolve(std::shared_ptr<FetchIo> io,
                                                           const Target& t) {
  error_code ec;
  auto address = net::ip::make_address(t.host, ec);
  if (!ec) co_return std::vector<tcp::endpoint>{tcp::endpoint(address, t.port)};
  std::weak_ptr<FetchIo> weak = io;
  io->resolver.async_resolve(t.host, std::to_string(t.port),
                             [weak](error_code err, tcp::resolver::results_type results) {
                               if (auto s = weak.lock()) {
                                 s->resolved.emplace(err, std::move(results));
                                 s->wake.cancel();
                               }
                             });
  io->wake.expires_at(net::steady_timer::time_point::max());
  while (!io->resolved && io->aborted == Abort::kNone) co_await io->wake.async_wait(kUseTuple);
  if (!io->resolved) co_return failure("cannot resolve " + t.host, net::error::operation_aborted);
  auto& [rec, results] = *io->resolved;
  if (rec) co_return failure("cannot resolve " + t.host, rec);
  std::vector<tcp::endpoint> out;
  for (const auto& entry : results) out.push_back(entry.endpoint());
  co_return out;
}

net::awaitable<Result<void>> connect(FetchIo& io, const std::vector<tcp::endpoint>& endpoints,
                                     const Target& t) {
  error_code last = net::error::host_not_found;
  for (const auto& endpoint : endpoints) {
    if (io.aborted != Abort::kNone) break;  // the abort closed the socket: do not reopen it
    error_code ignored;
    io.socket.close(ignored);
    auto [ec] = co_await io.socket.async_connect(endpoint, kUseTuple);
    if (!ec) {
      io.socket.set_option(tcp::no_delay(true), ignored);
      co_return Result<void>{};
    }
    last = ec;
  }
  co_return failure("cannot connect to " + t.host + ":" + std::to_string(t.port), last);
}

http::request<http::string_body> build_request(const FetchRequest& request, const Target& t) {
  http::request<http::string_body> req;
  req.method_string(request.method);
  req.target(t.target);
  req.version(11);
  req.set(http::field::host, t.host_header);
  req.set(http::field::user_agent, "arcp-cpp");
  for (const auto& [name, value] : request.headers) {
    if (beast::iequals(name, "user-agent"))
      req.set(http::field::user_agent, value);
    else
      req.insert(name, value);
  }
  req.keep_alive(false);  // one request per connection
  req.body() = request.body;
  req.prepare_payload();  // Content-Length for a body (or an empty POST); none for a bodiless GET
  return req;
}

template <class Stream>
net::awaitable<Result<FetchResponse>> exchange(Stream& stream,
                                               http::request<http::string_body>& req,
                                               const FetchRequest& request) {
  auto [wec, written] = co_await http::async_write(stream, req, kUseTuple);
  if (wec) co_return failure("sending the request", wec);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(kHeaderLimit);
  parser.body_limit(std::uint64_t{request.max_body_bytes});
  if (beast::iequals(request.method, "HEAD")) parser.skip(true);  // no body follows
  auto [rec, read] = co_await http::async_read(stream, buffer, parser, kUseTuple);
  if (rec == http::error::body_limit) co_return body_too_large(request.max_body_bytes);
  if (rec == http::error::header_limit) co_return header_too_large(rec);
  if (rec) co_return failure("reading the response", rec);

  auto message = parser.release();
  FetchResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message)
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  response.body = std::move(message.body());
  co_return response;
}

net::awaitable<Result<FetchResponse>> resolve_connect_exchange(std::shared_ptr<FetchIo> io,
                                                               const FetchRequest& request,
                                                               const Target& t) {
  auto endpoints = co_await resolve(io, t);
  if (!endpoints) co_return endpoints.error();
  if (auto r = co_await connect(*io, *endpoints, t); !r) co_return r.error();
  auto req = build_request(request, t);
  if (!t.tls) co_return co_await exchange(io->socket, req, request);

  ssl::context ctx(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  if (auto r = load_client_trust(ctx, request.ca_file); !r) co_return r.error();
  ssl::stream<tcp::socket&> stream(io->socket, ctx);
  if (auto r = set_peer_host(stream, t.host); !r) co_return r.error();
  auto [ec] = co_await stream.async_handshake(ssl::stream_base::client, kUseTuple);
  if (ec) co_return failure("TLS handshake with " + t.host, ec);
  // No close_notify afterwards: the connection is dropped after one response.
  co_return co_await exchange(stream, req, request);
}

/// The fetch itself, on a strand: everything touching the socket runs there.
net::awaitable<Result<FetchResponse>> fetch_on_strand(FetchRequest request, Target t,
                                                      std::stop_token stop) {
  auto ex = co_await net::this_coro::executor;
  auto io = std::make_shared<FetchIo>(ex);
  std::weak_ptr<FetchIo> weak = io;
  // Stop comes from any thread; the abort is posted to the strand, never run here.
  std::stop_callback on_stop(stop, [weak, ex] {
    net::post(ex, [weak] {
      if (auto s = weak.lock()) s->abort(Abort::kCancelled);
    });
  });
  io->deadline.expires_after(request.timeout);
  io->deadline.async_wait([weak](error_code ec) {
    if (auto s = weak.lock(); s && !ec) s->abort(Abort::kTimeout);
  });

  auto result = co_await resolve_connect_exchange(io, request, t);
  io->deadline.cancel();
  // A failure the abort caused is reported as the abort.
  if (!result && io->aborted == Abort::kTimeout) co_return timed_out(request.timeout);
  if (!result && io->aborted == Abort::kCancelled) co_return cancelled();
  co_return result;
}

// co_spawn needs a default-constructible result: the outcome goes through `out`.
net::awaitable<void> fetch_into(FetchRequest request, Target t, std::stop_token stop,
                                std::optional<Result<FetchResponse>>& out) {
  out.emplace(co_await fetch_on_strand(std::move(request), std::move(t), std::move(stop)));
}

net::awaitable<void> deliver(FetchRequest request, std::stop_token stop,
                             std::optional<Result<FetchResponse>>& out) {
  out.emplace(co_await async_http_fetch(std::move(request), std::move(stop)));
}

}  // namespace

net::awaitable<Result<FetchResponse>> async_http_fetch(FetchRequest request, std::stop_token stop) {
  if (stop.stop_requested()) co_return cancelled();
  auto target = parse_target(request.url);
  if (!target) co_return target.error();
  if (auto r = check_request(request); !r) co_return r.error();

  // A strand of the caller's executor, which may be a multi-threaded pool.
  auto strand = net::make_strand(co_await net::this_coro::executor);
  std::optional<Result<FetchResponse>> out;
  std::string unexpected;
  try {
    co_await net::co_spawn(strand, fetch_into(std::move(request), std::move(*target), stop, out),
                           net::use_awaitable);
  } catch (const std::exception& e) {
    unexpected = e.what();
  }
  if (!out) co_return unexpected_failure(unexpected);
  co_return std::move(*out);
}

Result<FetchResponse> http_fetch(const FetchRequest& request, std::stop_token stop) {
  net::io_context ioc;
  std::optional<Result<FetchResponse>> out;
  net::co_spawn(ioc, deliver(request, std::move(stop), out), net::detached);
  ioc.run();
  if (!out) return unexpected_failure("unexpected error");
  return std::move(*out);
}

}  // namespace arcp::transport
