// JWS signatures with OpenSSL 3: HMAC compared in constant time, RSA
// PKCS#1 v1.5 and PSS, ECDSA P-256 (raw r||s → DER) and Ed25519.
#include "auth/jws_verify.hpp"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include <memory>

#include "core/base64.hpp"

namespace arcp::auth {
namespace {

constexpr std::size_t kMaxKidBytes = 256;

struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct SigFree {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};

Error malformed(std::string message) {
  return auth_failure("malformed_token", std::move(message));
}

std::optional<json::object> decode_object(std::string_view segment) {
  auto bytes = core::base64url_decode(segment);
  if (!bytes) return std::nullopt;
  auto doc = parse_json(*bytes);
  if (!doc || !doc->is_object()) return std::nullopt;
  return std::move(doc->as_object());
}

bool verify_hmac(const Jwk& key, const EVP_MD* md, std::string_view input, const std::string& sig) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(md, key.secret.data(), static_cast<int>(key.secret.size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
           &len) == nullptr)
    return false;
  return sig.size() == len && CRYPTO_memcmp(mac, sig.data(), len) == 0;
}

// EVP_DigestVerify with an optional RSA-PSS setup (salt = digest length, RFC 7518 §3.5).
bool verify_digest(EVP_PKEY* pkey, const EVP_MD* md, bool pss, std::string_view input,
                   const std::string& sig) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, pkey) <= 0) return false;
  if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
              EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0 ||
              EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) <= 0))
    return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
}

// JWS carries ECDSA as fixed-width r||s (RFC 7518 §3.4); OpenSSL wants DER.
bool verify_es256(EVP_PKEY* pkey, std::string_view input, const std::string& sig) {
  if (sig.size() != 64) return false;
  const auto* raw = reinterpret_cast<const unsigned char*>(sig.data());
  std::unique_ptr<ECDSA_SIG, SigFree> ecdsa(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw, 32, nullptr);
  BIGNUM* s = BN_bin2bn(raw + 32, 32, nullptr);
  if (!ecdsa || r == nullptr || s == nullptr || ECDSA_SIG_set0(ecdsa.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(ecdsa.get(), &der);
  if (der_len <= 0) return false;
  std::string der_sig(reinterpret_cast<char*>(der), static_cast<std::size_t>(der_len));
  OPENSSL_free(der);
  return verify_digest(pkey, EVP_sha256(), false, input, der_sig);
}

}  // namespace

Result<CompactJws> parse_compact_jws(std::string_view token) {
  if (token.size() > kMaxJwtBytes) return malformed("the token is larger than 16384 bytes");
  auto first = token.find('.');
  auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return malformed("the token is not a compact JWS (header.payload.signature)");
  CompactJws out;
  auto header = decode_object(token.substr(0, first));
  if (!header) return malformed("the token's header is not base64url-encoded JSON object");
  auto payload = decode_object(token.substr(first + 1, second - first - 1));
  if (!payload) return malformed("the token's payload is not a base64url-encoded JSON object");
  auto signature = core::base64url_decode(token.substr(second + 1));
  if (!signature) return malformed("the token's signature is not base64url");
  if (header->contains("crit"))
    return malformed("the token's header has 'crit' extensions, which are not supported");
  const auto* alg = get_string(*header, "alg");
  if (alg == nullptr) return malformed("the token's header has no 'alg'");
  auto parsed = parse_jws_alg(*alg);
  if (!parsed)
    return auth_failure("unsupported_alg", *alg == "none"
                                               ? "unsigned tokens (alg none) are not accepted"
                                               : "the token's algorithm is not supported");
  if (const auto* kid = header->if_contains("kid")) {
    if (!kid->is_string() || kid->as_string().empty() || kid->as_string().size() > kMaxKidBytes)
      return malformed("the token's 'kid' must be a non-empty string of at most 256 bytes");
    out.kid = std::string(kid->as_string());
  }
  out.alg = *parsed;
  out.header = std::move(*header);
  out.payload = std::move(*payload);
  out.signing_input = token.substr(0, second);
  out.signature = std::move(*signature);
  return out;
}

bool verify_jws_signature(const Jwk& key, const CompactJws& jws) {
  if (!key.allows(jws.alg)) return false;  // never a key outside its allow-list
  switch (jws.alg) {
    case JwsAlg::kHs256:
      return verify_hmac(key, EVP_sha256(), jws.signing_input, jws.signature);
    case JwsAlg::kHs384:
      return verify_hmac(key, EVP_sha384(), jws.signing_input, jws.signature);
    case JwsAlg::kHs512:
      return verify_hmac(key, EVP_sha512(), jws.signing_input, jws.signature);
    case JwsAlg::kRs256:
    case JwsAlg::kPs256:
      return key.key && verify_digest(key.key.get(), EVP_sha256(), jws.alg == JwsAlg::kPs256,
                                      jws.signing_input, jws.signature);
    case JwsAlg::kEs256:
      return key.key && verify_es256(key.key.get(), jws.signing_input, jws.signature);
    case JwsAlg::kEdDsa:
      return key.key &&
             verify_digest(key.key.get(), nullptr, false, jws.signing_input, jws.signature);
  }
  return false;
}

}  // namespace arcp::auth
