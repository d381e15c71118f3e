// §9.8.1 wire shape of a credential, and the demo provisioner.
#include <gtest/gtest.h>

#include <arcp/credentials.hpp>
#include <arcp/job_messages.hpp>
#include <set>

#include "core/base64.hpp"

namespace arcp {
namespace {

TEST(Credential, WireShapeRoundTripsAndOmitsEmptyOptionalFields) {
  Credential c{"cred_1",    "bearer",
               "sk-virt-1", "https://gw.example/v1",
               "openai",    json::object{{"model.use", json::array{"tier-fast/*"}}}};
  auto o = c.to_json();
  EXPECT_EQ(o.at("id"), "cred_1");
  EXPECT_EQ(o.at("scheme"), "bearer");
  EXPECT_EQ(o.at("value"), "sk-virt-1");
  EXPECT_EQ(o.at("endpoint"), "https://gw.example/v1");
  EXPECT_EQ(o.at("profile"), "openai");
  auto back = Credential::from_json(o);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->value, "sk-virt-1");
  EXPECT_EQ(back->constraints, c.constraints);

  Credential bare{"cred_2", "bearer", "v", "https://e", "", {}};
  EXPECT_FALSE(bare.to_json().contains("profile"));
  EXPECT_FALSE(bare.to_json().contains("constraints"));
}

TEST(Credential, RequiredFieldsAreChecked) {
  for (const char* missing : {"id", "scheme", "value", "endpoint"}) {
    json::object o{{"id", "c"}, {"scheme", "bearer"}, {"value", "v"}, {"endpoint", "https://e"}};
    o.erase(missing);
    auto r = Credential::from_json(o);
    ASSERT_FALSE(r) << missing;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
  }
}

TEST(Credential, RedactedKeepsEverythingButTheValue) {
  Credential c{"cred_1", "bearer", "sk-secret", "https://gw/v1", "openai", {}};
  auto r = c.redacted();
  EXPECT_EQ(r.value, kRedactedValue);
  EXPECT_TRUE(r.is_redacted());
  EXPECT_EQ(r.id, c.id);
  EXPECT_EQ(r.endpoint, c.endpoint);
  EXPECT_EQ(json::serialize(r.to_json()).find("sk-secret"), std::string::npos);
}

TEST(Credential, AcceptedCarriesCredentialsAndSkipsMalformedOnes) {
  json::object payload{
      {"job_id", "job_1"},
      {"credentials",
       json::array{Credential{"cred_1", "bearer", "v", "https://e", "", {}}.to_json(),
                   json::object{{"id", "broken"}}}}};
  auto a = Accepted::from_json(payload);
  ASSERT_TRUE(a);
  ASSERT_EQ(a->credentials.size(), 1U);
  EXPECT_EQ(a->credentials[0].id, "cred_1");
  EXPECT_TRUE(a->to_json().contains("credentials"));
}

TEST(Base64Url, UnpaddedUrlSafeAlphabet) {
  EXPECT_EQ(core::base64url_encode(""), "");
  EXPECT_EQ(core::base64url_encode("f"), "Zg");
  EXPECT_EQ(core::base64url_encode("fo"), "Zm8");
  EXPECT_EQ(core::base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(core::base64url_encode(std::string("\xfb\xff\xbf", 3)), "-_-_");
}

CredentialRequest request(const std::string& id) {
  CredentialRequest r;
  r.credential_id = id;
  r.issuance_id = id;
  r.job_id = "job_1";
  r.principal = "alice";
  r.budget_remaining = {BudgetAmount{"USD", 2'500'000'000}};
  r.models = {"tier-fast/*"};
  r.expires_at = *parse_rfc3339("2030-01-01T00:00:00Z");
  return r;
}

TEST(DemoProvisioner, MintsUniqueLocalKeysAndEchoesTheConstraints) {
  auto demo = make_demo_provisioner();
  auto a = demo->issue(request("cred_A"));
  auto b = demo->issue(request("cred_B"));
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_NE(a->credential.value, b->credential.value);
  EXPECT_EQ(a->credential.value.rfind("sk-demo-", 0), 0U);
  EXPECT_EQ(a->credential.value.size(), 8U + 43U);  // 32 bytes, base64url without padding
  EXPECT_EQ(a->credential.value.find_first_of("+/="), std::string::npos);
  EXPECT_EQ(a->credential.endpoint, "https://demo.invalid/v1");
  EXPECT_EQ(a->credential.profile, "openai");
  EXPECT_EQ(a->revoke_handle, "cred_A");  // the issuance id, never the value
  const auto& k = a->credential.constraints;
  EXPECT_EQ(k.at("cost.budget"), (json::array{"USD:2.5"}));
  EXPECT_EQ(k.at("model.use"), (json::array{"tier-fast/*"}));
  EXPECT_EQ(k.at("expires_at"), "2030-01-01T00:00:00.000Z");
  EXPECT_EQ(demo->live_count(), 2U);
  EXPECT_TRUE(demo->is_live(a->credential.value));
}

TEST(DemoProvisioner, RevokeIsIdempotent) {
  auto demo = make_demo_provisioner();
  auto a = demo->issue(request("cred_A"));
  ASSERT_TRUE(a);
  EXPECT_TRUE(demo->revoke(a->revoke_handle));
  EXPECT_FALSE(demo->is_live(a->credential.value));
  EXPECT_TRUE(demo->revoke(a->revoke_handle));  // already gone: still a success
  EXPECT_TRUE(demo->revoke("never-issued"));
  EXPECT_EQ(demo->live_count(), 0U);
}

}  // namespace
}  // namespace arcp
