// The credential ledger discipline (§9.8.2, §14): a row is durable before a
// value is handed out, revocation retries transient failures, a permanent
// failure stays in the ledger and is logged once without the value, and a
// restart revokes whatever a dead process left.
#include "runtime/credential_manager.hpp"

#include <gtest/gtest.h>

#include <deque>

namespace arcp::runtime {
namespace {

/// Scripted upstream: records every call and the ledger as it stood then.
class ScriptedProvisioner final : public CredentialProvisioner {
 public:
  explicit ScriptedProvisioner(std::shared_ptr<store::Store> store) : store_(std::move(store)) {}
  std::string name() const override { return "scripted"; }
  Result<IssuedCredential> issue(const CredentialRequest& r) override {
    std::lock_guard lock(mu);
    bool in_ledger = false;
    for (const auto& row : store_->load_credentials()) in_ledger |= row.id == r.issuance_id;
    ledger_had_row_at_issue.push_back(in_ledger);
    if (fail_issue) return Error(ErrorCode::kInternalError, "upstream said no");
    IssuedCredential out;
    out.credential.id = r.credential_id;
    out.credential.value = "sk-secret-" + r.issuance_id;
    out.credential.endpoint = "https://up/v1";
    out.revoke_handle = r.issuance_id;
    return out;
  }
  Result<void> revoke(const std::string& handle) override {
    std::lock_guard lock(mu);
    revoked.push_back(handle);
    if (revoke_outcomes.empty()) return {};
    Error e = revoke_outcomes.front();
    revoke_outcomes.pop_front();
    if (e.code == ErrorCode::kInternalError && e.message == "ok") return {};
    return e;
  }
  static Error transient() {
    Error e(ErrorCode::kInternalError, "HTTP 503");
    e.retryable = true;
    return e;
  }
  static Error permanent() {
    Error e(ErrorCode::kInternalError, "HTTP 401");
    e.retryable = false;
    return e;
  }

  std::mutex mu;
  bool fail_issue = false;
  std::vector<bool> ledger_had_row_at_issue;
  std::vector<std::string> revoked;
  std::deque<Error> revoke_outcomes;

 private:
  std::shared_ptr<store::Store> store_;
};

struct Fixture {
  std::shared_ptr<store::Store> store = store::make_memory_store();
  std::shared_ptr<ScriptedProvisioner> upstream = std::make_shared<ScriptedProvisioner>(store);
  std::vector<std::string> log;
  std::shared_ptr<CredentialManager> manager = make();

  std::shared_ptr<CredentialManager> make(std::size_t cap = 1024) {
    CredentialPolicy p;
    p.backoff = {std::chrono::milliseconds(1)};
    p.max_per_principal = cap;
    return std::make_shared<CredentialManager>(
        upstream, store, [](const std::string&, std::function<void()> task) { task(); },
        [this](const std::string& line) { log.push_back(line); }, p);
  }
};

CredentialRequest request(const std::string& id, const std::string& principal = "alice") {
  CredentialRequest r;
  r.credential_id = r.issuance_id = id;
  r.job_id = "job_" + id;
  r.principal = principal;
  return r;
}

TEST(CredentialManager, TheLedgerRowIsDurableBeforeTheUpstreamIsCalled) {
  Fixture f;
  auto held = f.manager->issue(request("cred_1"));
  ASSERT_TRUE(held);
  EXPECT_EQ(held->credential.value, "sk-secret-cred_1");
  ASSERT_EQ(f.upstream->ledger_had_row_at_issue, std::vector<bool>{true});
  auto rows = f.store->load_credentials();
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].state, "issued");
  EXPECT_EQ(rows[0].principal, "alice");
  EXPECT_EQ(rows[0].provisioner, "scripted");
  EXPECT_EQ(rows[0].revoke_handle, "cred_1");
}

TEST(CredentialManager, AFailedIssueLeavesNoRow) {
  Fixture f;
  f.upstream->fail_issue = true;
  auto held = f.manager->issue(request("cred_1"));
  ASSERT_FALSE(held);
  EXPECT_EQ(held.error().code, ErrorCode::kInternalError);
  EXPECT_TRUE(held.error().retryable);
  EXPECT_NE(held.error().message.find("upstream said no"), std::string::npos);
  EXPECT_TRUE(f.store->load_credentials().empty());
  EXPECT_EQ(f.manager->outstanding(), 0U);
}

TEST(CredentialManager, TransientRevocationFailuresAreRetried) {
  Fixture f;
  auto held = f.manager->issue(request("cred_1"));
  ASSERT_TRUE(held);
  f.upstream->revoke_outcomes = {ScriptedProvisioner::transient(),
                                 ScriptedProvisioner::transient()};
  EXPECT_TRUE(f.manager->revoke(*held));
  EXPECT_EQ(f.upstream->revoked.size(), 3U);
  EXPECT_TRUE(f.store->load_credentials().empty());
  EXPECT_TRUE(f.log.empty());
}

