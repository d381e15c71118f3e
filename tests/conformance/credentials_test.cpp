// A04, X01–X05: provisioned credentials (§9.8, §14) — advertised only with a
// durable ledger, issued before job.accepted (one value per job), revoked on
// every terminal path before the outcome is seen (with retries), kept in the
// ledger and retried after a restart when revocation fails, redacted for
// every view but the submitting session's, and rotated on request.
// X06: a delegated child gets its own credential, bounded by its lease and
// revoked by its own ending, which its parent's ending forces.
#include <gtest/gtest.h>

#include <algorithm>
#include <arcp/job_context.hpp>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <stop_token>

#include "store/store.hpp"
#include "support/fake_litellm.hpp"
#include "support/test_support.hpp"

namespace arcp::test {
namespace {

using namespace std::chrono_literals;

const json::array kCredFeatures{"provisioned_credentials", "subscribe",   "list_jobs",
                                "lease_expires_at",        "cost.budget", "model.use"};

struct AuditLog {
  std::mutex mu;
  std::vector<std::string> lines;
  std::function<void(const std::string&)> sink() {
    return [this](const std::string& line) {
      std::lock_guard lock(mu);
      lines.push_back(line);
    };
  }
  std::vector<std::string> of_type(const std::string& type) {
    std::lock_guard lock(mu);
    std::vector<std::string> out;
    for (const auto& l : lines)
      if (l.find("\"event\":\"" + type + "\"") != std::string::npos) out.push_back(l);
    return out;
  }
  bool mentions(const std::string& text) {
    std::lock_guard lock(mu);
    for (const auto& l : lines)
      if (l.find(text) != std::string::npos) return true;
    return false;
  }
};

RuntimeOptions with_provisioner(std::shared_ptr<CredentialProvisioner> p, AuditLog* log = nullptr,
                                const std::string& data_dir = {}) {
  RuntimeOptions o = default_runtime_options();
  o.credential_provisioner = std::move(p);
  if (data_dir.empty())
    o.credential_ledger_durable = true;  // the memory store, standing in for a durable one
  else
    o.data_dir = data_dir;
  o.credential_revoke_backoff = {1ms, 5ms};
  if (log) o.audit_log = log->sink();
  return o;
}

ClientOptions credential_client() {
  ClientOptions c;
  c.features.add(feature::kProvisionedCredentials);
  return c;
}

bool offers(const Envelope& welcome, std::string_view feature) {
  for (const auto& f : welcome.payload.at("capabilities").at("features").as_array())
    if (f.as_string() == feature) return true;
  return false;
}

std::string text_of(const Envelope& env) {
  return json::serialize(env.payload);
}

/// Everything the runtime keeps under `dir`, as bytes.
std::string bytes_under(const std::string& dir) {
  std::string all;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return all;
}

/// Every decoded event and job record of a stopped runtime's store (the log
/// is compressed on disk, so the bytes alone would not show a value).
std::string decoded_store(const std::string& dir) {
  store::SqliteOptions so;
  so.read_only = true;
  auto st = store::open_sqlite_store(dir, so);
  EXPECT_TRUE(st);
  if (!st) return {};
  std::string all;
  store::EventScan scan;
  scan.limit = 100000;
  for (const auto& r : (*st)->scan_events(scan)) all += *r.frame;
  store::JobQuery q;
  q.limit = 100000;
  for (const auto& j : (*st)->list_jobs(q)) all += j.accepted + j.terminal_payload;
  for (const auto& c : (*st)->load_credentials()) all += c.id + c.revoke_handle + c.last_error;
  return all;
}

/// A demo upstream whose revocations fail transiently `failures` times per
/// handle before they succeed (§9.8.2: retried).
class FlakyDemo final : public CredentialProvisioner {
 public:
  explicit FlakyDemo(int failures) : failures_(failures) {}
  std::string name() const override { return "flaky-demo"; }
  Result<IssuedCredential> issue(const CredentialRequest& r) override { return demo->issue(r); }
  Result<void> revoke(const std::string& handle) override {
    std::lock_guard lock(mu_);
    ++calls_;
    if (seen_[handle]++ < failures_) {
      Error e(ErrorCode::kInternalError, "gateway busy");
      e.retryable = true;
      return e;
    }
    return demo->revoke(handle);
  }
  int revoke_calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  std::shared_ptr<DemoProvisioner> demo = make_demo_provisioner();

