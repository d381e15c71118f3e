// The JWT authenticator as a library: JWKS loading and its refusals, every
// algorithm, the claim checks with a fixed clock, the caps, and failure
// messages that never carry the token.
#include <gtest/gtest.h>

#include <arcp/jwt_authenticator.hpp>
#include <arcp/session_messages.hpp>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "auth/jwks.hpp"
#include "auth/jws_verify.hpp"
#include "support/jwt_signer.hpp"

namespace arcp::test {
namespace {

namespace fs = std::filesystem;
constexpr std::int64_t kNow = 1'900'000'000;

SystemTime at(std::int64_t sec) {
  return SystemTime(std::chrono::seconds(sec));
}

// One set of keys for the whole suite: RSA generation is the slow part.
const JwtSigner& signer() {
  static JwtSigner s;
  return s;
}

class JwtLib : public ::testing::Test {
 protected:
  JwtLib() {
    std::random_device rd;
    dir = fs::temp_directory_path() / ("arcp-jwt-unit-" + std::to_string(rd()));
    fs::create_directories(dir);
    jwks_path = (dir / "jwks.json").string();
    write(jwks_path, json::serialize(signer().jwks()));
  }
  ~JwtLib() override { fs::remove_all(dir); }

  static void write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  }

  JwtOptions options() const {
    JwtOptions o;
    o.jwks_file = jwks_path;
    o.audience = "arcp";
    o.issuer = "https://issuer.example";
    o.lease_claim = "arcp_lease";
    o.clock = [] { return at(kNow); };
    return o;
  }

  static json::object claims(json::object extra = {}) {
    json::object c{{"sub", "carol"},
                   {"aud", "arcp"},
                   {"iss", "https://issuer.example"},
                   {"iat", kNow - 10},
                   {"exp", kNow + 300}};
    for (const auto& m : extra) c[m.key()] = m.value();
    return c;
  }

  Result<Identity> auth(const std::string& token, JwtOptions o) {
    auto a = make_jwt_authenticator(std::move(o));
    if (!a) return a.error();
    Hello hello;
    hello.token = token;
    auto r = a.value()->authenticate(AuthRequest{hello, ""});
    if (!r) check_no_token_in(r.error(), token);
    return r;
  }
  Result<Identity> auth(const std::string& token) { return auth(token, options()); }

  static void check_no_token_in(const Error& e, const std::string& token) {
    std::string text = e.message + json::serialize(e.details);
    std::size_t start = 0;
    while (start <= token.size()) {
      auto end = token.find('.', start);
      if (end == std::string::npos) end = token.size();
      auto seg = token.substr(start, end - start);
      if (seg.size() >= 8) EXPECT_EQ(text.find(seg), std::string::npos) << text;
      start = end + 1;
    }
  }

  static std::string reason(const Result<Identity>& r) {
    return r ? "ok" : auth_failure_reason(r.error());
  }

