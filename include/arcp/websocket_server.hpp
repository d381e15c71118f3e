// WebSocket (ws:// and wss://) listener handing each upgraded socket to a callback.
#pragma once

#include <arcp/connection.hpp>
#include <arcp/error.hpp>
#include <arcp/log.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace arcp {

/// The answer to a plain HTTP GET on the listener (metrics, health checks).
struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

struct WebSocketServerOptions {
  /// `ws://host:port/path` or `wss://…`; port 0 picks a free port.
  std::string listen_url = "ws://127.0.0.1:7777/arcp";
  /// Host header allow-list (DNS-rebinding defence), also applied to an `Origin`
  /// header when one is sent. Entries: a name, an IPv4 address, `::1` or `[::1]`,
  /// each with an optional `:port` (then only that port matches), or "*" (any).
  /// Empty = loopback names plus the listen host. A malformed entry fails start().
  std::vector<std::string> allowed_hosts;
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;
  std::string tls_cert_file;  // required for wss://
  std::string tls_key_file;
  /// wss:// only (mTLS): PEM bundle of the CAs client certificates are
  /// checked against. When set, the server asks for a client certificate; a
  /// presented one that does not verify fails the TLS handshake, while a
  /// connection without one still upgrades (with no peer identity: the ARCP
  /// layer decides, e.g. RuntimeOptions::require_client_certificate).
  /// Connection::peer_identity() then names the verified certificate: its
  /// first DNS, URI or email subjectAltName in the certificate's order, else
  /// its subject CN; empty when that is over 256 bytes or not printable ASCII.
  /// Set on a ws:// listener, start() fails.
  std::string tls_client_ca_file;
  /// Threads running this listener's sockets (each connection on its own
  /// strand). 0: one per core.
  int io_threads = 0;
  /// Plain GET requests (not WebSocket upgrades) that passed the Host and
  /// Origin checks: called with the path (no query) on a listener thread,
  /// so it must not block. nullopt: the default answer (426, or 404 for
  /// another path). Null: every such request gets the default answer.
  std::function<std::optional<HttpReply>(std::string_view path)> http_get;
  /// Where accept failures are reported; null: stderr.
  std::shared_ptr<const Logger> logger;
};

class WebSocketServer {
 public:
  using OnConnection = std::function<void(std::shared_ptr<Connection>)>;
  static Result<std::unique_ptr<WebSocketServer>> start(const WebSocketServerOptions& options,
                                                        OnConnection on_connection);
  virtual ~WebSocketServer() = default;
  /// The bound URL with the real port, e.g. `ws://127.0.0.1:40123/arcp`.
  virtual std::string url() const = 0;
  /// Stops accepting, closes every connection gracefully and joins I/O threads.
  virtual void stop() = 0;
};

}  // namespace arcp