 private:
  int failures_;
  mutable std::mutex mu_;
  int calls_ = 0;
  std::map<std::string, int> seen_;
};

// ---- A04 ----

TEST(Credentials, ConformanceA04_NotAdvertisedWithoutAProvisioner) {
  TestRuntime rt;
  RawPeer peer(rt.memory_connection());
  auto welcome = peer.handshake("alice-token", kCredFeatures);
  ASSERT_TRUE(welcome);
  EXPECT_FALSE(offers(*welcome, "provisioned_credentials"));
  EXPECT_TRUE(offers(*welcome, "subscribe"));
}

TEST(Credentials, ConformanceA04_NotAdvertisedWithoutADurableLedger) {
  AuditLog audit;
  auto o = with_provisioner(make_demo_provisioner(), &audit);
  o.credential_ledger_durable = false;  // the memory store: nothing survives a restart
  TestRuntime rt(o);
  RawPeer peer(rt.memory_connection());
  auto welcome = peer.handshake("alice-token", kCredFeatures);
  ASSERT_TRUE(welcome);
  EXPECT_FALSE(offers(*welcome, "provisioned_credentials"));
  EXPECT_EQ(audit.of_type("credential.disabled").size(), 1U);
}

TEST(Credentials, ConformanceA04_AdvertisedWithAProvisionerAndADurableLedger) {
  TempDir dir;
  auto demo = make_demo_provisioner();
  TestRuntime rt(with_provisioner(demo, nullptr, dir.path()));  // SQLite: durable
  RawPeer peer(rt.memory_connection());
  auto welcome = peer.handshake("alice-token", kCredFeatures);
  ASSERT_TRUE(welcome);
  EXPECT_TRUE(offers(*welcome, "provisioned_credentials"));

  // A session that did not negotiate it gets no credential at all.
  RawPeer plain(rt.memory_connection());
  ASSERT_TRUE(plain.handshake("alice-token", json::array{"subscribe"}));
  plain.send("job.submit", json::object{{"agent", "echo"}, {"input", json::object{}}});
  auto accepted = plain.next_of("job.accepted");
  ASSERT_TRUE(accepted);
  EXPECT_FALSE(accepted->payload.contains("credentials"));
  EXPECT_EQ(demo->live_count(), 0U);
}

// ---- X01 ----

TEST(Credentials, ConformanceX01_IssuedBeforeJobAcceptedWithOneValuePerJob) {
  auto demo = make_demo_provisioner();
  TestRuntime rt(with_provisioner(demo));
  Latch latch;
  std::mutex mu;
  std::vector<std::string> agent_saw;
  ASSERT_TRUE(
      rt.runtime().register_agent("probe", [&, agent = latch.coroutine_agent()](JobContext& ctx) {
        {
          std::lock_guard lock(mu);
          for (const auto& c : ctx.credentials()) agent_saw.push_back(c.value);
        }
        return agent(ctx);
      }));
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake("alice-token", kCredFeatures));
  std::set<std::string> values;
  std::set<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    peer.send("job.submit",
              json::object{{"agent", "probe"},
                           {"input", json::object{}},
                           {"lease_request", json::object{{"model.use", json::array{"tier-fast/*"}},
                                                          {"cost.budget", json::array{"USD:5"}}}}});
    auto accepted = peer.next_of("job.accepted");
    ASSERT_TRUE(accepted);
    const auto& creds = accepted->payload.at("credentials").as_array();
    ASSERT_EQ(creds.size(), 1U);
    auto c = Credential::from_json(creds[0].as_object());
    ASSERT_TRUE(c) << c.error().describe();
    EXPECT_EQ(c->id.rfind("cred_", 0), 0U);
    EXPECT_EQ(c->scheme, "bearer");
    EXPECT_EQ(c->endpoint, "https://demo.invalid/v1");
    EXPECT_EQ(c->profile, "openai");
    EXPECT_EQ(c->constraints.at("model.use"), (json::array{"tier-fast/*"}));
    EXPECT_EQ(c->constraints.at("cost.budget"), (json::array{"USD:5"}));
    // Live at the upstream by the time job.accepted arrives (§9.8.2).
    EXPECT_TRUE(demo->is_live(c->value));
    values.insert(c->value);
    ids.insert(c->id);
  }
  EXPECT_EQ(values.size(), 3U);  // never reused across jobs
  EXPECT_EQ(ids.size(), 3U);
  ASSERT_TRUE(latch.wait_for_waiting(3));
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(std::set<std::string>(agent_saw.begin(), agent_saw.end()), values);
  }
  latch.open();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(peer.next_of("job.result"));
  EXPECT_EQ(demo->live_count(), 0U);
}

TEST(Credentials, ConformanceX01_AFailedIssueRefusesTheSubmitWithoutASecret) {
  FakeLiteLlm gw;
  gw.force_generate_status = 503;
  LiteLlmOptions lo;
  lo.base_url = gw.url();
  lo.master_key = gw.master_key();
  TestRuntime rt(with_provisioner(make_litellm_provisioner(lo)));
  auto client = rt.connect_memory("alice-token", credential_client());
  auto job = client->submit({.agent = "echo"});
  ASSERT_FALSE(job);
  EXPECT_EQ(job.error().code, ErrorCode::kInternalError);
  EXPECT_TRUE(job.error().retryable);
  EXPECT_NE(job.error().message.find("503"), std::string::npos);
  EXPECT_EQ(job.error().describe().find(gw.master_key()), std::string::npos);
  EXPECT_EQ(rt.runtime().stats().outstanding_credentials, 0U);
  EXPECT_EQ(rt.runtime().stats().jobs, 0U);
  // The refusal freed the job's slots: the next submit is accepted.
  gw.force_generate_status = 0;
  auto again = client->submit({.agent = "echo"});
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_TRUE(again->result());
}