  fs::path dir;
  std::string jwks_path;
};

TEST_F(JwtLib, EveryAlgorithmVerifiesWithItsKey) {
  for (std::string alg : {"HS256", "HS384", "HS512", "RS256", "PS256", "ES256", "EdDSA"}) {
    auto r = auth(signer().sign(alg, claims()));
    ASSERT_TRUE(r) << alg << ": " << r.error().describe();
    EXPECT_EQ(r->principal, "carol");
    EXPECT_EQ(r->method, "jwt");
    EXPECT_FALSE(r->lease_ceiling);
  }
}

TEST_F(JwtLib, TokensWithoutKidNeedExactlyOneKeyForTheirAlg) {
  // ES256: only "ec" verifies it.
  EXPECT_EQ(reason(auth(signer().sign("ES256", claims(), ""))), "ok");
  // Two RSA keys (no alg member) both verify RS256: ambiguous without a kid.
  json::object two{{"keys", json::array{signer().rsa_jwk("a"), signer().rsa_jwk("b")}}};
  write(jwks_path, json::serialize(two));
  EXPECT_EQ(reason(auth(signer().sign("RS256", claims(), ""))), "unknown_key");
  EXPECT_EQ(reason(auth(signer().sign("RS256", claims(), "b"))), "ok");
}

TEST_F(JwtLib, ClaimsAreCheckedWithLeeway) {
  auto r = [&](json::object extra) { return reason(auth(signer().sign("HS256", claims(extra)))); };
  EXPECT_EQ(r({{"exp", kNow - 29}}), "ok");  // within the 30 s leeway
  EXPECT_EQ(r({{"exp", kNow - 31}}), "expired");
  EXPECT_EQ(r({{"nbf", kNow + 29}}), "ok");
  EXPECT_EQ(r({{"nbf", kNow + 31}}), "not_yet_valid");
  EXPECT_EQ(r({{"iat", kNow + 31}}), "issued_in_future");
  EXPECT_EQ(r({{"exp", "soon"}}), "bad_claims");
  EXPECT_EQ(r({{"aud", "other"}}), "wrong_audience");
  EXPECT_EQ(r({{"aud", json::array{"other", "arcp"}}}), "ok");
  EXPECT_EQ(r({{"aud", json::array{"other"}}}), "wrong_audience");
  EXPECT_EQ(r({{"aud", 7}}), "wrong_audience");
  EXPECT_EQ(r({{"iss", "https://issuer.example/"}}), "wrong_issuer");
  EXPECT_EQ(r({{"sub", ""}}), "missing_principal");
  EXPECT_EQ(r({{"sub", 42}}), "missing_principal");
  EXPECT_EQ(r({{"sub", std::string(257, 'a')}}), "missing_principal");
  EXPECT_EQ(r({{"arcp_lease", "fs.read"}}), "bad_claims");

  auto no_exp = claims();
  no_exp.erase("exp");
  EXPECT_EQ(reason(auth(signer().sign("HS256", no_exp))), "bad_claims");
  auto o = options();
  o.require_exp = false;
  EXPECT_EQ(reason(auth(signer().sign("HS256", no_exp), o)), "ok");
  auto no_aud = claims();
  no_aud.erase("aud");
  EXPECT_EQ(reason(auth(signer().sign("HS256", no_aud))), "wrong_audience");
  o = options();
  o.audience.clear();
  o.issuer.clear();
  EXPECT_EQ(reason(auth(signer().sign("HS256", no_aud), o)), "ok");
  // RFC 7519 §4.1.3: a token for named audiences is refused by a runtime with none.
  EXPECT_EQ(reason(auth(signer().sign("HS256", claims()), o)), "wrong_audience");
}

TEST_F(JwtLib, ThePrincipalAndLeaseClaimsAreConfigurable) {
  auto o = options();
  o.principal_claim = "email";
  auto lease = json::object{{"fs.read", json::array{"/srv/**"}}};
  auto r =
      auth(signer().sign("ES256", claims({{"email", "dave@example"}, {"arcp_lease", lease}})), o);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->principal, "dave@example");
  ASSERT_TRUE(r->lease_ceiling);
  EXPECT_EQ(*r->lease_ceiling, lease);
  EXPECT_EQ(reason(auth(signer().sign("ES256", claims()), o)), "missing_principal");
}

