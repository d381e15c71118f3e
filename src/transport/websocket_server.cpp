#include <sys/resource.h>

#include <algorithm>
#include <arcp/websocket_server.hpp>
#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <cstring>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/thread_name.hpp"
#include "core/thread_role.hpp"
#include "transport/endpoint.hpp"
#include "transport/http_host.hpp"
#include "transport/tls_peer_identity.hpp"
#include "transport/websocket_connection.hpp"

namespace arcp {
namespace {

namespace http = transport::beast::http;
using transport::beast::error_code;
using transport::net::ip::tcp;
namespace net = transport::net;
namespace ssl = net::ssl;
namespace websocket = transport::websocket;

constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
constexpr std::chrono::milliseconds kMinAcceptBackoff{5};
constexpr std::chrono::milliseconds kMaxAcceptBackoff{500};

// Descriptors are what a busy listener runs out of first: take the soft
// limit up to the hard one, once per process.
void raise_fd_limit() {
  static std::once_flag once;
  std::call_once(once, [] {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= lim.rlim_max) return;
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  });
}
// Request line plus header fields of an upgrade request; more is answered 431
// (or 414 when the request line alone does not fit).
constexpr std::size_t kHeaderLimit = 8 * 1024;
// An upgrade request has no body: any is answered 413.
constexpr std::uint64_t kBodyLimit = 0;
// After an error response: how long the peer's remaining bytes are read and
// dropped so that closing does not reset the connection under the response.
constexpr auto kLingerTimeout = std::chrono::seconds(2);

// A well-formed request answered with an error status, or nullopt to accept.
struct Refusal {
  http::status status;
  std::string_view reason;
};

// The answer to an upgrade request whose reading failed; nullopt: the peer
// went away or timed out, just close.
std::optional<Refusal> refusal_for_read_error(error_code ec, std::size_t consumed,
                                              std::string_view unparsed) {
  if (ec == http::error::header_limit) {
    // Nothing consumed and no line end within the limit: the request line alone is too long.
    bool line_fits = unparsed.substr(0, kHeaderLimit).find("\r\n") != std::string_view::npos;
    if (consumed == 0 && !line_fits) return Refusal{http::status::uri_too_long, "URI too long\n"};
    return Refusal{http::status::request_header_fields_too_large, "request header too large\n"};
  }
  if (ec == http::error::buffer_overflow)
    return Refusal{http::status::request_header_fields_too_large, "request header too large\n"};
  if (ec == http::error::body_limit)
    return Refusal{http::status::payload_too_large, "an upgrade request has no body\n"};
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return std::nullopt;
  if (ec.category() == http::make_error_code(http::error::bad_target).category())
    return Refusal{http::status::bad_request, "malformed request\n"};
  return std::nullopt;
}

class Server final : public WebSocketServer {
 public:
  Server(WebSocketServerOptions opts, transport::Endpoint ep, OnConnection cb)
      : opts_(std::move(opts)),
        ep_(std::move(ep)),
        on_connection_(std::move(cb)),
        accept_strand_(net::make_strand(ioc_)),
        acceptor_(accept_strand_),
        accept_timer_(accept_strand_) {}

  ~Server() override { stop(); }