TEST(Credentials, ConformanceX01_SubmitsOnOneSessionAreAnsweredInOrder) {
  auto demo = make_demo_provisioner();
  TestRuntime rt(with_provisioner(demo));
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake("alice-token", kCredFeatures));
  // A submit, a bad submit and a ping sent back to back: the answers come in
  // that order, though the first waits for its credential.
  auto first = peer.send("job.submit", json::object{{"agent", "echo"}, {"input", "one"}});
  auto bad = peer.send("job.submit", json::object{{"agent", "no-such-agent"}});
  peer.send("session.ping", json::object{{"nonce", "n1"}, {"sent_at", now_rfc3339()}});
  std::vector<std::string> order;
  while (order.size() < 3) {
    auto env = peer.next();
    ASSERT_TRUE(env);
    if (env->type == "job.accepted" || env->type == "session.error" || env->type == "session.pong")
      order.push_back(env->type);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"job.accepted", "session.error", "session.pong"}));
}

/// A demo upstream whose issue waits until the test lets it go.
class HeldIssue final : public CredentialProvisioner {
 public:
  std::string name() const override { return "held-demo"; }
  Result<IssuedCredential> issue(const CredentialRequest& r) override {
    std::unique_lock lock(mu_);
    ++waiting_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return released_; });
    return demo->issue(r);
  }
  Result<void> revoke(const std::string& handle) override { return demo->revoke(handle); }
  bool wait_for_issue() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kWait, [&] { return waiting_ > 0; });
  }
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  std::shared_ptr<DemoProvisioner> demo = make_demo_provisioner();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int waiting_ = 0;
  bool released_ = false;
};

TEST(Credentials, ConformanceX01_FramesHeldBehindAnIssuingSubmitAreCapped) {
  auto held = std::make_shared<HeldIssue>();
  auto o = with_provisioner(held);
  o.max_queued_bytes_per_connection = 64U << 10U;
  TestRuntime rt(o);
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake("alice-token", kCredFeatures));
  peer.send("job.submit", json::object{{"agent", "echo"}, {"input", json::object{}}});
  ASSERT_TRUE(held->wait_for_issue());
  // The submit waits for its credential; what follows waits behind it, up to the cap.
  for (int i = 0; i < 5; ++i)
    peer.send("x-vendor.pad", json::object{{"pad", std::string(20U << 10U, 'x')}});
  auto error = peer.next_of("session.error");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->payload.at("details").at("limit"), "max_queued_bytes_per_connection");
  EXPECT_TRUE(peer.wait_closed());
  held->release();
  // The job itself is accepted (its session lives on) and its credential revoked.
  EXPECT_TRUE(eventually([&] { return rt.runtime().stats().outstanding_credentials == 0; }));
  EXPECT_EQ(held->demo->live_count(), 0U);
}

// ---- X02 ----

enum class Ending { kSuccess, kError, kCancel, kTimeout, kLeaseExpiry, kShutdown };

std::string ending_name(const ::testing::TestParamInfo<Ending>& info) {
  switch (info.param) {
    case Ending::kSuccess:
      return "Success";
    case Ending::kError:
      return "Error";
    case Ending::kCancel:
      return "Cancel";
    case Ending::kTimeout:
      return "Timeout";
    case Ending::kLeaseExpiry:
      return "LeaseExpiry";
    case Ending::kShutdown:
      return "Shutdown";
  }
  return "?";
}

class RevokedOnEveryEnding : public ::testing::TestWithParam<Ending> {};

