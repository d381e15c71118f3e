#include <arcp/authenticator.hpp>

#include "auth/secure_random.hpp"

namespace arcp {

void BearerAuthenticator::add_token(std::string_view token, std::string principal) {
  entries_.push_back({auth::sha256(token), std::move(principal)});
}

Result<Identity> BearerAuthenticator::authenticate(const AuthRequest& request) const {
  const Hello& hello = request.hello;
  if (hello.token.empty()) return auth_failure("missing_token", "missing bearer token");
  if (!hello.auth_scheme.empty() && hello.auth_scheme != "bearer")
    return auth_failure("unsupported_scheme", "unsupported auth scheme");
  // Compare digests (fixed length) against every entry so timing reveals nothing.
  const std::string digest = auth::sha256(hello.token);
  const std::string* match = nullptr;
  for (const auto& e : entries_)
    if (auth::constant_time_equal(digest, e.digest) && match == nullptr) match = &e.principal;
  if (match == nullptr) return auth_failure("unknown_token", "unknown bearer token");
  return Identity{*match, "bearer", std::nullopt};
}

}  // namespace arcp
