#include "tls_client_flags.hpp"

namespace arcp::cli {

void add_tls_client_flags(CLI::App* cmd, TlsClientFlags& flags) {
  cmd->add_option("--ca-file", flags.ca_file,
                  "wss://: PEM bundle of the CAs to verify the runtime with (default: the "
                  "system's)");
  auto* cert = cmd->add_option("--client-cert", flags.client_cert,
                               "wss:// mTLS: PEM client certificate (chain) to present");
  auto* key = cmd->add_option("--client-key", flags.client_key,
                              "wss:// mTLS: PEM private key of --client-cert");
  cert->needs(key);
  key->needs(cert);
}

void apply_tls_client_flags(const TlsClientFlags& flags, WebSocketClientOptions& ws) {
  ws.ca_file = flags.ca_file;
  ws.tls_client_cert_file = flags.client_cert;
  ws.tls_client_key_file = flags.client_key;
}

}  // namespace arcp::cli
