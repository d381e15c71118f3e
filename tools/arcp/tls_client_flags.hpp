// The TLS options every client command takes (--ca-file, --client-cert,
// --client-key), defined once.
#pragma once

#include <CLI/CLI.hpp>
#include <arcp/transports.hpp>
#include <string>

namespace arcp::cli {

struct TlsClientFlags {
  std::string ca_file;
  std::string client_cert;
  std::string client_key;
};

/// Registers the flags on `cmd`, storing into `flags` (which must outlive parsing).
void add_tls_client_flags(CLI::App* cmd, TlsClientFlags& flags);

/// Copies the flags into the WebSocket options of a client connection.
void apply_tls_client_flags(const TlsClientFlags& flags, WebSocketClientOptions& ws);

}  // namespace arcp::cli