TEST_P(RevokedOnEveryEnding, ConformanceX02_RevokedWithRetriesBeforeTheTerminalEvent) {
  auto flaky = std::make_shared<FlakyDemo>(/*failures=*/2);
  auto o = with_provisioner(flaky);
  o.lease_expiry_grace = 20ms;
  TestRuntime rt(o);
  Latch latch;
  ASSERT_TRUE(rt.runtime().register_agent("latch", latch.coroutine_agent()));
  auto client = rt.connect_memory("alice-token", credential_client());

  SubmitOptions so{.agent = "latch"};
  switch (GetParam()) {
    case Ending::kSuccess:
      so.agent = "echo";
      break;
    case Ending::kError:
      so.agent = "failing";
      break;
    case Ending::kTimeout:
      so.max_runtime_sec = 1;
      break;
    case Ending::kLeaseExpiry:
      so.lease_constraints =
          json::object{{"expires_at", format_rfc3339(std::chrono::system_clock::now() + 1s)}};
      break;
    default:
      break;
  }
  auto job = client->submit(so);
  ASSERT_TRUE(job) << job.error().describe();
  ASSERT_EQ(job->accepted().credentials.size(), 1U);
  const std::string value = job->accepted().credentials[0].value;
  if (so.agent == "latch") {
    ASSERT_TRUE(latch.wait_for_waiting(1));
    EXPECT_TRUE(flaky->demo->is_live(value));
  }
  if (GetParam() == Ending::kCancel) ASSERT_TRUE(job->cancel("enough"));
  if (GetParam() == Ending::kShutdown) rt.runtime().shutdown();

  auto outcome = job->result(kWait);
  // Revoked before the terminal message was sent, so before it got here.
  EXPECT_FALSE(flaky->demo->is_live(value));
  EXPECT_EQ(flaky->demo->live_count(), 0U);
  EXPECT_EQ(flaky->revoke_calls(), 3);  // two transient failures, then success
  EXPECT_EQ(rt.runtime().stats().outstanding_credentials, 0U);
  switch (GetParam()) {
    case Ending::kSuccess:
      EXPECT_TRUE(outcome);
      break;
    case Ending::kError:
      ASSERT_FALSE(outcome);
      break;
    case Ending::kCancel:
      ASSERT_FALSE(outcome);
      EXPECT_EQ(outcome.error().code, ErrorCode::kCancelled);
      break;
    case Ending::kTimeout:
      ASSERT_FALSE(outcome);
      EXPECT_EQ(outcome.error().code, ErrorCode::kTimeout);
      break;
    case Ending::kLeaseExpiry:
      ASSERT_FALSE(outcome);
      EXPECT_EQ(outcome.error().code, ErrorCode::kLeaseExpired);
      break;
    case Ending::kShutdown:
      ASSERT_FALSE(outcome);
      EXPECT_EQ(outcome.error().code, ErrorCode::kInternalError);
      EXPECT_EQ(outcome.error().message, "runtime shutting down");
      break;
  }
}

INSTANTIATE_TEST_SUITE_P(Credentials, RevokedOnEveryEnding,
                         ::testing::Values(Ending::kSuccess, Ending::kError, Ending::kCancel,
                                           Ending::kTimeout, Ending::kLeaseExpiry,
                                           Ending::kShutdown),
                         ending_name);

// ---- X03 ----

std::string creds_listing(const std::string& dir) {
  int code = -1;
  auto out = run_command(std::string(ARCP_CLI_PATH) + " creds --json --data-dir " + dir, code);
  EXPECT_EQ(code, 0);
  return out;
}

LiteLlmOptions gateway_options(const FakeLiteLlm& gw) {
  LiteLlmOptions lo;
  lo.base_url = gw.url();
  lo.master_key = gw.master_key();
  lo.timeout = 5s;
  return lo;
}

TEST(Credentials, ConformanceX03_AFailedRevocationStaysInTheLedgerAndIsRevokedAfterARestart) {
  TempDir dir;
  FakeLiteLlm gw;
  AuditLog audit;
  std::string value;
  std::string cred_id;
  {
    TestRuntime rt(
        with_provisioner(make_litellm_provisioner(gateway_options(gw)), &audit, dir.path()));
    auto client = rt.connect_memory("alice-token", credential_client());
    gw.force_delete_status = 503;  // the gateway is down when the job ends
    auto job = client->submit({.agent = "echo"});
    ASSERT_TRUE(job) << job.error().describe();
    value = job->accepted().credentials.at(0).value;
    cred_id = job->accepted().credentials.at(0).id;
    EXPECT_TRUE(job->result());  // the outcome is not held back by a failing upstream
    EXPECT_EQ(gw.deletes(), 4);  // the whole retry policy was spent
    EXPECT_TRUE(gw.is_live(value));
    EXPECT_EQ(rt.runtime().stats().outstanding_credentials, 1U);

    // Logged once for the operator, without the value; listed by `arcp creds`.
    auto failed = audit.of_type("credential.revoke_failed");
    ASSERT_EQ(failed.size(), 1U);
    EXPECT_NE(failed[0].find(cred_id), std::string::npos);
    EXPECT_NE(failed[0].find("503"), std::string::npos);
    EXPECT_FALSE(audit.mentions(value));
    EXPECT_FALSE(audit.mentions(gw.master_key()));
    auto listing = creds_listing(dir.path());
    auto row = parse_json(listing.substr(0, listing.find('\n')));
    ASSERT_TRUE(row && row->is_object()) << listing;
    EXPECT_EQ(row->at("id").as_string(), cred_id);
    EXPECT_EQ(row->at("state"), "revoke_failed");
    EXPECT_EQ(row->at("attempts"), 4);
    EXPECT_EQ(row->at("principal"), "alice");
    EXPECT_EQ(row->at("provisioner"), "litellm");
    EXPECT_NE(std::string(row->at("last_error").as_string()).find("503"), std::string::npos);
    EXPECT_EQ(listing.find(value), std::string::npos);
  }
  // The gateway is back; the next process revokes what the ledger holds.
  gw.force_delete_status = 0;
  int deletes_before = gw.deletes();
  TestRuntime restarted(
      with_provisioner(make_litellm_provisioner(gateway_options(gw)), &audit, dir.path()));
  EXPECT_EQ(gw.deletes(), deletes_before + 1);
  EXPECT_EQ(gw.deleted_aliases().back(), cred_id);
  EXPECT_FALSE(gw.is_live(value));
  EXPECT_EQ(restarted.runtime().stats().outstanding_credentials, 0U);
  EXPECT_EQ(creds_listing(dir.path()), "");
}