  Result<void> open() {
    if (auto r = build_allow_list(); !r) return r;
    if (ep_.tls) {
      ssl_ctx_.emplace(ssl::context::tls_server);
      error_code ec;
      ssl_ctx_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                            ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                            ssl::context::no_tlsv1_1);
      ssl_ctx_->use_certificate_chain_file(opts_.tls_cert_file, ec);
      if (ec)
        return Error(ErrorCode::kInvalidRequest, "cannot load TLS certificate: " + ec.message());
      ssl_ctx_->use_private_key_file(opts_.tls_key_file, ssl::context::pem, ec);
      if (ec) return Error(ErrorCode::kInvalidRequest, "cannot load TLS key: " + ec.message());
      if (!opts_.tls_client_ca_file.empty())
        if (auto r = request_client_certificates(); !r) return r;
    }
    error_code ec;
    auto addr = net::ip::make_address(ep_.host == "localhost" ? "127.0.0.1" : ep_.host, ec);
    if (ec)
      return Error(ErrorCode::kInvalidRequest, "listen host must be an IP address or localhost");
    tcp::endpoint endpoint(addr, ep_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
      return Error(ErrorCode::kInternalError,
                   "cannot listen on " + format_endpoint(ep_) + ": " + ec.message());
    ep_.port = acceptor_.local_endpoint().port();
    if (opts_.io_threads <= 0)
      opts_.io_threads = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
    do_accept();
    int n = opts_.io_threads;
    for (int i = 0; i < n; ++i) {
      threads_.emplace_back([this] {
        core::name_this_thread("arcp-io");
        core::mark_event_loop_thread();  // serves every socket on it: must never block
        ioc_.run();
      });
    }
    return {};
  }

  std::string url() const override { return format_endpoint(ep_); }

  void stop() override {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    net::post(accept_strand_, [this] {
      error_code ec;
      acceptor_.close(ec);
      accept_timer_.cancel();
      std::lock_guard lock(mu_);
      for (auto& weak : live_)
        if (auto c = weak.lock()) c->close();
    });
    // Give graceful closes a bounded time to flush, then stop the loop.
    {
      std::unique_lock lock(mu_);
      drained_.wait_for(lock, std::chrono::seconds(3), [&] { return active_ == 0; });
    }
    ioc_.stop();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
    threads_.clear();
  }

 private:
  // mTLS: ask for a client certificate naming these CAs and verify any that
  // comes; no certificate is not a TLS failure (the ARCP layer answers it).
  Result<void> request_client_certificates() {
    error_code ec;
    ssl_ctx_->load_verify_file(opts_.tls_client_ca_file, ec);
    if (ec)
      return Error(ErrorCode::kInvalidRequest, "cannot load TLS client CA file '" +
                                                   opts_.tls_client_ca_file + "': " + ec.message());
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(opts_.tls_client_ca_file.c_str());
    if (names == nullptr)
      return Error(ErrorCode::kInvalidRequest,
                   "TLS client CA file '" + opts_.tls_client_ca_file + "' holds no certificate");
    SSL_CTX_set_client_CA_list(ssl_ctx_->native_handle(), names);  // takes ownership
    // Verified sessions may be resumed only with a context id set (else
    // OpenSSL fails a resuming handshake).
    static constexpr unsigned char kSessionContext[] = "arcp-mtls";
    SSL_CTX_set_session_id_context(ssl_ctx_->native_handle(), kSessionContext,
                                   sizeof kSessionContext - 1);
    ssl_ctx_->set_verify_mode(ssl::verify_peer);
    return {};
  }

  Result<void> build_allow_list() {
    std::vector<std::string> entries = opts_.allowed_hosts;
    if (entries.empty()) {
      entries = {"localhost", "127.0.0.1", "::1", ep_.host};
      if (ep_.host == "0.0.0.0" || ep_.host == "::") entries = {"*"};
    }
    for (const auto& entry : entries) {
      auto parsed = transport::parse_allowed_host(entry);
      if (!parsed) return Error(ErrorCode::kInvalidRequest, "invalid allowed host '" + entry + "'");
      allowed_.add(std::move(*parsed));
    }
    return {};
  }

  void log(LogLevel level, std::string_view event, json::object fields) const {
    if (opts_.logger)
      opts_.logger->log(level, event, std::move(fields));
    else
      Logger().log(level, event, std::move(fields));
  }

