// A07: JWT authentication over a real WebSocket runtime. Keys are generated
// at test time; the JWKS is a file the runtime reloads when it changes.
#include <gtest/gtest.h>

#include <arcp/job_context.hpp>
#include <arcp/jwt_authenticator.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "support/jwt_signer.hpp"
#include "support/test_support.hpp"

namespace arcp::test {
namespace {

namespace fs = std::filesystem;

const JwtSigner& keys() {
  static JwtSigner s;  // RSA generation is the slow part: once per run
  return s;
}

std::int64_t now_sec() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

json::object claims(json::object extra = {}) {
  json::object c{{"sub", "carol"},
                 {"aud", "arcp-test"},
                 {"iss", "https://idp.example"},
                 {"iat", now_sec()},
                 {"exp", now_sec() + 600}};
  for (const auto& m : extra) c[m.key()] = m.value();
  return c;
}

struct Audit {
  std::mutex mu;
  std::vector<std::string> lines;
  std::function<void(const std::string&)> sink() {
    return [this](const std::string& line) {
      std::lock_guard lock(mu);
      lines.push_back(line);
    };
  }
  std::string all() {
    std::lock_guard lock(mu);
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
  }
};

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

class Jwt : public ::testing::Test {
 protected:
  Jwt() {
    jwks_path = dir.path() + "/jwks.json";
    write_file(jwks_path, json::serialize(keys().jwks()));
    JwtOptions jo;
    jo.jwks_file = jwks_path;
    jo.audience = "arcp-test";
    jo.issuer = "https://idp.example";
    jo.lease_claim = "arcp_lease";
    auto jwt = make_jwt_authenticator(jo);
    if (!jwt) throw std::runtime_error(jwt.error().describe());
    RuntimeOptions o = default_runtime_options();
    o.jwt_authenticator = jwt.value();
    o.audit_log = audit.sink();
    rt = std::make_unique<TestRuntime>(o);
    auto r = rt->runtime().register_agent("whoami", [](JobContext& ctx) -> Result<json::value> {
      return json::value(ctx.principal());
    });
    if (!r) throw std::runtime_error(r.error().describe());
    url = rt->websocket_url();
  }

  // The principal a token's session runs jobs as, or the connect error.
  Result<std::string> principal_of(const std::string& token) {
    auto client = Client::connect(url, ClientOptions{.token = token});
    if (!client) return client.error();
    auto job = client.value()->submit({.agent = "whoami"});
    if (!job) return job.error();
    auto result = job->result(kWait);
    if (!result) return result.error();
    return std::string(result->as_string());
  }

  // A refused hello: session.error UNAUTHENTICATED with `reason`, then the
  // transport closes; nothing the peer sees or the audit log holds carries
  // any part of the token.
  void expect_refused(const std::string& token, const std::string& reason) {
    SCOPED_TRACE(reason);
    auto conn = connect_websocket(url);
    ASSERT_TRUE(conn);
    RawPeer peer(conn.value());
    auto err = peer.handshake(token);
    ASSERT_TRUE(err);
    EXPECT_EQ(err->type, "session.error");
    EXPECT_EQ(err->payload.at("code"), "UNAUTHENTICATED");
    EXPECT_EQ(err->payload.at("details").at("reason"), json::value(reason));
    EXPECT_TRUE(peer.wait_closed());
    expect_no_secret(json::serialize(err->payload), token);
    ASSERT_TRUE(eventually([&] { return audit.all().find(reason) != std::string::npos; }));
    expect_no_secret(audit.all(), token);
    // The client library sees the same refusal.
    auto client = Client::connect(url, ClientOptions{.token = token});
    ASSERT_FALSE(client);
    EXPECT_EQ(client.error().code, ErrorCode::kUnauthenticated);
    expect_no_secret(client.error().message, token);
  }

  static void expect_no_secret(const std::string& text, const std::string& token) {
    EXPECT_EQ(text.find(token), std::string::npos);
    std::size_t start = 0;
    while (start < token.size()) {
      auto end = std::min(token.find('.', start), token.size());
      auto segment = token.substr(start, end - start);
      if (segment.size() >= 8) EXPECT_EQ(text.find(segment), std::string::npos) << text;
      start = end + 1;
    }
  }