TEST_F(JwtLib, UnsignedConfusedTamperedAndForeignTokensAreRefused) {
  json::object none{{"alg", "none"}, {"typ", "JWT"}};
  std::string unsigned_token =
      b64url(json::serialize(none)) + "." + b64url(json::serialize(claims())) + ".";
  EXPECT_EQ(reason(auth(unsigned_token)), "unsupported_alg");
  EXPECT_EQ(reason(auth(JwtSigner::sign_hmac_raw(none, claims(), signer().hmac_secret()))),
            "unsupported_alg");
  // HMAC-signed with the HS secret but claiming RS256 (kid of the HS key and of the RSA key).
  for (std::string kid : {"hs", "rsa"}) {
    json::object h{{"alg", "RS256"}, {"kid", kid}};
    auto r = auth(JwtSigner::sign_hmac_raw(h, claims(), signer().hmac_secret()));
    EXPECT_FALSE(r) << kid;
  }
  // The classic confusion: HS256 with the RSA public key's bytes as the secret.
  json::object confused{{"alg", "HS256"}, {"kid", "rsa"}};
  EXPECT_EQ(reason(auth(JwtSigner::sign_hmac_raw(confused, claims(), signer().rsa_public_pem()))),
            "unsupported_alg");
  // Only an RSA key configured, no kid: nothing verifies HS256.
  write(jwks_path, json::serialize(json::object{{"keys", json::array{signer().rsa_jwk("r")}}}));
  json::object bare{{"alg", "HS256"}};
  EXPECT_EQ(reason(auth(JwtSigner::sign_hmac_raw(bare, claims(), signer().rsa_public_pem()))),
            "unknown_key");
  write(jwks_path, json::serialize(signer().jwks()));

  JwtSigner stranger;
  EXPECT_EQ(reason(auth(stranger.sign("RS256", claims()))), "bad_signature");
  EXPECT_EQ(reason(auth(stranger.sign("ES256", claims(), "elsewhere"))), "unknown_key");

  auto token = signer().sign("RS256", claims());
  auto first = token.find('.');
  auto second = token.find('.', first + 1);
  std::string forged = token.substr(0, first + 1) +
                       b64url(json::serialize(claims({{"sub", "root"}}))) + token.substr(second);
  EXPECT_EQ(reason(auth(forged)), "bad_signature");
  std::string flipped = token;
  flipped[second + 5] = flipped[second + 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(reason(auth(flipped)), "bad_signature");
}

TEST_F(JwtLib, MalformedTokensAndHeadersAreRefusedBeforeAnyKeyIsTried) {
  auto tok = signer().sign("HS256", claims());
  EXPECT_EQ(reason(auth("a.b")), "malformed_token");
  EXPECT_EQ(reason(auth("a.b.c.d")), "malformed_token");
  EXPECT_EQ(reason(auth(tok + "=")), "malformed_token");
  EXPECT_EQ(reason(auth("!" + tok)), "malformed_token");
  EXPECT_EQ(reason(auth(b64url("[1]") + "." + b64url("{}") + ".")), "malformed_token");
  EXPECT_EQ(reason(auth(signer().sign("HS256", claims(), "hs",
                                      json::object{{"crit", json::array{"exp"}}}))),
            "malformed_token");
  EXPECT_EQ(reason(auth(signer().sign("HS256", claims(), "hs", json::object{{"kid", 5}}))),
            "malformed_token");
  json::object weird{{"alg", "HS257"}};
  EXPECT_EQ(reason(auth(JwtSigner::sign_hmac_raw(weird, claims(), signer().hmac_secret()))),
            "unsupported_alg");
  // The size cap comes before decoding.
  auto big = signer().sign("HS256", claims({{"pad", std::string(17000, 'x')}}));
  EXPECT_EQ(reason(auth(big)), "malformed_token");
}

TEST_F(JwtLib, ABadJwksFailsFastNamingTheFileAndTheProblem) {
  auto fails = [&](const std::string& text, const std::string& says) {
    write(jwks_path, text);
    auto a = make_jwt_authenticator(options());
    ASSERT_FALSE(a) << text;
    EXPECT_EQ(a.error().code, ErrorCode::kInvalidRequest);
    EXPECT_NE(a.error().message.find(jwks_path), std::string::npos) << a.error().message;
    EXPECT_NE(a.error().message.find(says), std::string::npos) << a.error().message;
  };
  fails("not json", "not a JSON object");
  fails("{}", "no 'keys'");
  fails(R"({"keys":[]})", "no usable");
  fails(R"({"keys":[{"kty":"oct","k":"c2hvcnQ"}]})", "shorter than 32 bytes");
  fails(R"({"keys":[{"kty":"oct","use":"enc","k":")" + b64url(std::string(32, 'k')) + R"("}]})",
        "no usable");
  fails(R"({"keys":[{"kty":"oct","alg":"RS256","k":")" + b64url(std::string(32, 'k')) + R"("}]})",
        "does not fit");
  auto ec = signer().ec_jwk("ec");
  std::string y = std::string(ec["y"].as_string());
  ec["y"] = y[0] == 'A' ? "B" + y.substr(1) : "A" + y.substr(1);  // off the curve
  fails(json::serialize(json::object{{"keys", json::array{ec}}}), "not a point on P-256");
  json::array many;
  for (int i = 0; i < 257; ++i) many.push_back(signer().hmac_jwk("k" + std::to_string(i)));
  fails(json::serialize(json::object{{"keys", many}}), "more than 256 keys");
  fails(std::string(auth::kMaxJwksBytes + 10, ' '), "larger than 1 MiB");
  fs::remove(jwks_path);
  auto missing = make_jwt_authenticator(options());
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("cannot read"), std::string::npos);
}

