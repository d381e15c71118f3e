// Internal: compact JWS (RFC 7515 §7.1) split and decoded, and a signature
// checked against one JWK. Nothing here echoes the token.
#pragma once

#include <arcp/authenticator.hpp>
#include <arcp/error.hpp>
#include <arcp/json.hpp>
#include <string>
#include <string_view>

#include "auth/jwks.hpp"

namespace arcp::auth {

inline constexpr std::size_t kMaxJwtBytes = 16U << 10U;

struct CompactJws {
  json::object header;
  json::object payload;
  std::string_view signing_input;  // header.payload, as sent (a view of the token)
  std::string signature;
  JwsAlg alg = JwsAlg::kHs256;
  std::string kid;  // empty when the header names none
};

/// Splits and decodes a token (≤ kMaxJwtBytes, checked first). Failures are
/// auth failures: malformed_token (shape, base64url, JSON, `crit`, `kid`) or
/// unsupported_alg (`none`, anything not verified here).
Result<CompactJws> parse_compact_jws(std::string_view token);

/// True when `jws.signature` is `key`'s signature of `jws.signing_input`
/// under `jws.alg`; the caller has checked key.allows(jws.alg).
bool verify_jws_signature(const Jwk& key, const CompactJws& jws);

}  // namespace arcp::auth
