#include <arcp/transports.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <future>
#include <optional>
#include <thread>

#include "transport/endpoint.hpp"
#include "transport/tls_client.hpp"
#include "transport/websocket_connection.hpp"

namespace arcp {
namespace {

namespace net = transport::net;
namespace ssl = net::ssl;
namespace websocket = transport::websocket;
using transport::beast::error_code;
using transport::net::ip::tcp;

/// The io_context and its thread's keep-alive: shared with the thread so the
/// connection may be destroyed from inside one of its own callbacks.
struct ClientIo {
  net::io_context ioc;
  net::executor_work_guard<net::io_context::executor_type> work{net::make_work_guard(ioc)};
};

/// Owns the client's I/O thread; forwards to the WebSocket connection.
class ClientConnection final : public Connection {
 public:
  ClientConnection() : io_(std::make_shared<ClientIo>()) {}
  ~ClientConnection() override {
    if (inner_) inner_->close();
    bool own_thread = thread_.get_id() == std::this_thread::get_id();
    if (!own_thread) {
      std::unique_lock lock(mu_);
      done_.wait_for(lock, std::chrono::seconds(3), [&] { return finished_ || !started_; });
    }
    io_->work.reset();
    io_->ioc.stop();
    if (thread_.joinable()) {
      if (own_thread)
        thread_.detach();
      else
        thread_.join();
    }
  }

  void start(ConnectionHandlers handlers) override {
    {
      std::lock_guard lock(mu_);
      started_ = true;
    }
    inner_->start(std::move(handlers));
  }
  void send(Frame frame) override { inner_->send(std::move(frame)); }
  void close() override { inner_->close(); }
  std::size_t queued_bytes() const override { return inner_->queued_bytes(); }
  std::string description() const override { return inner_->description(); }

  template <class Ws>
  void adopt(std::shared_ptr<transport::WsConnection<Ws>> conn) {
    std::weak_ptr<ClientState> state = state_;
    conn->set_finished_hook([state] {
      if (auto s = state.lock()) s->mark_finished();
    });
    inner_ = std::move(conn);
  }

  void run_thread() {
    thread_ = std::thread([io = io_, tls = tls_ctx_keepalive] { io->ioc.run(); });
  }

  net::io_context& ioc() { return io_->ioc; }
  std::shared_ptr<ssl::context> tls_ctx_keepalive;

 private:
  struct ClientState {
    ClientConnection* owner;
    void mark_finished() { owner->mark_finished(); }
  };
  void mark_finished() {
    std::lock_guard lock(mu_);
    finished_ = true;
    done_.notify_all();
  }

  std::shared_ptr<ClientIo> io_;
  std::shared_ptr<ClientState> state_ = std::make_shared<ClientState>(ClientState{this});
  std::thread thread_;
  std::shared_ptr<Connection> inner_;
  std::mutex mu_;
  std::condition_variable done_;
  bool started_ = false;
  bool finished_ = false;
};

template <class Ws>
Result<void> handshake(Ws& ws, const transport::Endpoint& ep) {
  error_code ec;
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
    req.set(transport::beast::http::field::user_agent, "arcp-cpp");
  }));
  std::string host = ep.host.find(':') != std::string::npos ? "[" + ep.host + "]" : ep.host;
  websocket::response_type response;
  ws.handshake(response, host + ":" + std::to_string(ep.port), ep.path, ec);
  if (ec == websocket::error::upgrade_declined) {
    // The server answered over HTTP but would not upgrade: say what it said.
    // (Only then: Beast presets the response to 500 before it reads one, so
    // a dropped connection must not read as "HTTP 500".)
    std::string message = "WebSocket upgrade refused at path " + ep.path + ": HTTP " +
                          std::to_string(response.result_int()) + " " +
                          std::string(response.reason());
    if (response.result() == transport::beast::http::status::not_found)
      message += " (the arcp runtime serves ARCP at /arcp, e.g. ws://host:7777/arcp)";
    return Error(ErrorCode::kInternalError, std::move(message));
  }
  if (ec) return Error(ErrorCode::kInternalError, "WebSocket upgrade failed: " + ec.message());
  transport::beast::get_lowest_layer(ws).expires_never();
  auto timeouts = websocket::stream_base::timeout::suggested(transport::beast::role_type::client);
  timeouts.handshake_timeout = std::chrono::seconds(5);
  ws.set_option(timeouts);
  return {};
}

}  // namespace

Result<std::shared_ptr<Connection>> connect_websocket(const std::string& url,
                                                      const WebSocketClientOptions& options) {
  auto ep = transport::parse_endpoint(url);
  if (!ep) return ep.error();
  if (!ep->tls && (!options.tls_client_cert_file.empty() || !options.tls_client_key_file.empty()))
    return Error(ErrorCode::kInvalidRequest,
                 "a TLS client certificate needs a wss:// URL, not " + url);
  auto holder = std::make_shared<ClientConnection>();
  auto& ioc = holder->ioc();
  error_code ec;
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(ep->host, std::to_string(ep->port), ec);
  if (ec)
    return Error(ErrorCode::kInternalError, "cannot resolve " + ep->host + ": " + ec.message());
  // One I/O thread per client connection: no strand needed.
  transport::beast::tcp_stream tcp_stream(ioc.get_executor());
  tcp_stream.expires_after(std::chrono::milliseconds(options.connect_timeout_ms));
  tcp_stream.connect(results, ec);
  if (ec) return Error(ErrorCode::kInternalError, "cannot connect to " + url + ": " + ec.message());
  tcp_stream.socket().set_option(tcp::no_delay(true), ec);
  std::string name = transport::format_endpoint(*ep);

  if (ep->tls) {
    // The TLS context must outlive the stream: keep it alive with the connection.
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    if (options.insecure_skip_verify) {
      ctx->set_verify_mode(ssl::verify_none);
    } else {
      if (auto r = transport::load_client_trust(*ctx, options.ca_file); !r) return r.error();
    }
    if (auto r = transport::load_client_certificate(*ctx, options.tls_client_cert_file,
                                                    options.tls_client_key_file);
        !r)
      return r.error();
    transport::TlsWs ws(std::move(tcp_stream), *ctx);
    if (auto r = transport::set_peer_host(ws.next_layer(), ep->host, !options.insecure_skip_verify);
        !r)
      return r.error();
    ws.next_layer().handshake(ssl::stream_base::client, ec);
    if (ec) return Error(ErrorCode::kInternalError, "TLS handshake failed: " + ec.message());
    if (auto r = handshake(ws, *ep); !r) return r.error();
    auto conn = std::make_shared<transport::WsConnection<transport::TlsWs>>(
        std::move(ws), options.max_frame_bytes, name);
    holder->adopt(conn);
    holder->tls_ctx_keepalive = ctx;
  } else {
    transport::PlainWs ws(std::move(tcp_stream));
    if (auto r = handshake(ws, *ep); !r) return r.error();
    holder->adopt(std::make_shared<transport::WsConnection<transport::PlainWs>>(
        std::move(ws), options.max_frame_bytes, name));
  }
  holder->run_thread();
  return std::shared_ptr<Connection>(holder);
}

}  // namespace arcp