TEST(Credentials, ConformanceX03_TheSweepRetriesAFailedRevocation) {
  FakeLiteLlm gw;
  TestRuntime rt(with_provisioner(make_litellm_provisioner(gateway_options(gw))));
  auto client = rt.connect_memory("alice-token", credential_client());
  gw.force_delete_status = 502;
  auto job = client->submit({.agent = "echo"});
  ASSERT_TRUE(job);
  std::string value = job->accepted().credentials.at(0).value;
  EXPECT_TRUE(job->result());
  EXPECT_TRUE(gw.is_live(value));
  gw.force_delete_status = 0;
  rt.runtime().sweep();
  EXPECT_TRUE(eventually([&] { return rt.runtime().stats().outstanding_credentials == 0; }));
  EXPECT_FALSE(gw.is_live(value));
}

#ifdef ARCP_CLI_PATH
// kill -9: no shutdown path runs, the job's credential stays live at the
// gateway; the restarted process revokes it from the ledger. Nothing the
// runtime wrote — its stderr, its data directory — holds the value.
TEST(Credentials, ConformanceX03_KillNineThenTheNextStartRevokesWhatTheLedgerHolds) {
  TempDir dir;
  TempDir logs;
  FakeLiteLlm gw;
  const std::string env = "LITELLM_MASTER_KEY=" + gw.master_key();
  auto args = [&](int n) {
    return "--token alice-token:alice --data-dir " + dir.path() +
           " --provisioner litellm=" + gw.url() + " 2>" + logs.path() + "/serve" +
           std::to_string(n) + ".log";
  };
  std::string value;
  std::string cred_id;
  {
    ServeProcess server(args(1), env);
    auto client = Client::connect(server.url(), [] {
      auto c = credential_client();
      c.token = "alice-token";
      c.auto_resume = false;
      return c;
    }());
    ASSERT_TRUE(client) << client.error().describe();
    auto job = (*client)->submit({.agent = "slow", .input = json::object{{"ms", 600000}}});
    ASSERT_TRUE(job) << job.error().describe();
    value = job->accepted().credentials.at(0).value;
    cred_id = job->accepted().credentials.at(0).id;
    EXPECT_TRUE(gw.is_live(value));
    server.kill(SIGKILL);
  }
  EXPECT_EQ(gw.deletes(), 0);
  EXPECT_TRUE(gw.is_live(value));
  {
    ServeProcess restarted(args(2), env);
    EXPECT_FALSE(gw.is_live(value));  // revoked before the new process listened
    auto aliases = gw.deleted_aliases();
    EXPECT_NE(std::find(aliases.begin(), aliases.end(), cred_id), aliases.end());
  }
  EXPECT_EQ(creds_listing(dir.path()), "");
  auto written = bytes_under(logs.path()) + bytes_under(dir.path()) + decoded_store(dir.path());
  EXPECT_EQ(written.find(value), std::string::npos);
  EXPECT_EQ(written.find(gw.master_key()), std::string::npos);
}

TEST(Credentials, ConformanceX03_ServeFailsFastWithoutTheMasterKey) {
  int code = -1;
  auto out = run_command("env -u LITELLM_MASTER_KEY " + std::string(ARCP_CLI_PATH) +
                             " serve --token t:a --provisioner litellm=http://127.0.0.1:9 2>&1",
                         code);
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("LITELLM_MASTER_KEY"), std::string::npos) << out;
}
#endif

// ---- X04 ----

