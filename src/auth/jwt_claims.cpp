// exp/nbf/iat with leeway, aud/iss, the principal claim and the lease claim.
#include "auth/jwt_claims.hpp"

#include <cmath>

namespace arcp::auth {
namespace {

// A NumericDate (seconds since the epoch, maybe fractional); bad_claims when
// present and not a finite number.
Result<std::optional<double>> numeric_date(const json::object& payload, std::string_view name) {
  const auto* v = payload.if_contains(name);
  if (v == nullptr) return std::optional<double>{};
  auto n = as_number(*v);
  if (!n || !std::isfinite(*n))
    return auth_failure("bad_claims", "the token's '" + std::string(name) + "' is not a number");
  return std::optional<double>(*n);
}

bool audience_matches(const json::value& aud, std::string_view want) {
  if (aud.is_string()) return aud.as_string() == want;
  if (!aud.is_array()) return false;
  for (const auto& a : aud.as_array())
    if (a.is_string() && a.as_string() == want) return true;
  return false;
}

}  // namespace

Result<Identity> check_jwt_claims(const json::object& payload, const ClaimRules& rules,
                                  SystemTime now_tp) {
  const double now = std::chrono::duration<double>(now_tp.time_since_epoch()).count();
  const auto leeway = static_cast<double>(rules.leeway.count());

  auto exp = numeric_date(payload, "exp");
  if (!exp) return exp.error();
  if (!*exp && rules.require_exp) return auth_failure("bad_claims", "the token has no 'exp'");
  if (*exp && now >= **exp + leeway) return auth_failure("expired", "the token has expired");
  auto nbf = numeric_date(payload, "nbf");
  if (!nbf) return nbf.error();
  if (*nbf && now + leeway < **nbf)
    return auth_failure("not_yet_valid", "the token is not valid yet (nbf)");
  auto iat = numeric_date(payload, "iat");
  if (!iat) return iat.error();
  if (*iat && **iat > now + leeway)
    return auth_failure("issued_in_future", "the token was issued in the future (iat)");

  if (!rules.audience.empty()) {
    const auto* aud = payload.if_contains("aud");
    if (aud == nullptr || !audience_matches(*aud, rules.audience))
      return auth_failure("wrong_audience", "the token is not for this audience");
  } else if (payload.contains("aud")) {
    // RFC 7519 §4.1.3: a token naming audiences is for them only; a runtime
    // with no audience of its own is not among them.
    return auth_failure("wrong_audience",
                        "the token names an audience and this runtime has none configured");
  }
  if (!rules.issuer.empty()) {
    const auto* iss = get_string(payload, "iss");
    if (iss == nullptr || *iss != rules.issuer)
      return auth_failure("wrong_issuer", "the token is not from the expected issuer");
  }

  Identity identity;
  identity.method = "jwt";
  const auto* principal = get_string(payload, rules.principal_claim);
  if (principal == nullptr || principal->empty() || principal->size() > kMaxPrincipalBytes)
    return auth_failure("missing_principal", "the token's '" + rules.principal_claim +
                                                 "' claim is not a string of 1 to 256 bytes");
  identity.principal = std::string(*principal);
  if (!rules.lease_claim.empty())
    if (const auto* lease = payload.if_contains(rules.lease_claim)) {
      if (!lease->is_object())
        return auth_failure("bad_claims",
                            "the token's '" + rules.lease_claim + "' claim is not a lease object");
      identity.lease_ceiling = lease->as_object();
    }
  return identity;
}

}  // namespace arcp::auth
