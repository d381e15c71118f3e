// §6.1 authentication: maps a hello's credentials (and the transport's
// verified peer identity, e.g. an mTLS client certificate) to a principal.
#pragma once

#include <arcp/error.hpp>
#include <arcp/json.hpp>
#include <arcp/session_messages.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace arcp {

/// What an authenticator sees of one handshake.
struct AuthRequest {
  const Hello& hello;
  /// The identity the transport verified (mTLS: the client certificate's
  /// SAN, else its subject CN); empty when the transport verified none.
  std::string_view peer_identity;
};

/// Who a handshake authenticated as.
struct Identity {
  std::string principal;
  /// How: "bearer", "jwt", "mtls" or "anonymous" (logs, metrics, spans).
  std::string method;
  /// The most this principal may be granted on this connection (a lease
  /// object, e.g. from a JWT claim): a submit's lease is narrowed to it,
  /// never widened (v1.0 §7.1). nullopt: no ceiling of its own.
  std::optional<json::object> lease_ceiling;
};

/// Failures carry UNAUTHENTICATED and `details.reason`, a short stable label
/// (`missing_token`, `unknown_token`, `expired`, `bad_signature`, …) used for
/// metrics and audit; messages never echo a token.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual Result<Identity> authenticate(const AuthRequest& request) const = 0;
};

/// An UNAUTHENTICATED error with `details.reason`.
Error auth_failure(std::string_view reason, std::string message);
/// The `details.reason` of an auth failure ("unknown" when it has none).
std::string auth_failure_reason(const Error& error);

/// Static bearer tokens mapped to principals; tokens are kept as SHA-256
/// digests and compared in constant time.
class BearerAuthenticator final : public Authenticator {
 public:
  void add_token(std::string_view token, std::string principal);
  Result<Identity> authenticate(const AuthRequest& request) const override;
  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    std::string digest;
    std::string principal;
  };
  std::vector<Entry> entries_;
};

/// Tries each way a deployment accepts, in order: a token that is a JWT (three
/// base64url segments) goes to the JWT authenticator when one is configured,
/// any other token to the bearer tokens; a hello without a token authenticates
/// by the transport's verified peer identity (mTLS) when `trust_peer_identity`,
/// else as "anonymous" only when `allow_anonymous`. With neither bearer tokens
/// nor JWT configured and `allow_anonymous`, a token is ignored (a development
/// runtime). Nothing else passes.
class ChainAuthenticator final : public Authenticator {
 public:
  std::shared_ptr<const Authenticator> bearer;  // may be null
  std::shared_ptr<const Authenticator> jwt;     // may be null
  bool trust_peer_identity = false;
  /// Refuse a hello on a connection whose transport verified no peer
  /// identity (mTLS required), whatever token it carries.
  bool require_peer_identity = false;
  bool allow_anonymous = false;
  Result<Identity> authenticate(const AuthRequest& request) const override;
};

/// True when `token` has the shape of a compact JWS (header.payload.signature).
bool looks_like_jwt(std::string_view token);

}  // namespace arcp