  // Host (exactly one, well-formed: else 400; allowed: else 403), then Origin
  // when present (well-formed and allowed: else 403); check_upgrade then
  // checks the upgrade itself.
  std::optional<Refusal> check_request(const http::request<http::string_body>& req) const {
    if (req.count(http::field::host) != 1)
      return Refusal{http::status::bad_request, "exactly one Host header required\n"};
    auto host = transport::parse_host_header(req[http::field::host]);
    if (!host) return Refusal{http::status::bad_request, "malformed Host header\n"};
    if (!allowed_.allows(*host, ep_.tls ? 443 : 80))
      return Refusal{http::status::forbidden, "host not allowed\n"};
    if (auto n = req.count(http::field::origin); n > 0) {
      auto origin = n == 1 ? transport::parse_origin(req[http::field::origin]) : std::nullopt;
      if (!origin || !allowed_.allows(origin->authority, origin->effective_port()))
        return Refusal{http::status::forbidden, "origin not allowed\n"};
    }
    return std::nullopt;
  }

  std::optional<Refusal> check_upgrade(const http::request<http::string_body>& req) const {
    if (!websocket::is_upgrade(req))
      return Refusal{http::status::upgrade_required, "ARCP speaks WebSocket\n"};
    std::string_view target = req.target();
    if (target.substr(0, target.find('?')) != ep_.path)
      return Refusal{http::status::not_found, "unknown path\n"};
    return std::nullopt;
  }

  void do_accept() {
    // With one I/O thread the io_context already serialises each socket's handlers.
    net::any_io_executor ex = opts_.io_threads > 1 ? net::any_io_executor(net::make_strand(ioc_))
                                                   : net::any_io_executor(ioc_.get_executor());
    acceptor_.async_accept(ex, [this](error_code ec, tcp::socket socket) {
      if (!acceptor_.is_open()) return;  // stopped
      if (ec) return on_accept_error(ec);
      if (accept_backoff_ != std::chrono::milliseconds::zero()) {
        log(LogLevel::kInfo, "listener.accepting",
            json::object{{"listen", format_endpoint(ep_)},
                         {"detail", "accepting connections again on " + format_endpoint(ep_)}});
        accept_backoff_ = std::chrono::milliseconds::zero();
      }
      socket.set_option(tcp::no_delay(true), ec);
      if (ssl_ctx_)
        start_tls(std::move(socket));
      else
        start_upgrade(std::make_shared<transport::PlainWs>(std::move(socket)));
      do_accept();
    });
  }

  // Accept errors are transient (EMFILE, ENFILE, ENOBUFS, ENOMEM when
  // descriptors or memory run out; ECONNABORTED when a peer gave up): the
  // listener backs off and tries again, so it never dies of one. Reported
  // once per episode, not per attempt.
  void on_accept_error(const error_code& ec) {
    if (ec == net::error::connection_aborted) return do_accept();  // that peer only
    if (accept_backoff_ == std::chrono::milliseconds::zero()) {
      // Accept errors are errno values. strerror, not ec.message(): out of
      // descriptors, UBSan cannot check the category's virtual call.
      log(LogLevel::kError, "listener.accept_failed",
          json::object{{"listen", format_endpoint(ep_)},
                       {"detail", "cannot accept on " + format_endpoint(ep_) + ": " +
                                      std::strerror(ec.value()) +
                                      "; retrying with back-off until it clears"}});
      accept_backoff_ = kMinAcceptBackoff;
    } else {
      accept_backoff_ = std::min(accept_backoff_ * 2, kMaxAcceptBackoff);
    }
    accept_timer_.expires_after(accept_backoff_);
    accept_timer_.async_wait([this](error_code wait_ec) {
      if (wait_ec || !acceptor_.is_open()) return;
      do_accept();
    });
  }

  void start_tls(tcp::socket socket) {
    auto ws = std::make_shared<transport::TlsWs>(std::move(socket), *ssl_ctx_);
    transport::beast::get_lowest_layer(*ws).expires_after(kHandshakeTimeout);
    ws->next_layer().async_handshake(ssl::stream_base::server, [this, ws](error_code ec) {
      if (ec) return;  // includes a client certificate that failed verification
      std::string identity;
      if (!opts_.tls_client_ca_file.empty())
        identity = transport::verified_peer_identity(ws->next_layer().native_handle());
      start_upgrade(ws, std::move(identity));
    });
  }

