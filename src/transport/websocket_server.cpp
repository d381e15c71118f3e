#include <sys/resource.h>

#include <algorithm>
#include <arcp/websocket_server.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <iostream>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/thread_name.hpp"
#include "transport/endpoint.hpp"
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

std::string host_only(std::string_view host_header) {
  std::string h(host_header);
  if (!h.empty() && h.front() == '[') {
    auto close = h.find(']');
    return close == std::string::npos ? h : h.substr(1, close - 1);
  }
  auto colon = h.rfind(':');
  if (colon != std::string::npos && h.find(':') == colon) h.resize(colon);
  std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return std::tolower(c); });
  return h;
}

class Server final : public WebSocketServer {
 public:
  Server(WebSocketServerOptions opts, transport::Endpoint ep, OnConnection cb)
      : opts_(std::move(opts)),
        ep_(std::move(ep)),
        on_connection_(std::move(cb)),
        acceptor_(ioc_),
        accept_timer_(ioc_) {}

  ~Server() override { stop(); }

  Result<void> open() {
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
    build_allow_list();
    do_accept();
    int n = std::max(1, opts_.io_threads);
    for (int i = 0; i < n; ++i) {
      threads_.emplace_back([this] {
        core::name_this_thread("arcp-io");
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
    net::post(ioc_, [this] {
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
  void build_allow_list() {
    allowed_ = opts_.allowed_hosts;
    if (allowed_.empty()) {
      allowed_ = {"localhost", "127.0.0.1", "::1", ep_.host};
      if (ep_.host == "0.0.0.0" || ep_.host == "::") allowed_ = {"*"};
    }
    for (auto& h : allowed_) h = host_only(h);
  }

  bool host_allowed(std::string_view header) const {
    std::string host = host_only(header);
    for (const auto& a : allowed_)
      if (a == "*" || a == host) return true;
    return false;
  }

  void do_accept() {
    // With one I/O thread the io_context already serialises each socket's handlers.
    net::any_io_executor ex = opts_.io_threads > 1 ? net::any_io_executor(net::make_strand(ioc_))
                                                   : net::any_io_executor(ioc_.get_executor());
    acceptor_.async_accept(ex, [this](error_code ec, tcp::socket socket) {
      if (!acceptor_.is_open()) return;  // stopped
      if (ec) return on_accept_error(ec);
      if (accept_backoff_ != std::chrono::milliseconds::zero()) {
        std::cerr << "arcp: accepting connections again on " << format_endpoint(ep_) << "\n";
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
      std::cerr << "arcp: cannot accept on " << format_endpoint(ep_) << ": " << ec.message()
                << "; retrying with back-off until it clears\n";
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
      if (ec) return;
      start_upgrade(ws);
    });
  }

  template <class Ws>
  void start_upgrade(std::shared_ptr<Ws> ws) {
    struct State {
      transport::beast::flat_buffer buf;
      http::request<http::string_body> req;
    };
    auto st = std::make_shared<State>();
    transport::beast::get_lowest_layer(*ws).expires_after(kHandshakeTimeout);
    http::async_read(
        ws->next_layer(), st->buf, st->req, [this, ws, st](error_code ec, std::size_t) {
          if (ec) return;
          auto reject = [&](http::status status, std::string body) {
            auto res =
                std::make_shared<http::response<http::string_body>>(status, st->req.version());
            res->set(http::field::content_type, "text/plain");
            res->keep_alive(false);
            res->body() = std::move(body);
            res->prepare_payload();
            http::async_write(ws->next_layer(), *res, [ws, res](error_code, std::size_t) {});
          };
          std::string_view target = st->req.target();
          target = target.substr(0, target.find('?'));
          if (!websocket::is_upgrade(st->req))
            return reject(http::status::upgrade_required, "ARCP speaks WebSocket\n");
          if (target != ep_.path) return reject(http::status::not_found, "unknown path\n");
          if (!host_allowed(st->req[http::field::host]))
            return reject(http::status::forbidden, "host not allowed\n");
          transport::beast::get_lowest_layer(*ws).expires_never();
          auto timeouts =
              websocket::stream_base::timeout::suggested(transport::beast::role_type::server);
          timeouts.handshake_timeout = kHandshakeTimeout;
          ws->set_option(timeouts);
          ws->async_accept(st->req, [this, ws](error_code ec2) {
            if (ec2) return;
            std::string peer;
            error_code pe;
            auto rep = transport::beast::get_lowest_layer(*ws).socket().remote_endpoint(pe);
            if (!pe) peer = rep.address().to_string() + ":" + std::to_string(rep.port());
            auto conn = std::make_shared<transport::WsConnection<Ws>>(
                std::move(*ws), opts_.max_frame_bytes, (ep_.tls ? "wss://" : "ws://") + peer,
                /*server_role=*/true);
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
        });
  }

  WebSocketServerOptions opts_;
  transport::Endpoint ep_;
  OnConnection on_connection_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  net::steady_timer accept_timer_;
  std::chrono::milliseconds accept_backoff_{0};  // zero: accepting normally
  std::optional<ssl::context> ssl_ctx_;
  std::vector<std::string> allowed_;
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
  raise_fd_limit();
  auto server = std::make_unique<Server>(options, *ep, std::move(on_connection));
  if (auto r = server->open(); !r) return r.error();
  return std::unique_ptr<WebSocketServer>(std::move(server));
}

}  // namespace arcp