TEST(Credentials, ConformanceX04_OnlyTheSubmittingSessionEverSeesTheValue) {
  TempDir dir;
  AuditLog audit;
  auto demo = make_demo_provisioner();
  std::string value;
  std::string job_id;
  {
    TestRuntime rt(with_provisioner(demo, &audit, dir.path()));
    Latch latch;
    ASSERT_TRUE(rt.runtime().register_agent("latch", latch.coroutine_agent()));
    RawPeer submitter(rt.memory_connection());
    ASSERT_TRUE(submitter.handshake("alice-token", kCredFeatures));
    json::object submit{{"agent", "latch"}, {"input", json::object{}}, {"idempotency_key", "k1"}};
    submitter.send("job.submit", submit);
    auto accepted = submitter.next_of("job.accepted");
    ASSERT_TRUE(accepted);
    job_id = accepted->job_id;
    value = std::string(
        accepted->payload.at("credentials").as_array()[0].as_object().at("value").as_string());
    ASSERT_TRUE(demo->is_live(value));

    // Another session of the same principal: subscribe with history, list,
    // and resubmit under the same idempotency key.
    RawPeer other(rt.memory_connection());
    ASSERT_TRUE(other.handshake("alice-token", kCredFeatures));
    std::vector<Envelope> seen;
    other.send("job.subscribe", json::object{{"job_id", job_id}, {"history", true}});
    auto subscribed = other.next_of("job.subscribed");
    ASSERT_TRUE(subscribed);
    EXPECT_FALSE(subscribed->payload.contains("credentials"));
    seen.push_back(*subscribed);
    other.send("session.list_jobs", json::object{});
    auto jobs = other.next_of("session.jobs");
    ASSERT_TRUE(jobs);
    seen.push_back(*jobs);
    other.send("job.submit", submit);
    auto replayed = other.next_of("job.accepted");
    ASSERT_TRUE(replayed);
    EXPECT_EQ(replayed->job_id, job_id);
    auto shown = replayed->payload.at("credentials").as_array()[0].as_object();
    EXPECT_EQ(shown.at("value").as_string(), kRedactedValue);  // the id and endpoint stay visible
    EXPECT_EQ(shown.at("endpoint"), "https://demo.invalid/v1");
    seen.push_back(*replayed);

    // The submitting session's own keyed resubmit (a client retrying after a
    // lost connection) gets its value back.
    submitter.send("job.submit", submit);
    auto again = submitter.next_of("job.accepted");
    ASSERT_TRUE(again);
    EXPECT_NE(text_of(*again).find(value), std::string::npos);

    latch.open();
    while (auto env = other.next(2s)) {
      seen.push_back(*env);
      if (env->type == "job.result") break;
    }
    ASSERT_TRUE(submitter.next_of("job.result"));
    EXPECT_FALSE(demo->is_live(value));
    for (const auto& env : seen) EXPECT_EQ(text_of(env).find(value), std::string::npos) << env.type;
  }
  // Nothing the runtime kept or logged holds it: the ledger stores handles,
  // the job record a redacted job.accepted.
  EXPECT_FALSE(audit.mentions(value));
  EXPECT_EQ(bytes_under(dir.path()).find(value), std::string::npos);
  auto stored = decoded_store(dir.path());
  EXPECT_NE(stored.find(job_id), std::string::npos);
  EXPECT_NE(stored.find(std::string(kRedactedValue)), std::string::npos);
  EXPECT_EQ(stored.find(value), std::string::npos);
}

// ---- X05 ----

/// Rotates its credential, tells the test what it now holds, and waits.
struct Rotator {
  std::mutex mu;
  std::condition_variable cv;
  std::string before;
  std::string after;
  bool rotated = false;
  bool finish = false;

  AgentHandler blocking() {
    return [this](JobContext& ctx) -> Result<json::value> {
      auto creds = ctx.credentials();
      if (creds.size() != 1) return Error(ErrorCode::kInternalError, "no credential");
      auto fresh = ctx.rotate_credential(creds[0].id);
      if (!fresh) return fresh.error();
      {
        std::lock_guard lock(mu);
        before = creds[0].value;
        after = ctx.credentials().at(0).value;
        rotated = fresh->value == after;
      }
      if (auto r = ctx.log("info", "rotated"); !r) return r.error();
      std::stop_callback wake(ctx.stop_token(), [this] {
        std::lock_guard lock(mu);
        cv.notify_all();
      });
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return finish || ctx.cancelled(); });
      return json::object{{"rotated", true}};
    };
  }
  AsyncAgentHandler coroutine() {
    return [this](JobContext& ctx) -> Awaitable<Result<json::value>> {
      auto creds = ctx.credentials();
      if (creds.size() != 1) co_return Error(ErrorCode::kInternalError, "no credential");
      auto rotating = ctx.async_rotate_credential(creds[0].id);
      auto fresh = co_await std::move(rotating);
      if (!fresh) co_return fresh.error();
      {
        std::lock_guard lock(mu);
        before = creds[0].value;
        after = ctx.credentials().at(0).value;
        rotated = fresh->value == after;
      }
      if (auto r = ctx.log("info", "rotated"); !r) co_return r.error();
      co_await ctx.async_wait_stopped();  // the test cancels the job
      co_return json::object{{"rotated", true}};
    };
  }
  void release() {
    std::lock_guard lock(mu);
    finish = true;
    cv.notify_all();
  }
};

class Rotation : public ::testing::TestWithParam<bool> {};

