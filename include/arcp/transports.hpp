// Transport factories: in-memory pair, stdio (NDJSON), WebSocket client.
#pragma once

#include <arcp/connection.hpp>
#include <arcp/error.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace arcp {

/// Two connected in-process endpoints (client side, runtime side).
std::pair<std::shared_ptr<Connection>, std::shared_ptr<Connection>> make_memory_pair(
    std::size_t max_frame_bytes = kDefaultMaxFrameBytes);

/// NDJSON over a pair of file descriptors (e.g. this process's stdin/stdout).
std::shared_ptr<Connection> make_stdio_connection(
    int in_fd, int out_fd, std::size_t max_frame_bytes = kDefaultMaxFrameBytes);

/// Spawns `argv` as a child process and speaks NDJSON over its stdin/stdout.
/// Closing the connection closes the child's stdin and reaps it.
Result<std::shared_ptr<Connection>> spawn_stdio_child(
    const std::vector<std::string>& argv, std::size_t max_frame_bytes = kDefaultMaxFrameBytes);

struct WebSocketClientOptions {
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;
  /// For wss://: PEM file of trusted CA certificates (empty = system defaults).
  std::string ca_file;
  /// For wss://: skip certificate verification (tests only).
  bool insecure_skip_verify = false;
  /// For wss:// (mTLS): PEM client certificate chain and its private key,
  /// presented when the server asks. Both or neither; a file that does not
  /// load, a key that does not match, or either set for ws:// fails connect.
  std::string tls_client_cert_file;
  std::string tls_client_key_file;
  int connect_timeout_ms = 10000;
};

/// Connects to `ws://host:port/path` or `wss://…` and completes the upgrade.
Result<std::shared_ptr<Connection>> connect_websocket(const std::string& url,
                                                      const WebSocketClientOptions& options = {});

}  // namespace arcp
