// §6.1 bearer authentication (conformance A01/A02 at the authenticator level).
#include <gtest/gtest.h>

#include <arcp/authenticator.hpp>
#include <string>

namespace arcp {
namespace {

constexpr const char* kAliceToken = "tok-ALICE-7f3a9c1e5b";
constexpr const char* kBobToken = "tok-BOB-0d2e4f6a8c";

Hello hello_with(std::string token, std::string scheme = "bearer") {
  Hello h;
  h.auth_scheme = std::move(scheme);
  h.token = std::move(token);
  return h;
}

/// Authenticates `hello` (no transport peer identity) and returns the principal.
template <class Auth>
Result<std::string> principal_of(const Auth& auth, const Hello& hello, std::string_view peer = {}) {
  auto r = auth.authenticate(AuthRequest{hello, peer});
  if (!r) return r.error();
  return r->principal;
}

BearerAuthenticator two_principals() {
  BearerAuthenticator auth;
  auth.add_token(kAliceToken, "alice");
  auth.add_token(kBobToken, "bob");
  return auth;
}

void expect_unauthenticated(const Result<std::string>& r, const std::string& presented) {
  ASSERT_FALSE(r.ok()) << "authenticated as " << r.value();
  EXPECT_NE(auth_failure_reason(r.error()), "unknown");
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  EXPECT_FALSE(r.error().retryable);
  EXPECT_FALSE(r.error().message.empty());
  std::string text = r.error().describe() + json::serialize(r.error().to_json());
  if (!presented.empty()) {
    EXPECT_EQ(text.find(presented), std::string::npos) << text;
  }
  EXPECT_EQ(text.find(kAliceToken), std::string::npos) << text;
  EXPECT_EQ(text.find(kBobToken), std::string::npos) << text;
}

TEST(BearerAuthenticator, ConformanceA01_RightTokenYieldsItsPrincipal) {
  auto auth = two_principals();
  EXPECT_FALSE(auth.empty());
  auto alice = principal_of(auth, hello_with(kAliceToken));
  ASSERT_TRUE(alice.ok()) << alice.error().describe();
  EXPECT_EQ(*alice, "alice");
  auto bob = principal_of(auth, hello_with(kBobToken));
  ASSERT_TRUE(bob.ok());
  EXPECT_EQ(*bob, "bob");
}

TEST(BearerAuthenticator, EmptySchemeIsTreatedAsBearer) {
  auto auth = two_principals();
  auto r = principal_of(auth, hello_with(kAliceToken, ""));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "alice");
}

TEST(BearerAuthenticator, ConformanceA02_WrongTokenIsUnauthenticatedWithoutEchoingIt) {
  auto auth = two_principals();
  for (std::string wrong : {std::string("tok-MALLORY-guess-123"), std::string(kAliceToken) + "x",
                            std::string(kAliceToken).substr(1), std::string("TOK-ALICE-7F3A9C1E5B"),
                            std::string(kAliceToken) + std::string(1, '\0')}) {
    SCOPED_TRACE(wrong);
    expect_unauthenticated(principal_of(auth, hello_with(wrong)), wrong);
  }
}

TEST(BearerAuthenticator, ConformanceA02_MissingTokenIsUnauthenticated) {
  auto auth = two_principals();
  expect_unauthenticated(principal_of(auth, hello_with("")), "");
}

TEST(BearerAuthenticator, OtherSchemesAreUnauthenticatedEvenWithAValidToken) {
  auto auth = two_principals();
  expect_unauthenticated(principal_of(auth, hello_with(kAliceToken, "basic")), kAliceToken);
  expect_unauthenticated(principal_of(auth, hello_with(kAliceToken, "Bearer ")), kAliceToken);
}

TEST(BearerAuthenticator, NoTokensConfiguredRejectsEverythingByDefault) {
  BearerAuthenticator auth;
  EXPECT_TRUE(auth.empty());
  expect_unauthenticated(principal_of(auth, hello_with("")), "");
  expect_unauthenticated(principal_of(auth, hello_with("anything-at-all")), "anything-at-all");
}

TEST(ChainAuthenticator, AnonymousOnlyWhenExplicitlyAllowed) {
  ChainAuthenticator closed;
  expect_unauthenticated(principal_of(closed, hello_with("")), "");
  expect_unauthenticated(principal_of(closed, hello_with("whatever")), "whatever");

  ChainAuthenticator open;
  open.allow_anonymous = true;
  EXPECT_EQ(principal_of(open, hello_with("")).value(), "anonymous");

  ChainAuthenticator guarded;
  guarded.bearer = std::make_shared<BearerAuthenticator>(two_principals());
  guarded.allow_anonymous = true;
  EXPECT_EQ(principal_of(guarded, hello_with("")).value(), "anonymous");
  expect_unauthenticated(principal_of(guarded, hello_with("tok-nope")), "tok-nope");
  EXPECT_EQ(principal_of(guarded, hello_with(kAliceToken)).value(), "alice");
}

TEST(ChainAuthenticator, PeerIdentityOnlyWhenTrustedAndRequiredWhenConfigured) {
  ChainAuthenticator chain;
  chain.bearer = std::make_shared<BearerAuthenticator>(two_principals());
  expect_unauthenticated(principal_of(chain, hello_with(""), "client-a.example"), "");
  chain.trust_peer_identity = true;
  EXPECT_EQ(principal_of(chain, hello_with(""), "client-a.example").value(), "client-a.example");
  // A token, when sent, decides the principal.
  EXPECT_EQ(principal_of(chain, hello_with(kBobToken), "client-a.example").value(), "bob");
  chain.require_peer_identity = true;
  auto r = principal_of(chain, hello_with(kBobToken));
  expect_unauthenticated(r, kBobToken);
  EXPECT_EQ(auth_failure_reason(r.error()), "missing_client_certificate");
}

TEST(ChainAuthenticator, JwtShapedTokensGoToTheJwtAuthenticator) {
  struct FakeJwt : Authenticator {
    Result<Identity> authenticate(const AuthRequest& r) const override {
      return Identity{"jwt:" + std::string(r.hello.token.substr(0, 3)), "jwt", std::nullopt};
    }
  };
  ChainAuthenticator chain;
  chain.bearer = std::make_shared<BearerAuthenticator>(two_principals());
  chain.jwt = std::make_shared<FakeJwt>();
  EXPECT_EQ(principal_of(chain, hello_with("eyJ.eyJ.sig")).value(), "jwt:eyJ");
  EXPECT_EQ(principal_of(chain, hello_with(kAliceToken)).value(), "alice");
  EXPECT_TRUE(looks_like_jwt("a.b.c"));
  EXPECT_FALSE(looks_like_jwt("a.b"));
  EXPECT_FALSE(looks_like_jwt("a.b.c.d"));
  EXPECT_FALSE(looks_like_jwt("a.b+.c"));
  EXPECT_FALSE(looks_like_jwt(".b.c"));
}

TEST(BearerAuthenticator, FirstRegistrationWinsForDuplicateTokens) {
  BearerAuthenticator auth;
  auth.add_token("shared-token-xyz", "first");
  auth.add_token("shared-token-xyz", "second");
  auto r = principal_of(auth, hello_with("shared-token-xyz"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "first");
}

TEST(BearerAuthenticator, WorksFromAParsedHello) {
  auto auth = two_principals();
  auto hello = Hello::from_json(
      json::object{{"auth", json::object{{"scheme", "bearer"}, {"token", kBobToken}}}});
  ASSERT_TRUE(hello.ok());
  auto r = principal_of(auth, *hello);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "bob");
}

}  // namespace
}  // namespace arcp
