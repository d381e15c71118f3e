// Test helper: keys generated at test time (RSA-2048, EC P-256, Ed25519, a
// random HMAC secret), their JWKS, and compact JWS tokens signed with them —
// or deliberately wrong (alg none, algorithm confusion, tampering).
#pragma once

#include <arcp/json.hpp>
#include <memory>
#include <string>
#include <string_view>

namespace arcp::test {

std::string b64url(std::string_view bytes);

class JwtSigner {
 public:
  JwtSigner();
  ~JwtSigner();
  JwtSigner(const JwtSigner&) = delete;
  JwtSigner& operator=(const JwtSigner&) = delete;

  /// Public JWKs (the secret for "oct"), kid = `kid`, no `alg` member.
  json::object rsa_jwk(const std::string& kid) const;
  json::object ec_jwk(const std::string& kid) const;
  json::object ed25519_jwk(const std::string& kid) const;
  json::object hmac_jwk(const std::string& kid) const;
  /// All four, kids "rsa", "ec", "ed", "hs".
  json::object jwks() const;

  /// A token signed under `alg` (HS256/384/512 → the HMAC secret, RS256/PS256
  /// → RSA, ES256 → EC, EdDSA → Ed25519); `header` members are added to
  /// {alg, typ} (e.g. kid), a kid of "" is left out.
  std::string sign(const std::string& alg, const json::object& payload,
                   const std::string& kid = "default", json::object header = {}) const;
  /// HMAC-signs `header`.`payload` with `secret` under `hmac_alg` (HS256…),
  /// whatever `header` claims.
  static std::string sign_hmac_raw(const json::object& header, const json::object& payload,
                                   std::string_view secret, const std::string& hmac_alg = "HS256");
  /// The RSA public key as PEM (SubjectPublicKeyInfo): the "secret" of the
  /// classic algorithm-confusion attack.
  std::string rsa_public_pem() const;
  const std::string& hmac_secret() const;

 private:
  struct Keys;
  std::unique_ptr<Keys> keys_;
};

}  // namespace arcp::test
