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

BearerAuthenticator two_principals() {
  BearerAuthenticator auth;
  auth.add_token(kAliceToken, "alice");
  auth.add_token(kBobToken, "bob");
  return auth;
}

void expect_unauthenticated(const Result<std::string>& r, const std::string& presented) {
  ASSERT_FALSE(r.ok()) << "authenticated as " << r.value();
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
  auto alice = auth.authenticate(hello_with(kAliceToken));
  ASSERT_TRUE(alice.ok()) << alice.error().describe();
  EXPECT_EQ(*alice, "alice");
  auto bob = auth.authenticate(hello_with(kBobToken));
  ASSERT_TRUE(bob.ok());
  EXPECT_EQ(*bob, "bob");
}

TEST(BearerAuthenticator, EmptySchemeIsTreatedAsBearer) {
  auto auth = two_principals();
  auto r = auth.authenticate(hello_with(kAliceToken, ""));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "alice");
}

TEST(BearerAuthenticator, ConformanceA02_WrongTokenIsUnauthenticatedWithoutEchoingIt) {
  auto auth = two_principals();
  for (std::string wrong : {std::string("tok-MALLORY-guess-123"), std::string(kAliceToken) + "x",
                            std::string(kAliceToken).substr(1), std::string("TOK-ALICE-7F3A9C1E5B"),
                            std::string(kAliceToken) + std::string(1, '\0')}) {
    SCOPED_TRACE(wrong);
    expect_unauthenticated(auth.authenticate(hello_with(wrong)), wrong);
  }
}

TEST(BearerAuthenticator, ConformanceA02_MissingTokenIsUnauthenticated) {
  auto auth = two_principals();
  expect_unauthenticated(auth.authenticate(hello_with("")), "");
}

TEST(BearerAuthenticator, OtherSchemesAreUnauthenticatedEvenWithAValidToken) {
  auto auth = two_principals();
  expect_unauthenticated(auth.authenticate(hello_with(kAliceToken, "basic")), kAliceToken);
  expect_unauthenticated(auth.authenticate(hello_with(kAliceToken, "Bearer ")), kAliceToken);
}

TEST(BearerAuthenticator, NoTokensConfiguredRejectsEverythingByDefault) {
  BearerAuthenticator auth;
  EXPECT_TRUE(auth.empty());
  expect_unauthenticated(auth.authenticate(hello_with("")), "");
  expect_unauthenticated(auth.authenticate(hello_with("anything-at-all")), "anything-at-all");
}

TEST(BearerAuthenticator, AnonymousOnlyWhenAllowedAndNoTokensConfigured) {
  BearerAuthenticator open;
  open.allow_anonymous(true);
  auto r = open.authenticate(hello_with(""));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "anonymous");

  auto guarded = two_principals();
  guarded.allow_anonymous(true);
  expect_unauthenticated(guarded.authenticate(hello_with("")), "");
  expect_unauthenticated(guarded.authenticate(hello_with("tok-nope")), "tok-nope");
  auto alice = guarded.authenticate(hello_with(kAliceToken));
  ASSERT_TRUE(alice.ok());
  EXPECT_EQ(*alice, "alice");
}

TEST(BearerAuthenticator, FirstRegistrationWinsForDuplicateTokens) {
  BearerAuthenticator auth;
  auth.add_token("shared-token-xyz", "first");
  auth.add_token("shared-token-xyz", "second");
  auto r = auth.authenticate(hello_with("shared-token-xyz"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "first");
}

TEST(BearerAuthenticator, WorksFromAParsedHello) {
  auto auth = two_principals();
  auto hello = Hello::from_json(
      json::object{{"auth", json::object{{"scheme", "bearer"}, {"token", kBobToken}}}});
  ASSERT_TRUE(hello.ok());
  auto r = auth.authenticate(*hello);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "bob");
}

}  // namespace
}  // namespace arcp
