// The runtime's authentication order (§6.1): JWT, bearer tokens, mTLS peer
// identity, anonymous — each only when configured.
#include <algorithm>
#include <arcp/authenticator.hpp>

namespace arcp {

Error auth_failure(std::string_view reason, std::string message) {
  return Error(ErrorCode::kUnauthenticated, std::move(message),
               json::object{{"reason", json::string(reason)}});
}

std::string auth_failure_reason(const Error& error) {
  if (const auto* r = error.details.if_contains("reason"); r != nullptr && r->is_string())
    return std::string(r->get_string());
  return "unknown";
}

bool looks_like_jwt(std::string_view token) {
  if (std::count(token.begin(), token.end(), '.') != 2) return false;
  auto is_b64url = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  };
  return token.size() >= 5 && token.front() != '.' &&
         std::all_of(token.begin(), token.end(), is_b64url);
}

Result<Identity> ChainAuthenticator::authenticate(const AuthRequest& request) const {
  const Hello& hello = request.hello;
  if (require_peer_identity && request.peer_identity.empty())
    return auth_failure("missing_client_certificate",
                        "this runtime requires a client certificate (mTLS)");
  if (!hello.token.empty()) {
    if (jwt && looks_like_jwt(hello.token)) return jwt->authenticate(request);
    if (bearer) return bearer->authenticate(request);
    if (jwt) return auth_failure("malformed_token", "the token is not a JWT");
    if (allow_anonymous) return Identity{"anonymous", "anonymous", std::nullopt};
    return auth_failure("unknown_token", "unknown bearer token");
  }
  if (trust_peer_identity && !request.peer_identity.empty())
    return Identity{std::string(request.peer_identity), "mtls", std::nullopt};
  if (allow_anonymous) return Identity{"anonymous", "anonymous", std::nullopt};
  return auth_failure("missing_token", "missing bearer token");
}

}  // namespace arcp
