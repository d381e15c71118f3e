// Persist before send under store failure: a write that cannot be committed
// is retried, and when it still fails nothing unpersisted is ever sent. The
// affected session's client gets a retryable INTERNAL_ERROR and a close, new
// submits are refused, and the runtime reports itself unhealthy. Failures
// are injected behind the Store interface (a decorator over the memory
// store) and inside the SQLite store's transaction.
#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include "store/store.hpp"
#include "support/test_support.hpp"

namespace arcp::test {
namespace {

/// The memory store until told to fail; from then on nothing persists.
class FailingStore final : public store::Store {
 public:
  void fail_from_now() { failing_ = true; }
  store::Store& inner() { return *inner_; }

  bool append(store::EventRecord r, const std::shared_ptr<store::DurableSink>& sink) override {
    if (failing_) {
      sink->on_store_failure(r.seq, *failure());
      return false;
    }
    return inner_->append(std::move(r), sink);
  }
  std::vector<store::EventRecord> read_events(const std::string& s, std::int64_t after,
                                              std::size_t limit) override {
    return inner_->read_events(s, after, limit);
  }
  std::vector<store::EventRecord> read_job_events(const std::string& s, const std::string& j,
                                                  std::int64_t after) override {
    return inner_->read_job_events(s, j, after);
  }
  std::vector<store::EventRecord> scan_events(const store::EventScan& scan) override {
    return inner_->scan_events(scan);
  }
  std::pair<std::int64_t, std::int64_t> seq_range(const std::string& s) override {
    return inner_->seq_range(s);
  }
  void trim_events(const std::string& s, std::int64_t upto) override {
    if (!failing_) inner_->trim_events(s, upto);
  }
  void save_session(const store::SessionRecord& r) override {
    if (!failing_) inner_->save_session(r);
  }
  std::optional<store::SessionRecord> load_session(const std::string& id) override {
    return inner_->load_session(id);
  }
  std::vector<store::SessionRecord> load_sessions() override { return inner_->load_sessions(); }
  void delete_session(const std::string& id) override {
    if (!failing_) inner_->delete_session(id);
  }
  void save_job(const store::JobRecord& r) override {
    if (!failing_) inner_->save_job(r);
  }
  std::optional<store::JobRecord> load_job(const std::string& id) override {
    return inner_->load_job(id);
  }
  std::vector<store::JobRecord> list_jobs(const store::JobQuery& q) override {
    return inner_->list_jobs(q);
  }
  std::vector<store::JobRecord> unfinished_jobs() override { return inner_->unfinished_jobs(); }
  void delete_job(const std::string& id) override {
    if (!failing_) inner_->delete_job(id);
  }
  std::vector<std::string> jobs_finished_before(std::int64_t cutoff) override {
    return inner_->jobs_finished_before(cutoff);
  }
  void save_idempotency(const store::IdempotencyRecord& r) override {
    if (!failing_) inner_->save_idempotency(r);
  }
  std::vector<store::IdempotencyRecord> load_idempotency_keys() override {
    return inner_->load_idempotency_keys();
  }
  void delete_idempotency_before(std::int64_t cutoff) override {
    if (!failing_) inner_->delete_idempotency_before(cutoff);
  }
  void save_credential(const store::CredentialRecord& r) override {
    if (!failing_) inner_->save_credential(r);
  }
  void delete_credential(const std::string& id) override {
    if (!failing_) inner_->delete_credential(id);
  }
  std::vector<store::CredentialRecord> load_credentials() override {
    return inner_->load_credentials();
  }
  void flush() override { inner_->flush(); }
  std::optional<Error> failure() const override {
    if (!failing_) return std::nullopt;
    return Error(ErrorCode::kInternalError, "injected store failure");
  }
  store::StoreStats stats() override { return inner_->stats(); }

 private:
  std::shared_ptr<store::Store> inner_ = store::make_memory_store();
  std::atomic<bool> failing_{false};
};

json::object gated_job(int steps) {
  return json::object{{"agent", "gated"}, {"input", json::object{{"steps", steps}}}};
}

/// Seq-bearing envelopes received until the transport closes.
std::vector<Envelope> until_closed(RawPeer& peer, std::optional<Envelope>& session_error) {
  std::vector<Envelope> events;
  while (auto env = peer.next(std::chrono::seconds(10))) {
    if (env->event_seq) events.push_back(*env);
    if (env->type == "session.error") session_error = env;
  }
  return events;
}

/// A runtime over `store` with a `gated` agent, and a client whose 3-step
/// job is accepted and waits at the gate.
struct GatedJob {
  explicit GatedJob(std::shared_ptr<store::Store> store) : rt(with_store(std::move(store))) {
    EXPECT_TRUE(rt.runtime().register_agent("gated", gate.handler()));
    welcome = peer.handshake();
    EXPECT_TRUE(welcome);
    peer.send("job.submit", gated_job(3));
    accepted = peer.next_of("job.accepted").has_value();
  }
  static RuntimeOptions with_store(std::shared_ptr<store::Store> store) {
    RuntimeOptions o = default_runtime_options();
    o.store = std::move(store);
    return o;
  }
  TestRuntime rt;
  Gate gate;
  RawPeer peer{rt.memory_connection()};
  std::optional<Envelope> welcome;
  bool accepted = false;
};

TEST(StoreFailure, NothingUnpersistedIsSentTheClientIsToldAndSubmitsAreRefused) {
  auto failing = std::make_shared<FailingStore>();
  GatedJob job(failing);
  ASSERT_TRUE(job.accepted);
  auto& [rt, gate, peer, welcome, accepted] = job;
  gate.release(1);
  auto first = peer.next_of("job.event");
  ASSERT_TRUE(first);

  failing->fail_from_now();
  gate.release(2);  // step 2 and 3 (and the result) can no longer be persisted
  std::optional<Envelope> error;
  auto received = until_closed(peer, error);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->payload.at("code").as_string(), "INTERNAL_ERROR");
  EXPECT_TRUE(error->payload.at("retryable").as_bool());
  for (const auto& env : received)  // anything that arrived was persisted first
    EXPECT_FALSE(failing->inner().read_events(peer.session_id, *env.event_seq - 1, 1).empty());
  EXPECT_TRUE(received.empty()) << "the events after the failure were sent";
  EXPECT_FALSE(rt.runtime().stats().store_failure.empty());