TEST_P(Rotation, ConformanceX05_TheNewValueGoesToTheSubmitterAndTheOldIsRevoked) {
  const bool coroutine = GetParam();
  TempDir dir;
  auto demo = make_demo_provisioner();
  Rotator rotator;
  std::string old_value;
  std::string new_value;
  {
    TestRuntime rt(with_provisioner(demo, nullptr, dir.path()));
    if (coroutine)
      ASSERT_TRUE(rt.runtime().register_agent("rotator", rotator.coroutine()));
    else
      ASSERT_TRUE(rt.runtime().register_agent("rotator", rotator.blocking()));
    RawPeer submitter(rt.memory_connection());
    ASSERT_TRUE(submitter.handshake("alice-token", kCredFeatures));
    submitter.send("job.submit", json::object{{"agent", "rotator"}, {"input", json::object{}}});
    auto accepted = submitter.next_of("job.accepted");
    ASSERT_TRUE(accepted);
    auto cred = accepted->payload.at("credentials").as_array()[0].as_object();
    std::string cred_id(cred.at("id").as_string());
    old_value = std::string(cred.at("value").as_string());

    std::optional<Envelope> rotated;
    while (auto env = submitter.next()) {
      if (env->type != "job.event") continue;
      const auto& body = env->payload.at("body").as_object();
      if (env->payload.at("kind") == "status" && body.at("phase") == "credential_rotated")
        rotated = env;
      if (env->payload.at("kind") == "log") break;  // "rotated": rotate_credential returned
    }
    ASSERT_TRUE(rotated);
    const auto& body = rotated->payload.at("body").as_object();
    EXPECT_EQ(body.at("credential_id").as_string(), cred_id);
    new_value = std::string(body.at("value").as_string());
    EXPECT_NE(new_value, old_value);
    EXPECT_TRUE(demo->is_live(new_value));
    EXPECT_FALSE(demo->is_live(old_value));  // revoked before rotate_credential returned
    {
      std::lock_guard lock(rotator.mu);
      EXPECT_TRUE(rotator.rotated);
      EXPECT_EQ(rotator.before, old_value);
      EXPECT_EQ(rotator.after, new_value);
    }

    // Another session of the principal replays the job's history: it learns
    // of the rotation, never the value.
    RawPeer other(rt.memory_connection());
    ASSERT_TRUE(other.handshake("alice-token", kCredFeatures));
    other.send("job.subscribe", json::object{{"job_id", accepted->job_id}, {"history", true}});
    ASSERT_TRUE(other.next_of("job.subscribed"));
    std::optional<Envelope> seen_rotation;
    while (auto env = other.next(2s)) {
      EXPECT_EQ(text_of(*env).find(new_value), std::string::npos);
      if (env->type == "job.event" && env->payload.at("kind") == "status") seen_rotation = env;
      if (env->type == "job.event" && env->payload.at("kind") == "log") break;
    }
    ASSERT_TRUE(seen_rotation);
    EXPECT_EQ(seen_rotation->payload.at("body").at("value").as_string(), kRedactedValue);
    EXPECT_EQ(seen_rotation->payload.at("body").at("credential_id").as_string(), cred_id);

    if (coroutine) {
      submitter.send("job.cancel", json::object{}, accepted->job_id);
      ASSERT_TRUE(submitter.next_of("job.error"));
    } else {
      rotator.release();
      ASSERT_TRUE(submitter.next_of("job.result"));
    }
    EXPECT_EQ(demo->live_count(), 0U);
  }
  auto written = bytes_under(dir.path()) + decoded_store(dir.path());
  EXPECT_EQ(written.find(new_value), std::string::npos);
  EXPECT_EQ(written.find(old_value), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Credentials, Rotation, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return i.param ? std::string("Coroutine") : std::string("Blocking");
                         });

TEST(Credentials, ConformanceX05_AnAgentCannotForgeARotation) {
  TestRuntime rt(with_provisioner(make_demo_provisioner()));
  ASSERT_TRUE(rt.runtime().register_agent("forger", [](JobContext& ctx) -> Result<json::value> {
    auto r = ctx.emit("status", json::object{{"phase", "credential_rotated"}, {"value", "x"}});
    if (r) return json::object{{"forged", true}};
    return json::object{{"code", to_string(r.error().code)}};
  }));
  auto client = rt.connect_memory("alice-token", credential_client());
  auto job = client->submit({.agent = "forger"});
  ASSERT_TRUE(job);
  auto r = job->result();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->at("code"), "INVALID_REQUEST");
}

