// Internal: client-side TLS set-up shared by the WebSocket client and
// `net.fetch`, so both verify servers the same way.
#pragma once

#include <arcp/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl.hpp>
#include <string>

namespace arcp::transport {

/// Peer verification on, trusting `ca_file` alone when given, else the
/// system store. A CA file that cannot be loaded is the caller's mistake.
inline Result<void> load_client_trust(boost::asio::ssl::context& ctx, const std::string& ca_file) {
  boost::system::error_code ec;
  ctx.set_verify_mode(boost::asio::ssl::verify_peer);
  if (!ca_file.empty())
    ctx.load_verify_file(ca_file, ec);
  else
    ctx.set_default_verify_paths(ec);
  if (ec) return Error(ErrorCode::kInvalidRequest, "cannot load CA file: " + ec.message());
  return {};
}

/// mTLS: the certificate chain and key this client presents when asked.
/// Paths may appear in errors; key material never does.
inline Result<void> load_client_certificate(boost::asio::ssl::context& ctx,
                                            const std::string& cert_file,
                                            const std::string& key_file) {
  if (cert_file.empty() && key_file.empty()) return {};
  if (cert_file.empty() || key_file.empty())
    return Error(ErrorCode::kInvalidRequest,
                 "a TLS client certificate needs both its certificate and its key file");
  boost::system::error_code ec;
  ctx.use_certificate_chain_file(cert_file, ec);
  if (ec)
    return Error(ErrorCode::kInvalidRequest,
                 "cannot load TLS client certificate '" + cert_file + "': " + ec.message());
  ctx.use_private_key_file(key_file, boost::asio::ssl::context::pem, ec);
  if (ec || SSL_CTX_check_private_key(ctx.native_handle()) != 1)
    return Error(ErrorCode::kInvalidRequest,
                 "cannot use TLS client key '" + key_file +
                     "': it does not load or does not match the certificate '" + cert_file + "'");
  return {};
}

/// Names the server on a client stream (asio or Beast ssl stream): SNI for
/// host names (RFC 6066 forbids IP literals there) and, when `verify_host`,
/// a certificate check against `host` (DNS name or IP address).
template <class SslStream>
Result<void> set_peer_host(SslStream& stream, const std::string& host, bool verify_host = true) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  bool ip_literal = !ec;
  if (!ip_literal && !SSL_set_tlsext_host_name(stream.native_handle(), host.c_str()))
    return Error(ErrorCode::kInternalError, "cannot set TLS SNI");
  if (verify_host) stream.set_verify_callback(boost::asio::ssl::host_name_verification(host));
  return {};
}

}  // namespace arcp::transport