TEST(CredentialManager, APermanentFailureStaysInTheLedgerAndIsLoggedOnceWithoutTheValue) {
  Fixture f;
  auto held = f.manager->issue(request("cred_1"));
  ASSERT_TRUE(held);
  f.upstream->revoke_outcomes = {ScriptedProvisioner::permanent()};
  EXPECT_FALSE(f.manager->revoke(*held));
  EXPECT_EQ(f.upstream->revoked.size(), 1U);  // a permanent failure is not retried at once
  auto rows = f.store->load_credentials();
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].state, "revoke_failed");
  EXPECT_EQ(rows[0].attempts, 1);
  EXPECT_EQ(rows[0].last_error, "HTTP 401");
  ASSERT_EQ(f.log.size(), 1U);
  EXPECT_NE(f.log[0].find("credential.revoke_failed"), std::string::npos);
  EXPECT_NE(f.log[0].find("cred_1"), std::string::npos);
  EXPECT_EQ(f.log[0].find(held->credential.value), std::string::npos);

  // The sweep's retry succeeds: the row goes, and the recovery is logged.
  f.manager->retry_failed_async();
  EXPECT_TRUE(f.store->load_credentials().empty());
  ASSERT_EQ(f.log.size(), 2U);
  EXPECT_NE(f.log[1].find("credential.revoked"), std::string::npos);
}

TEST(CredentialManager, ExhaustedTransientRetriesStayInTheLedger) {
  Fixture f;
  auto held = f.manager->issue(request("cred_1"));
  ASSERT_TRUE(held);
  for (int i = 0; i < 4; ++i)
    f.upstream->revoke_outcomes.push_back(ScriptedProvisioner::transient());
  EXPECT_FALSE(f.manager->revoke(*held));
  EXPECT_EQ(f.upstream->revoked.size(), 4U);
  auto rows = f.store->load_credentials();
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].attempts, 4);
}

TEST(CredentialManager, RecoverRevokesWhatADeadProcessLeftWhateverItsState) {
  Fixture f;
  f.store->save_credential({"cred_1", "job_1", "alice", "scripted", "h1", "issued", 0, "", 1, 1});
  f.store->save_credential({"cred_2", "job_2", "bob", "scripted", "h2", "issuing", 0, "", 2, 2});
  f.store->save_credential(
      {"cred_3", "job_3", "bob", "scripted", "h3", "revoke_failed", 4, "HTTP 503", 3, 3});
  EXPECT_EQ(f.manager->recover(), 0U);
  std::sort(f.upstream->revoked.begin(), f.upstream->revoked.end());
  EXPECT_EQ(f.upstream->revoked, (std::vector<std::string>{"h1", "h2", "h3"}));
  EXPECT_TRUE(f.store->load_credentials().empty());
}

TEST(CredentialManager, RecoverStopsAtAnUpstreamThatIsDownAndLeavesTheRestForTheSweep) {
  Fixture f;
  f.store->save_credential({"cred_1", "job_1", "alice", "scripted", "h1", "issued", 0, "", 1, 1});
  f.store->save_credential({"cred_2", "job_2", "alice", "scripted", "h2", "issued", 0, "", 2, 2});
  for (int i = 0; i < 4; ++i)
    f.upstream->revoke_outcomes.push_back(ScriptedProvisioner::transient());
  EXPECT_EQ(f.manager->recover(), 2U);
  EXPECT_EQ(f.upstream->revoked.size(), 4U);  // the first row's attempts only
  for (const auto& row : f.store->load_credentials()) EXPECT_EQ(row.state, "revoke_failed");
  f.manager->retry_failed_async();
  EXPECT_TRUE(f.store->load_credentials().empty());
}

TEST(CredentialManager, OutstandingCredentialsAreCappedPerPrincipal) {
  Fixture f;
  f.manager = f.make(/*cap=*/2);
  ASSERT_TRUE(f.manager->issue(request("cred_1")));
  ASSERT_TRUE(f.manager->issue(request("cred_2")));
  auto third = f.manager->issue(request("cred_3"));
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().details.at("limit"), "max_credentials_per_principal");
  EXPECT_TRUE(f.manager->issue(request("cred_4", "bob")));  // another principal is not affected
}

TEST(CredentialManager, ReissueNamesTheNextGenerationAndKeepsTheCredentialId) {
  Fixture f;
  auto first = f.manager->issue(request("cred_1"));
  ASSERT_TRUE(first);
  auto second = f.manager->reissue(*first, request("cred_1"));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->credential.id, "cred_1");
  EXPECT_EQ(second->issuance_id, "cred_1#1");
  EXPECT_EQ(second->generation, 1);
  EXPECT_NE(second->credential.value, first->credential.value);
  EXPECT_EQ(f.store->load_credentials().size(), 2U);
  EXPECT_TRUE(f.manager->revoke(*first));
  ASSERT_EQ(f.store->load_credentials().size(), 1U);
  EXPECT_EQ(f.store->load_credentials()[0].id, "cred_1#1");
}

TEST(CredentialManager, ShutdownRefusesNewIssues) {
  Fixture f;
  EXPECT_TRUE(f.manager->shutdown(std::chrono::milliseconds(100)));
  EXPECT_FALSE(f.manager->issue(request("cred_1")));
}

}  // namespace
}  // namespace arcp::runtime
