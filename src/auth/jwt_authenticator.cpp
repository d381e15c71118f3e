// The JWT authenticator: a compact JWS verified against the JWKS file's keys
// (reloaded when the file changes), then its claims checked.
#include <sys/stat.h>

#include <arcp/jwt_authenticator.hpp>
#include <cstdio>
#include <mutex>

#include "auth/jwks.hpp"
#include "auth/jws_verify.hpp"
#include "auth/jwt_claims.hpp"

namespace arcp {
namespace {

// What identifies one version of the JWKS file: a rotation that replaces it
// (rename: new inode) or rewrites it in place (mtime/size) changes this.
struct FileStamp {
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = -1;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

std::optional<FileStamp> stamp_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileStamp{st.st_dev, st.st_ino, st.st_size,
                   std::int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec};
}

class JwtAuthenticator final : public Authenticator {
 public:
  JwtAuthenticator(JwtOptions options, auth::Jwks keys, std::optional<FileStamp> stamp)
      : path_(std::move(options.jwks_file)),
        clock_(std::move(options.clock)),
        keys_(std::make_shared<const auth::Jwks>(std::move(keys))),
        stamp_(stamp) {
    rules_.audience = std::move(options.audience);
    rules_.issuer = std::move(options.issuer);
    rules_.principal_claim = std::move(options.principal_claim);
    rules_.lease_claim = std::move(options.lease_claim);
    rules_.leeway = options.leeway;
    rules_.require_exp = options.require_exp;
  }

  Result<Identity> authenticate(const AuthRequest& request) const override {
    auto jws = auth::parse_compact_jws(request.hello.token);
    if (!jws) return jws.error();
    auto keys = current_keys();
    const auth::Jwk* key = nullptr;
    if (!jws->kid.empty()) {
      bool kid_known = false;
      for (const auto& k : keys->keys) {
        if (k.kid != jws->kid) continue;
        kid_known = true;
        if (k.allows(jws->alg)) {
          key = &k;
          break;
        }
      }
      if (!kid_known) return auth_failure("unknown_key", "no key has the token's kid");
      if (key == nullptr)
        return auth_failure("unsupported_alg", "the token's key does not verify " +
                                                   std::string(auth::jws_alg_name(jws->alg)));
    } else {
      // Without a kid the key must be unambiguous: exactly one allows the alg.
      std::size_t candidates = 0;
      for (const auto& k : keys->keys)
        if (k.allows(jws->alg)) {
          key = &k;
          ++candidates;
        }
      if (candidates != 1)
        return auth_failure("unknown_key",
                            candidates == 0
                                ? "no key verifies " + std::string(auth::jws_alg_name(jws->alg))
                                : "the token has no kid and several keys verify " +
                                      std::string(auth::jws_alg_name(jws->alg)));
    }
    if (!auth::verify_jws_signature(*key, *jws))
      return auth_failure("bad_signature", "the token's signature does not verify");
    return auth::check_jwt_claims(jws->payload, rules_,
                                  clock_ ? clock_() : std::chrono::system_clock::now());
  }

 private:
  // The file is stat()ed on every call rather than at most once a second:
  // a stat is a microsecond against a signature check's tens, it needs no
  // clock of its own (the configured one may be a test's fixed time), and a
  // rotation is seen by the very next hello.
  std::shared_ptr<const auth::Jwks> current_keys() const {
    auto now_stamp = stamp_of(path_);
    std::lock_guard lock(mu_);
    if (!now_stamp) {
      // Deleted (an emergency revocation, say): fail closed until it is back.
      if (stamp_ || !keys_->keys.empty())
        std::fprintf(stderr,
                     "arcp: the JWKS file is gone; every JWT is refused until it returns\n");
      stamp_.reset();
      keys_ = std::make_shared<const auth::Jwks>();
      return keys_;
    }
    if (now_stamp != stamp_) reload(*now_stamp);
    return keys_;
  }

  // Under mu_. An invalid new file keeps the previous keys; its stamp is
  // remembered so it is not re-read on every hello, and a further change is
  // tried again.
  void reload(const FileStamp& seen) const {
    auto fresh = auth::load_jwks_file(path_);
    auto after = stamp_of(path_);
    // Changed while being read (a writer mid-way): try again on the next call.
    if (after == seen) stamp_ = seen;
    if (!fresh) {
      if (after == seen)
        std::fprintf(stderr, "arcp: JWKS reload failed, keeping the previous keys: %s\n",
                     fresh.error().message.c_str());
      return;
    }
    keys_ = std::make_shared<const auth::Jwks>(std::move(fresh.value()));
  }

  std::string path_;
  std::function<SystemTime()> clock_;
  auth::ClaimRules rules_;
  mutable std::mutex mu_;
  mutable std::shared_ptr<const auth::Jwks> keys_;
  mutable std::optional<FileStamp> stamp_;
};

}  // namespace

Result<std::shared_ptr<const Authenticator>> make_jwt_authenticator(JwtOptions options) {
  if (options.jwks_file.empty())
    return Error(ErrorCode::kInvalidRequest, "JWT authentication needs a JWKS file");
  if (options.principal_claim.empty())
    return Error(ErrorCode::kInvalidRequest, "the JWT principal claim must not be empty");
  if (options.leeway.count() < 0 || options.leeway > std::chrono::hours(24))
    return Error(ErrorCode::kInvalidRequest, "the JWT leeway must be 0 to 86400 seconds");
  auto stamp = stamp_of(options.jwks_file);
  auto keys = auth::load_jwks_file(options.jwks_file);
  if (!keys) return keys.error();
  return std::shared_ptr<const Authenticator>(
      std::make_shared<JwtAuthenticator>(std::move(options), std::move(keys.value()), stamp));
}

}  // namespace arcp
