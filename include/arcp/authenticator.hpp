// §6.1 authentication: maps the hello's credentials to a principal.
#pragma once

#include <arcp/error.hpp>
#include <arcp/session_messages.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace arcp {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  /// Returns the principal, or UNAUTHENTICATED (message never echoes the token).
  virtual Result<std::string> authenticate(const Hello& hello) const = 0;
};

/// Static bearer tokens mapped to principals; tokens are kept as SHA-256
/// digests and compared in constant time.
class BearerAuthenticator final : public Authenticator {
 public:
  void add_token(std::string_view token, std::string principal);
  /// When no tokens are configured, hellos without a token authenticate as
  /// `anonymous` (a development convenience; off by default).
  void allow_anonymous(bool allow) { anonymous_ = allow; }
  Result<std::string> authenticate(const Hello& hello) const override;
  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    std::string digest;
    std::string principal;
  };
  std::vector<Entry> entries_;
  bool anonymous_ = false;
};

}  // namespace arcp