// X06 (§9.8.2, §10): a child's credential is its own — a value distinct
// from the parent's, constrained by the child's narrower lease and budget —
// and it is revoked when the child ends; a parent that ends first ends its
// child, so no child credential outlives it.
TEST(Credentials, ConformanceX06_AChildsCredentialIsBoundedByItsLeaseAndRevokedWithIt) {
  auto demo = make_demo_provisioner();
  TestRuntime rt(with_provisioner(demo));
  std::mutex mu;
  std::string child_saw;
  ASSERT_TRUE(
      rt.runtime().register_agent("holder", [&](JobContext& ctx) -> Awaitable<Result<json::value>> {
        {
          std::lock_guard lock(mu);
          for (const auto& c : ctx.credentials()) child_saw = c.value;
        }
        co_await ctx.async_wait_stopped();  // held until its parent ends it
        co_return Error(ErrorCode::kCancelled, "stopped");
      }));
  ASSERT_TRUE(
      rt.runtime().register_agent("parent", [](JobContext& ctx) -> Awaitable<Result<json::value>> {
        DelegateRequest req{
            .agent = "holder",
            .lease_request = json::object{{"model.use", json::array{"tier-fast/mini"}},
                                          {"cost.budget", json::array{"USD:1.50"}}},
            .delegate_id = "d-cred"};
        auto delegating = ctx.async_delegate(std::move(req));
        auto child = co_await std::move(delegating);
        if (!child) co_return child.error();
        co_await ctx.async_wait_stopped();  // the test cancels it, which ends the child
        co_return Error(ErrorCode::kCancelled, "stopped");
      }));
  auto client = rt.connect_memory("alice-token", credential_client());
  auto job =
      client->submit({.agent = "parent",
                      .lease_request = json::object{{"agent.delegate", json::array{"holder"}},
                                                    {"model.use", json::array{"tier-fast/*"}},
                                                    {"cost.budget", json::array{"USD:5"}}}});
  ASSERT_TRUE(job) << job.error().describe();
  ASSERT_EQ(job->accepted().credentials.size(), 1U);
  std::string parent_value = job->accepted().credentials[0].value;
  std::optional<JobHandle> child;
  ASSERT_TRUE(eventually([&] {
    auto c = job->children();
    if (!c.empty()) child = c.front();
    return child.has_value();
  }));
  ASSERT_EQ(child->accepted().credentials.size(), 1U);
  const Credential& cc = child->accepted().credentials[0];
  EXPECT_NE(cc.value, parent_value);
  EXPECT_NE(cc.id, job->accepted().credentials[0].id);
  EXPECT_EQ(cc.constraints.at("model.use"), (json::array{"tier-fast/mini"}));
  EXPECT_EQ(cc.constraints.at("cost.budget"), (json::array{"USD:1.5"}));

  ASSERT_TRUE(eventually([&] {  // the child's agent is running, holding its value
    std::lock_guard lock(mu);
    return !child_saw.empty();
  }));
  ASSERT_TRUE(job->cancel("done"));
  EXPECT_FALSE(job->result());
  auto cr = child->result();
  ASSERT_FALSE(cr);
  EXPECT_EQ(cr.error().code, ErrorCode::kCancelled);
  // Both revoked by the time each outcome was seen; none left live.
  EXPECT_FALSE(demo->is_live(cc.value));
  EXPECT_FALSE(demo->is_live(parent_value));
  EXPECT_EQ(demo->live_count(), 0U);
  std::lock_guard lock(mu);
  EXPECT_EQ(child_saw, cc.value);  // the child's agent holds its own value
}

/// A demo upstream where the second credential issued (a child's) can only
/// be revoked after the first (its parent's) was: without the runtime
/// waiting for the child, the parent's outcome would go out while the
/// child's credential is still live.
class ChildRevokedLast final : public CredentialProvisioner {
 public:
  std::string name() const override { return "child-last"; }
  Result<IssuedCredential> issue(const CredentialRequest& r) override {
    auto issued = demo->issue(r);
    std::lock_guard lock(mu_);
    if (issued) handles_.push_back(issued->revoke_handle);
    return issued;
  }
  Result<void> revoke(const std::string& handle) override {
    std::unique_lock lock(mu_);
    if (handles_.size() == 2 && handle == handles_[1])
      cv_.wait_for(lock, kWait, [&] { return parent_revoked_; });
    lock.unlock();
    auto r = demo->revoke(handle);
    lock.lock();
    if (!handles_.empty() && handle == handles_[0]) parent_revoked_ = true;
    cv_.notify_all();
    return r;
  }
  std::shared_ptr<DemoProvisioner> demo = make_demo_provisioner();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> handles_;
  bool parent_revoked_ = false;
};

TEST(Credentials, ConformanceX06_TheParentsOutcomeWaitsForItsChildsRevocation) {
  auto upstream = std::make_shared<ChildRevokedLast>();
  TestRuntime rt(with_provisioner(upstream));
  ASSERT_TRUE(
      rt.runtime().register_agent("parent", [](JobContext& ctx) -> Awaitable<Result<json::value>> {
        DelegateRequest req{.agent = "slow",
                            .input = json::object{{"ms", 3'600'000}, {"tick_ms", 3'600'000}}};
        auto delegating = ctx.async_delegate(std::move(req));
        auto child = co_await std::move(delegating);
        if (!child) co_return child.error();
        co_return json::object{{"child", child->job_id()}};  // returning ends the child
      }));
  auto client = rt.connect_memory("alice-token", credential_client());
  auto job = client->submit(
      {.agent = "parent", .lease_request = json::object{{"agent.delegate", json::array{"slow"}}}});
  ASSERT_TRUE(job) << job.error().describe();
  auto r = job->result();
  ASSERT_TRUE(r) << r.error().describe();
  // By the time the parent's outcome is seen, no credential is live.
  EXPECT_EQ(upstream->demo->live_count(), 0U);
  auto children = job->children();
  ASSERT_EQ(children.size(), 1U);
  ASSERT_EQ(children[0].accepted().credentials.size(), 1U);
  EXPECT_FALSE(upstream->demo->is_live(children[0].accepted().credentials[0].value));
}

}  // namespace
}  // namespace arcp::test
