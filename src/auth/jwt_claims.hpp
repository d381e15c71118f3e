// Internal: the registered claims of a verified JWT (RFC 7519 §4.1) checked
// against the runtime's rules, and the Identity they name.
#pragma once

#include <arcp/authenticator.hpp>
#include <arcp/error.hpp>
#include <arcp/json.hpp>
#include <arcp/time.hpp>
#include <chrono>
#include <string>

namespace arcp::auth {

struct ClaimRules {
  std::string audience;  // required in `aud` when non-empty
  std::string issuer;    // exact `iss` when non-empty
  std::string principal_claim = "sub";
  std::string lease_claim;  // optional
  std::chrono::seconds leeway{30};
  bool require_exp = true;
};

inline constexpr std::size_t kMaxPrincipalBytes = 256;

/// The identity (method "jwt") of a payload whose signature has been
/// verified; failures are auth failures (expired, not_yet_valid,
/// issued_in_future, wrong_audience, wrong_issuer, missing_principal,
/// bad_claims) whose messages name the claim, never its value.
Result<Identity> check_jwt_claims(const json::object& payload, const ClaimRules& rules,
                                  SystemTime now);

}  // namespace arcp::auth