  // A new submit is refused with a retryable INTERNAL_ERROR.
  RawPeer other(rt.memory_connection());
  ASSERT_TRUE(other.handshake("bob-token"));
  auto id = other.send("job.submit", json::object{{"agent", "echo"}, {"input", "x"}});
  auto refused = other.next_of("session.error");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->payload.at("code").as_string(), "INTERNAL_ERROR");
  EXPECT_TRUE(refused->payload.at("retryable").as_bool());
  EXPECT_EQ(refused->payload.at("details").at("request_id").as_string(), id);

  // The broken session cannot be resumed into a stream with a hole.
  RawPeer again(rt.memory_connection());
  again.send("session.hello",
             resume_hello("alice-token", peer.session_id,
                          std::string(welcome->payload.at("resume_token").as_string()),
                          *first->event_seq));
  auto resume_error = again.next_of("session.error");
  ASSERT_TRUE(resume_error);
  EXPECT_EQ(resume_error->payload.at("code").as_string(), "INTERNAL_ERROR");
}

struct SqliteFixture {
  // The hook owns what it reads: the store's writer thread may commit once
  // more after the test's scope has ended (UBSan saw a destroyed bool).
  struct Hooks {
    std::atomic<int> failures_left{0};  // > 0: that many transactions fail
    std::atomic<bool> fail_forever{false};
    std::atomic<int> failed{0};
  };
  TempDir dir;
  std::shared_ptr<Hooks> hooks = std::make_shared<Hooks>();
  std::atomic<int>& failures_left = hooks->failures_left;
  std::atomic<bool>& fail_forever = hooks->fail_forever;
  std::atomic<int>& failed = hooks->failed;

  std::shared_ptr<store::Store> open() {
    store::SqliteOptions so;
    so.before_commit = [h = hooks] {
      if (h->fail_forever || h->failures_left.fetch_sub(1) > 0) {
        ++h->failed;
        throw std::runtime_error("injected: disk I/O error");
      }
      h->failures_left = 0;
    };
    auto s = store::open_sqlite_store(dir.path(), so);
    if (!s) throw std::runtime_error(s.error().message);
    return s.value();
  }
};

TEST(StoreFailure, SqliteRetriesAFailedCommitAndDeliversEveryEventOnce) {
  SqliteFixture fx;
  GatedJob job(fx.open());
  ASSERT_TRUE(job.accepted);
  fx.failures_left = 2;  // the next two transactions fail, the third attempt commits
  job.gate.release(3);
  std::vector<std::int64_t> seqs;
  while (auto env = job.peer.next()) {
    if (env->event_seq) seqs.push_back(*env->event_seq);
    if (env->type == "job.result") break;
    ASSERT_NE(env->type, "session.error");
  }
  EXPECT_EQ(seqs, (std::vector<std::int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(fx.failed, 2);
  EXPECT_TRUE(job.rt.runtime().stats().store_failure.empty());
}

TEST(StoreFailure, SqliteThatKeepsFailingSendsNothingARestartWouldLose) {
  SqliteFixture fx;
  std::vector<Envelope> received;
  std::string session_id;
  {
    GatedJob job(fx.open());
    ASSERT_TRUE(job.accepted);
    session_id = job.peer.session_id;
    job.gate.release(1);
    auto first = job.peer.next_of("job.event");
    ASSERT_TRUE(first);
    received.push_back(*first);
    fx.fail_forever = true;
    job.gate.release(2);
    std::optional<Envelope> error;
    auto more = until_closed(job.peer, error);
    received.insert(received.end(), more.begin(), more.end());
    ASSERT_TRUE(error);
    EXPECT_EQ(error->payload.at("code").as_string(), "INTERNAL_ERROR");
    EXPECT_FALSE(job.rt.runtime().stats().store_failure.empty());
  }
  // What a restart finds: every event the client saw is there.
  fx.fail_forever = false;
  auto reopened = fx.open();
  std::set<std::int64_t> stored;
  for (const auto& r : reopened->read_events(session_id, 0, 1000)) stored.insert(r.seq);
  for (const auto& env : received) EXPECT_TRUE(stored.count(*env.event_seq)) << *env.event_seq;
  EXPECT_EQ(received.size(), 1U);
}

}  // namespace
}  // namespace arcp::test
