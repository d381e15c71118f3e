#include "transport/tls_peer_identity.hpp"

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <memory>

namespace arcp::transport {
namespace {

std::string_view view_of(const ASN1_STRING* s) {
  if (s == nullptr) return {};
  return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
          static_cast<std::size_t>(ASN1_STRING_length(s))};
}

// `found`: the certificate has a SAN entry of an accepted type (its value may still be unusable).
struct SanPick {
  bool found = false;
  std::string value;
};

SanPick first_named_san(X509* cert) {
  SanPick pick;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return pick;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    const ASN1_IA5STRING* s = nullptr;
    if (gn->type == GEN_DNS)
      s = gn->d.dNSName;
    else if (gn->type == GEN_URI)
      s = gn->d.uniformResourceIdentifier;
    else if (gn->type == GEN_EMAIL)
      s = gn->d.rfc822Name;
    else
      continue;
    pick.found = true;
    pick.value = std::string(view_of(s));
    break;
  }
  GENERAL_NAMES_free(names);
  return pick;
}

std::string common_name(X509* cert) {
  X509_NAME* subject = X509_get_subject_name(cert);
  if (subject == nullptr) return {};
  int at = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (at < 0) return {};
  // Two CNs: which one names the peer is ambiguous.
  if (X509_NAME_get_index_by_NID(subject, NID_commonName, at) >= 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at));
  // Any string type (BMPString, UTF8String, …) as UTF-8; non-ASCII is refused after.
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, data);
  if (n < 0) return {};
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

}  // namespace

bool is_acceptable_peer_identity(std::string_view identity) {
  if (identity.empty() || identity.size() > kMaxPeerIdentityBytes) return false;
  return std::all_of(identity.begin(), identity.end(),
                     [](char c) { return c >= 0x20 && c <= 0x7E; });
}

std::string peer_identity_of(X509* cert) {
  if (cert == nullptr) return {};
  auto san = first_named_san(cert);
  std::string identity = san.found ? std::move(san.value) : common_name(cert);
  if (!is_acceptable_peer_identity(identity)) return {};
  return identity;
}

std::string verified_peer_identity(SSL* ssl) {
  if (ssl == nullptr) return {};
  std::unique_ptr<X509, decltype(&X509_free)> cert(SSL_get1_peer_certificate(ssl), &X509_free);
  if (!cert || SSL_get_verify_result(ssl) != X509_V_OK) return {};
  return peer_identity_of(cert.get());
}

}  // namespace arcp::transport
