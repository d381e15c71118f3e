// Internal: a JWK Set (RFC 7517) parsed into verification keys, each with the
// algorithms it may verify (RFC 7518 §3.1 names) — the allow-list that keeps
// an HMAC header from being checked against an RSA key (algorithm confusion).
#pragma once

#include <arcp/error.hpp>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

typedef struct evp_pkey_st EVP_PKEY;  // NOLINT: OpenSSL's own forward name

namespace arcp::auth {

enum class JwsAlg { kHs256, kHs384, kHs512, kRs256, kPs256, kEs256, kEdDsa };

/// The JWS `alg` names this runtime verifies; nullopt for anything else
/// (including "none").
std::optional<JwsAlg> parse_jws_alg(std::string_view name);
std::string_view jws_alg_name(JwsAlg alg);

struct Jwk {
  std::string kid;  // may be empty
  std::vector<JwsAlg> algs;
  std::shared_ptr<EVP_PKEY> key;  // RSA, EC P-256 or Ed25519 public key
  std::string secret;             // oct keys (HMAC)
  bool allows(JwsAlg alg) const;
};

struct Jwks {
  std::vector<Jwk> keys;
};

inline constexpr std::size_t kMaxJwksBytes = std::size_t{1} << 20;
inline constexpr std::size_t kMaxJwksKeys = 256;

/// Keys with `use` other than "sig" or a kty/crv/alg this runtime does not
/// verify are skipped; a key of a known kind with bad material (an HMAC
/// secret under 32 bytes, an RSA modulus under 2048 bits, a point off the
/// curve) or an `alg` that does not fit its kty refuses the whole set.
/// Errors name what is wrong, never key material. No usable key is an error.
Result<Jwks> parse_jwks(std::string_view text);
/// parse_jwks of a file (≤ kMaxJwksBytes); errors name the file.
Result<Jwks> load_jwks_file(const std::string& path);

}  // namespace arcp::auth
