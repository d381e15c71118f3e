// The LiteLLM provisioner against a local fake gateway: the request shapes
// of /key/generate and /key/delete, the master key only in the
// Authorization header, and how failures are classed (§9.8.2: retry
// transient ones) — never with a key or the master key in the message.
#include <gtest/gtest.h>

#include <arcp/credentials.hpp>

#include "support/fake_litellm.hpp"

namespace arcp::test {
namespace {

CredentialRequest request(const std::string& id) {
  CredentialRequest r;
  r.credential_id = id;
  r.issuance_id = id;
  r.job_id = "job_1";
  r.principal = "alice";
  r.agent = "echo@1.0.0";
  r.budget_remaining = {BudgetAmount{"USD", 5'000'000'000}, BudgetAmount{"EUR", 1'000'000'000}};
  r.models = {"tier-fast/*", "gpt-4o-mini"};
  r.expires_at = std::chrono::system_clock::now() + std::chrono::seconds(90);
  return r;
}

std::shared_ptr<CredentialProvisioner> provisioner(const FakeLiteLlm& gw,
                                                   const std::string& key = {}) {
  LiteLlmOptions o;
  o.base_url = gw.url() + "/";  // a trailing slash is tolerated
  o.master_key = key.empty() ? gw.master_key() : key;
  o.timeout = std::chrono::milliseconds(5000);
  return make_litellm_provisioner(o);
}

TEST(LiteLlmProvisioner, GenerateSendsTheLeaseAsKeyConstraints) {
  FakeLiteLlm gw;
  auto p = provisioner(gw);
  EXPECT_EQ(p->name(), "litellm");
  auto issued = p->issue(request("cred_A"));
  ASSERT_TRUE(issued) << issued.error().describe();
  auto reqs = gw.requests();
  ASSERT_EQ(reqs.size(), 1U);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/key/generate");
  EXPECT_EQ(reqs[0].header("authorization"), "Bearer " + gw.master_key());
  EXPECT_EQ(reqs[0].header("content-type"), "application/json");
  auto body = parse_json(reqs[0].body)->as_object();
  EXPECT_EQ(body.at("key_alias"), "cred_A");
  EXPECT_EQ(body.at("max_budget").to_number<double>(), 5.0);  // USD only: LiteLLM's currency
  EXPECT_EQ(body.at("models"), (json::array{"tier-fast/*", "gpt-4o-mini"}));
  std::string duration(body.at("duration").as_string());
  ASSERT_EQ(duration.back(), 's');
  auto secs = std::stoi(duration.substr(0, duration.size() - 1));
  EXPECT_GE(secs, 89);
  EXPECT_LE(secs, 91);
  EXPECT_EQ(body.at("metadata").at("arcp_job_id"), "job_1");
  EXPECT_EQ(body.at("metadata").at("arcp_principal"), "alice");

  EXPECT_EQ(issued->revoke_handle, "cred_A");  // the alias, never the key
  EXPECT_TRUE(gw.is_live(issued->credential.value));
  EXPECT_EQ(issued->credential.id, "cred_A");
  EXPECT_EQ(issued->credential.endpoint, gw.url());
  EXPECT_EQ(issued->credential.profile, "openai");
  // Only what the gateway enforces is echoed: the USD cap, not the EUR one.
  const auto& k = issued->credential.constraints;
  EXPECT_EQ(k.at("cost.budget"), (json::array{"USD:5"}));
  EXPECT_EQ(k.at("model.use"), (json::array{"tier-fast/*", "gpt-4o-mini"}));
  EXPECT_TRUE(k.contains("expires_at"));
}

TEST(LiteLlmProvisioner, NoBudgetNoModelsNoExpiryMeansNoSuchFields) {
  FakeLiteLlm gw;
  auto p = provisioner(gw);
  CredentialRequest r;
  r.credential_id = r.issuance_id = "cred_B";
  ASSERT_TRUE(p->issue(r));
  auto body = parse_json(gw.requests().at(0).body)->as_object();
  EXPECT_FALSE(body.contains("max_budget"));
  EXPECT_FALSE(body.contains("models"));
  EXPECT_FALSE(body.contains("duration"));
}

TEST(LiteLlmProvisioner, DeleteByAliasAndAnAlreadyDeletedKeyIsASuccess) {
  FakeLiteLlm gw;
  auto p = provisioner(gw);
  auto issued = p->issue(request("cred_A"));
  ASSERT_TRUE(issued);
  ASSERT_TRUE(p->revoke(issued->revoke_handle));
  auto reqs = gw.requests();
  ASSERT_EQ(reqs.size(), 2U);
  EXPECT_EQ(reqs[1].target, "/key/delete");
  EXPECT_EQ(reqs[1].header("authorization"), "Bearer " + gw.master_key());
  EXPECT_EQ(parse_json(reqs[1].body)->as_object().at("key_aliases"), (json::array{"cred_A"}));
  EXPECT_FALSE(gw.is_live(issued->credential.value));
  EXPECT_TRUE(p->revoke(issued->revoke_handle));  // 404: already gone
  EXPECT_EQ(gw.deletes(), 2);
}

TEST(LiteLlmProvisioner, ServerErrorsAndUnreachableGatewaysAreTransient) {
  FakeLiteLlm gw;
  auto p = provisioner(gw);
  gw.force_delete_status = 503;
  auto r = p->revoke("cred_A");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().retryable);
  EXPECT_NE(r.error().message.find("503"), std::string::npos);
  gw.force_generate_status = 500;
  auto i = p->issue(request("cred_A"));
  ASSERT_FALSE(i);
  EXPECT_TRUE(i.error().retryable);