  void rotate_to(const std::string& text) {
    write_file(jwks_path, text);
    // An explicit, distinct mtime: the change is seen whatever the
    // filesystem's timestamp granularity.
    static int bump = 0;
    fs::last_write_time(jwks_path, fs::file_time_type::clock::now() + std::chrono::hours(++bump));
  }

  TempDir dir;
  std::string jwks_path;
  Audit audit;
  std::unique_ptr<TestRuntime> rt;
  std::string url;
};

TEST_F(Jwt, ConformanceA07_EachAlgorithmWithTheRightKeyIsWelcomedAsTheClaimsPrincipal) {
  for (std::string alg : {"HS256", "RS256", "ES256", "PS256", "EdDSA"}) {
    auto who = principal_of(keys().sign(alg, claims({{"sub", "carol-" + alg}})));
    ASSERT_TRUE(who) << alg << ": " << who.error().describe();
    EXPECT_EQ(*who, "carol-" + alg);
  }
  // Static bearer tokens still work beside JWTs.
  auto alice = principal_of("alice-token");
  ASSERT_TRUE(alice);
  EXPECT_EQ(*alice, "alice");
}

TEST_F(Jwt, ConformanceA07_ExpNbfAudAndIssAreEnforced) {
  expect_refused(keys().sign("RS256", claims({{"exp", now_sec() - 120}})), "expired");
  expect_refused(keys().sign("ES256", claims({{"nbf", now_sec() + 3600}})), "not_yet_valid");
  expect_refused(keys().sign("HS256", claims({{"aud", "someone-else"}})), "wrong_audience");
  expect_refused(keys().sign("EdDSA", claims({{"iss", "https://evil.example"}})), "wrong_issuer");
}

TEST_F(Jwt, ConformanceA07_AlgNoneIsRejectedSignedOrNot) {
  json::object none{{"alg", "none"}, {"typ", "JWT"}};
  expect_refused(b64url(json::serialize(none)) + "." + b64url(json::serialize(claims())) + ".",
                 "unsupported_alg");
  expect_refused(JwtSigner::sign_hmac_raw(none, claims(), keys().hmac_secret()), "unsupported_alg");
}

TEST_F(Jwt, ConformanceA07_AlgorithmConfusionIsRejected) {
  // Signed with the HS256 secret, claiming RS256, naming the HMAC key.
  expect_refused(JwtSigner::sign_hmac_raw(json::object{{"alg", "RS256"}, {"kid", "hs"}}, claims(),
                                          keys().hmac_secret()),
                 "unsupported_alg");
  // ... naming the RSA key: its signature does not verify as RSA.
  expect_refused(JwtSigner::sign_hmac_raw(json::object{{"alg", "RS256"}, {"kid", "rsa"}}, claims(),
                                          keys().hmac_secret()),
                 "bad_signature");
  // The classic: HS256 keyed with the RSA public key's bytes, against the RSA key.
  expect_refused(JwtSigner::sign_hmac_raw(json::object{{"alg", "HS256"}, {"kid", "rsa"}}, claims(),
                                          keys().rsa_public_pem()),
                 "unsupported_alg");
}

TEST_F(Jwt, ConformanceA07_UnknownKeysAndTamperedTokensAreRejected) {
  JwtSigner stranger;
  expect_refused(stranger.sign("ES256", claims(), "not-in-the-jwks"), "unknown_key");
  expect_refused(stranger.sign("RS256", claims()), "bad_signature");  // kid "rsa", other key
  auto token = keys().sign("RS256", claims());
  auto first = token.find('.');
  auto second = token.find('.', first + 1);
  expect_refused(token.substr(0, first + 1) + b64url(json::serialize(claims({{"sub", "root"}}))) +
                     token.substr(second),
                 "bad_signature");
}

TEST_F(Jwt, ConformanceA07_TheLeaseClaimNarrowsASubmitsLease) {
  auto token = keys().sign(
      "ES256", claims({{"arcp_lease", json::object{{"fs.read", json::array{"/srv/**"}},
                                                   {"tool.call", json::array{"search.*"}}}}}));
  auto client = Client::connect(url, ClientOptions{.token = token});
  ASSERT_TRUE(client) << client.error().describe();
  auto job = client.value()->submit(
      {.agent = "echo",
       .lease_request = json::object{{"fs.read", json::array{"/srv/a/**", "/etc/**"}},
                                     {"tool.call", json::array{"search.web", "shell.*"}},
                                     {"net.fetch", json::array{"https://x.example/**"}}}});
  ASSERT_TRUE(job) << job.error().describe();
  EXPECT_EQ(json::serialize(job->accepted().lease),
            R"({"fs.read":["/srv/a/**"],"tool.call":["search.web"]})");
  // A lease claim that is not an object refuses the token.
  expect_refused(keys().sign("ES256", claims({{"arcp_lease", "everything"}})), "bad_claims");
}

// A resume re-checks the token: a standalone session.resume without `auth`
// is refused (its token could have expired, its lease claim would be lost),
// and one with the token resumes under the token's lease claim again.
TEST_F(Jwt, ConformanceA07_AResumeChecksTheTokenAgainAndKeepsItsLeaseClaim) {
  auto token = keys().sign(
      "ES256", claims({{"arcp_lease", json::object{{"fs.read", json::array{"/srv/**"}}}}}));
  auto first_conn = connect_websocket(url);
  ASSERT_TRUE(first_conn);
  RawPeer first(first_conn.value());
  auto w = first.handshake(token);
  ASSERT_TRUE(w);
  ASSERT_EQ(w->type, "session.welcome");
  first.send("session.bye", json::object{});
  ASSERT_TRUE(first.wait_closed());

  auto bare_conn = connect_websocket(url);
  ASSERT_TRUE(bare_conn);
  RawPeer bare(bare_conn.value());
  bare.send("session.resume", json::object{{"session_id", first.session_id},
                                           {"resume_token", w->payload.at("resume_token")},
                                           {"last_event_seq", 0}});
  auto refused = bare.next();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->type, "session.error");
  EXPECT_EQ(refused->payload.at("details").at("reason"), "missing_token");
  EXPECT_TRUE(bare.wait_closed());

  auto again_conn = connect_websocket(url);
  ASSERT_TRUE(again_conn);
  RawPeer again(again_conn.value());
  again.send("session.hello",
             resume_hello(token, first.session_id,
                          std::string(w->payload.at("resume_token").as_string()), 0));
  auto welcome = again.next();
  ASSERT_TRUE(welcome);
  ASSERT_EQ(welcome->type, "session.welcome");
  again.send("job.submit",
             json::object{{"agent", "echo"},
                          {"input", "x"},
                          {"lease_request", json::object{{"fs.read", json::array{"/etc/**"}},
                                                         {"fs.write", json::array{"/**"}}}}});
  auto accepted = again.next_of("job.accepted");
  ASSERT_TRUE(accepted);
  // Neither requested pattern is under the claim's fs.read /srv/**: nothing is granted.
  const auto* lease = accepted->payload.if_contains("lease");
  std::string granted = lease != nullptr ? json::serialize(*lease) : "{}";
  EXPECT_EQ(granted.find("fs.write"), std::string::npos) << granted;
  EXPECT_EQ(granted.find("/etc"), std::string::npos) << granted;
}

TEST_F(Jwt, ConformanceA07_ARotatedJwksIsUsedWithoutARestartAndABadOneKeepsTheOldKeys) {
  JwtSigner next;
  auto new_token = next.sign("EdDSA", claims({{"sub", "rotated"}}), "ed-2");
  expect_refused(new_token, "unknown_key");
  rotate_to(json::serialize(json::object{{"keys", json::array{next.ed25519_jwk("ed-2")}}}));
  auto who = principal_of(new_token);
  ASSERT_TRUE(who) << who.error().describe();
  EXPECT_EQ(*who, "rotated");
  expect_refused(keys().sign("EdDSA", claims()), "unknown_key");  // the old key is gone

  rotate_to(R"({"keys":[{"kty":"oct","k":"dG9vLXNob3J0"}]})");  // invalid: a 9-byte secret
  auto still = principal_of(new_token);
  ASSERT_TRUE(still) << still.error().describe();
  EXPECT_EQ(*still, "rotated");
}

}  // namespace
}  // namespace arcp::test