  struct UpgradeState {
    // Bounded so that nothing but the header limit decides how much is read.
    transport::beast::flat_buffer buf{kHeaderLimit + 1024};
    http::request_parser<http::string_body> parser;
    std::string peer_identity;  // the verified client certificate's (mTLS)
    UpgradeState() {
      parser.header_limit(static_cast<std::uint32_t>(kHeaderLimit));
      parser.body_limit(kBodyLimit);
    }
  };

  template <class Ws>
  void start_upgrade(std::shared_ptr<Ws> ws, std::string peer_identity = {}) {
    auto st = std::make_shared<UpgradeState>();
    st->peer_identity = std::move(peer_identity);
    transport::beast::get_lowest_layer(*ws).expires_after(kHandshakeTimeout);
    // Beast limits the request line and the fields separately: the header read
    // reports how much it consumed, which caps their sum.
    http::async_read_header(
        ws->next_layer(), st->buf, st->parser, [this, ws, st](error_code ec, std::size_t used) {
          if (ec) return on_read_error(ws, *st, ec, used);
          if (used > kHeaderLimit)
            return refuse(
                ws, {http::status::request_header_fields_too_large, "request header too large\n"});
          if (st->parser.is_done()) return on_request(ws, st);
          // Chunked: only an empty body passes the body limit.
          http::async_read(ws->next_layer(), st->buf, st->parser,
                           [this, ws, st](error_code ec2, std::size_t) {
                             if (ec2) return on_read_error(ws, *st, ec2, 0);
                             on_request(ws, st);
                           });
        });
  }

  template <class Ws>
  void on_read_error(const std::shared_ptr<Ws>& ws, const UpgradeState& st, error_code ec,
                     std::size_t consumed) {
    auto data = st.buf.cdata();
    std::string_view unparsed(static_cast<const char*>(data.data()), data.size());
    if (auto refusal = refusal_for_read_error(ec, consumed, unparsed)) refuse(ws, *refusal);
  }

  // Answers `refusal` with `Connection: close`, then closes: the write side at
  // once, the socket after the peer's remaining bytes (bounded in time) so that
  // the close does not reset the connection under the response.
  template <class Ws>
  void refuse(const std::shared_ptr<Ws>& ws, Refusal refusal) {
    respond(ws, refusal.status, "text/plain", std::string(refusal.reason));
  }

  template <class Ws>
  void respond(const std::shared_ptr<Ws>& ws, http::status status, std::string_view content_type,
               std::string body) {
    auto res = std::make_shared<http::response<http::string_body>>(status, 11);
    res->set(http::field::content_type, content_type);
    res->set(http::field::cache_control, "no-store");
    res->keep_alive(false);
    res->body() = std::move(body);
    res->prepare_payload();
    auto& lowest = transport::beast::get_lowest_layer(*ws);
    lowest.expires_after(kLingerTimeout);
    if constexpr (std::is_same_v<Ws, transport::TlsWs>) {
      http::async_write(ws->next_layer(), *res, [ws, res](error_code ec, std::size_t) {
        if (ec) return;
        ws->next_layer().async_shutdown([ws](error_code) {});
      });
    } else {
      // Around the coalescing layer, whose writes complete before they reach the socket.
      http::async_write(lowest, *res, [ws, res](error_code ec, std::size_t) {
        if (ec) return;
        error_code ignored;
        transport::beast::get_lowest_layer(*ws).socket().shutdown(tcp::socket::shutdown_send,
                                                                  ignored);
        linger(ws, std::make_shared<std::array<char, 4096>>());
      });
    }
  }

  template <class Ws>
  static void linger(const std::shared_ptr<Ws>& ws,
                     const std::shared_ptr<std::array<char, 4096>>& scratch) {
    transport::beast::get_lowest_layer(*ws).async_read_some(
        net::buffer(*scratch), [ws, scratch](error_code ec, std::size_t) {
          if (!ec) linger(ws, scratch);
        });
  }