  LiteLlmOptions o;
  o.base_url = "http://127.0.0.1:1";  // nothing listens there
  o.master_key = "sk-master-unreachable";
  o.timeout = std::chrono::milliseconds(2000);
  auto down = make_litellm_provisioner(o)->revoke("cred_A");
  ASSERT_FALSE(down);
  EXPECT_TRUE(down.error().retryable);
  EXPECT_EQ(down.error().message.find("sk-master-unreachable"), std::string::npos);
}

TEST(LiteLlmProvisioner, OtherClientErrorsArePermanentAndNeverShowTheMasterKey) {
  FakeLiteLlm gw;
  const std::string wrong = "sk-master-wrong-4242";
  auto p = provisioner(gw, wrong);
  auto i = p->issue(request("cred_A"));
  ASSERT_FALSE(i);
  EXPECT_FALSE(i.error().retryable);
  EXPECT_NE(i.error().message.find("401"), std::string::npos);
  auto r = p->revoke("cred_A");
  ASSERT_FALSE(r);
  EXPECT_FALSE(r.error().retryable);
  for (const auto& e : {i.error(), r.error()}) {
    std::string text = e.describe() + json::serialize(e.to_json());
    EXPECT_EQ(text.find(wrong), std::string::npos) << text;
    EXPECT_EQ(text.find(gw.master_key()), std::string::npos) << text;
  }
}

// Only the key being gone counts as revoked: a refusal that merely says
// something was "not found" (a user, a team) leaves the key live.
TEST(LiteLlmProvisioner, OnlyAMissingKeyCountsAsRevoked) {
  FakeLiteLlm gw;
  auto p = provisioner(gw);
  gw.set_force_delete_body(R"({"error":{"message":"user not found"}})");
  for (int status : {401, 403, 400}) {
    gw.force_delete_status = status;
    auto r = p->revoke("cred_A");
    EXPECT_FALSE(r) << status;
  }
  gw.force_delete_status = 400;
  gw.set_force_delete_body(R"({"error":{"message":"Key not found in database"}})");
  EXPECT_TRUE(p->revoke("cred_A"));
}

}  // namespace
}  // namespace arcp::test
