// §6.1 authentication by JWT (RFC 7519): compact JWS tokens verified against a
// JWKS file (RFC 7517), with exp/nbf/iat/aud/iss checks and an optional claim
// that carries the token's own lease ceiling.
#pragma once

#include <arcp/authenticator.hpp>
#include <arcp/error.hpp>
#include <arcp/time.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace arcp {

struct JwtOptions {
  /// JWKS (RFC 7517) JSON file: {"keys":[...]}. Reloaded when it changes; a
  /// new file that is invalid leaves the previous keys in force.
  std::string jwks_file;
  /// Required `aud` member (string or array) when non-empty.
  std::string audience;
  /// Exact `iss` when non-empty.
  std::string issuer;
  std::string principal_claim = "sub";
  /// Optional claim holding a lease object: the most this token may be
  /// granted (Identity::lease_ceiling).
  std::string lease_claim;
  /// Clock skew allowed for exp/nbf/iat.
  std::chrono::seconds leeway{30};
  bool require_exp = true;
  /// For tests; default: the system clock.
  std::function<SystemTime()> clock;
};

/// Verifies HS256/384/512, RS256, PS256, ES256 and EdDSA (Ed25519) tokens;
/// failures are UNAUTHENTICATED with details.reason (malformed_token,
/// unsupported_alg, unknown_key, bad_signature, expired, not_yet_valid,
/// issued_in_future, wrong_audience, wrong_issuer, missing_principal,
/// bad_claims) and never echo the token. Fails (INVALID_REQUEST) when the
/// JWKS file is missing, unreadable, invalid or has no usable key.
Result<std::shared_ptr<const Authenticator>> make_jwt_authenticator(JwtOptions options);

}  // namespace arcp