  template <class Ws>
  void on_request(const std::shared_ptr<Ws>& ws, const std::shared_ptr<UpgradeState>& st) {
    const auto& req = st->parser.get();
    if (auto refusal = check_request(req)) return refuse(ws, *refusal);
    // Plain GETs (metrics, health checks) after the Host/Origin checks.
    if (opts_.http_get && req.method() == http::verb::get && !websocket::is_upgrade(req)) {
      std::string_view target = req.target();
      if (auto reply = opts_.http_get(target.substr(0, target.find('?')))) {
        auto status = http::int_to_status(static_cast<unsigned>(reply->status));
        if (status == http::status::unknown) status = http::status::internal_server_error;
        return respond(ws, status, reply->content_type, std::move(reply->body));
      }
    }
    if (auto refusal = check_upgrade(req)) return refuse(ws, *refusal);
    transport::beast::get_lowest_layer(*ws).expires_never();
    auto timeouts = websocket::stream_base::timeout::suggested(transport::beast::role_type::server);
    timeouts.handshake_timeout = kHandshakeTimeout;
    ws->set_option(timeouts);
    ws->async_accept(st->parser.get(), [this, ws, st](error_code ec) {
      if (ec) return;
      std::string peer;
      error_code pe;
      auto rep = transport::beast::get_lowest_layer(*ws).socket().remote_endpoint(pe);
      if (!pe) peer = rep.address().to_string() + ":" + std::to_string(rep.port());
      auto conn = std::make_shared<transport::WsConnection<Ws>>(
          std::move(*ws), opts_.max_frame_bytes, (ep_.tls ? "wss://" : "ws://") + peer,
          /*server_role=*/true);
      conn->set_peer_identity(std::move(st->peer_identity));
      {
        std::lock_guard lock(mu_);
        live_.remove_if([](const auto& w) { return w.expired(); });
        if (stopped_) return;
        live_.push_back(conn);
        ++active_;
      }
      conn->set_finished_hook([this] {
        std::lock_guard lock(mu_);
        if (--active_ == 0) drained_.notify_all();
      });
      on_connection_(conn);
    });
  }

  WebSocketServerOptions opts_;
  transport::Endpoint ep_;
  OnConnection on_connection_;
  net::io_context ioc_;
  // The acceptor, its back-off timer and stop() meet on one strand: with
  // several I/O threads an accept completion could otherwise race the close.
  net::strand<net::io_context::executor_type> accept_strand_;
  tcp::acceptor acceptor_;
  net::steady_timer accept_timer_;
  std::chrono::milliseconds accept_backoff_{0};  // zero: accepting normally
  std::optional<ssl::context> ssl_ctx_;
  transport::HostAllowList allowed_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::list<std::weak_ptr<Connection>> live_;
  std::condition_variable drained_;
  int active_ = 0;
  bool stopped_ = false;
};

}  // namespace

Result<std::unique_ptr<WebSocketServer>> WebSocketServer::start(
    const WebSocketServerOptions& options, OnConnection on_connection) {
  auto ep = transport::parse_endpoint(options.listen_url);
  if (!ep) return ep.error();
  if (ep->tls && (options.tls_cert_file.empty() || options.tls_key_file.empty()))
    return Error(ErrorCode::kInvalidRequest, "wss:// needs --tls-cert and --tls-key");
  if (!ep->tls && !options.tls_client_ca_file.empty())
    return Error(ErrorCode::kInvalidRequest,
                 "a TLS client CA (client certificates, mTLS) needs a wss:// listener, not " +
                     options.listen_url);
  raise_fd_limit();
  auto server = std::make_unique<Server>(options, *ep, std::move(on_connection));
  if (auto r = server->open(); !r) return r.error();
  return std::unique_ptr<WebSocketServer>(std::move(server));
}

}  // namespace arcp
