// Internal: the identity a verified TLS client certificate names (mTLS), as
// Connection::peer_identity() reports it. OpenSSL types stay in src/transport.
#pragma once

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace arcp::transport {

/// Longest peer identity accepted; a longer one counts as none.
inline constexpr std::size_t kMaxPeerIdentityBytes = 256;

/// True for 1..kMaxPeerIdentityBytes bytes of printable ASCII (0x20–0x7E):
/// an identity becomes a principal, shown in logs and listings.
bool is_acceptable_peer_identity(std::string_view identity);

/// The identity `cert` names: its first subjectAltName entry of type DNS,
/// URI or email, in the certificate's own SAN order (IP addresses and other
/// types are skipped); with no such entry, its subject commonName (exactly
/// one). Empty when there is neither, or when the chosen value is not
/// acceptable (no fallback to a later entry: a certificate whose first name
/// is odd maps to nobody rather than to someone else).
std::string peer_identity_of(X509* cert);

/// The identity of the peer certificate of a completed server-side
/// handshake, only when OpenSSL verified it (X509_V_OK); empty otherwise.
std::string verified_peer_identity(SSL* ssl);

}  // namespace arcp::transport
