#include <arcp/authenticator.hpp>

#include "auth/secure_random.hpp"

namespace arcp {

void BearerAuthenticator::add_token(std::string_view token, std::string principal) {
  entries_.push_back({auth::sha256(token), std::move(principal)});
}

Result<std::string> BearerAuthenticator::authenticate(const Hello& hello) const {
  if (entries_.empty() && anonymous_) return std::string("anonymous");
  if (hello.token.empty()) return Error(ErrorCode::kUnauthenticated, "missing bearer token");
  if (!hello.auth_scheme.empty() && hello.auth_scheme != "bearer")
    return Error(ErrorCode::kUnauthenticated, "unsupported auth scheme");
  // Compare digests (fixed length) against every entry so timing reveals nothing.
  const std::string digest = auth::sha256(hello.token);
  const std::string* match = nullptr;
  for (const auto& e : entries_)
    if (auth::constant_time_equal(digest, e.digest) && match == nullptr) match = &e.principal;
  if (match == nullptr) return Error(ErrorCode::kUnauthenticated, "unknown bearer token");
  return *match;
}

}  // namespace arcp