TEST_F(JwtLib, AKeysAlgMemberIsTheOnlyAlgItVerifies) {
  auto rsa = signer().rsa_jwk("rsa");
  rsa["alg"] = "PS256";
  write(jwks_path, json::serialize(json::object{{"keys", json::array{rsa}}}));
  EXPECT_EQ(reason(auth(signer().sign("PS256", claims()))), "ok");
  EXPECT_EQ(reason(auth(signer().sign("RS256", claims()))), "unsupported_alg");
  // A key whose alg this runtime does not verify is skipped, not an error.
  auto other = signer().hmac_jwk("x");
  other["alg"] = "A256KW";
  write(jwks_path, json::serialize(json::object{{"keys", json::array{other, rsa}}}));
  EXPECT_TRUE(make_jwt_authenticator(options()));
}

TEST_F(JwtLib, ARotatedJwksIsPickedUpAndAnInvalidOneKeepsTheOldKeys) {
  auto a = make_jwt_authenticator(options());
  ASSERT_TRUE(a);
  JwtSigner next;
  auto verify = [&](const std::string& token) {
    Hello hello;
    hello.token = token;
    return reason(a.value()->authenticate(AuthRequest{hello, ""}));
  };
  auto bump = [&] {
    // A fixed, distinct mtime: no reliance on the clock's granularity.
    static int n = 0;
    fs::last_write_time(jwks_path, fs::file_time_type::clock::now() + std::chrono::hours(++n));
  };
  EXPECT_EQ(verify(next.sign("ES256", claims(), "ec2")), "unknown_key");
  write(jwks_path, json::serialize(json::object{{"keys", json::array{next.ec_jwk("ec2")}}}));
  bump();
  EXPECT_EQ(verify(next.sign("ES256", claims(), "ec2")), "ok");
  EXPECT_EQ(verify(signer().sign("ES256", claims())), "unknown_key");  // the old key is gone
  write(jwks_path, R"({"keys": [)");
  bump();
  EXPECT_EQ(verify(next.sign("ES256", claims(), "ec2")), "ok");
  // A deleted JWKS fails closed (an emergency revocation) until it returns.
  fs::remove(jwks_path);
  EXPECT_EQ(verify(next.sign("ES256", claims(), "ec2")), "unknown_key");
  write(jwks_path, json::serialize(json::object{{"keys", json::array{next.ec_jwk("ec2")}}}));
  bump();
  EXPECT_EQ(verify(next.sign("ES256", claims(), "ec2")), "ok");
}

TEST_F(JwtLib, AuthenticateIsSafeFromManyThreadsDuringRotation) {
  auto a = make_jwt_authenticator(options());
  ASSERT_TRUE(a);
  auto token = signer().sign("HS256", claims());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      Hello hello;
      hello.token = token;
      for (int i = 0; i < 200; ++i)
        if (!a.value()->authenticate(AuthRequest{hello, ""})) ++failures;
    });
  for (int i = 0; i < 20; ++i) {
    write(jwks_path + ".tmp", json::serialize(signer().jwks()));
    fs::rename(jwks_path + ".tmp", jwks_path);
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace arcp::test
