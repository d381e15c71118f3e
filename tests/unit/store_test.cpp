// The Store contract, run against both implementations (memory, SQLite).
#include "store/store.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>

namespace arcp::store {
namespace {

struct Recorder : DurableSink {
  std::mutex mu;
  std::condition_variable cv;
  std::int64_t durable = 0;
  std::int64_t first_lost = 0;
  void on_durable(std::int64_t seq) override {
    std::lock_guard lock(mu);
    durable = std::max(durable, seq);
    cv.notify_all();
  }
  void on_store_failure(std::int64_t first_lost_seq, const Error&) override {
    std::lock_guard lock(mu);
    if (first_lost == 0 || first_lost_seq < first_lost) first_lost = first_lost_seq;
    cv.notify_all();
  }
};

class StoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "memory") {
      store = make_memory_store();
      return;
    }
    std::string tmpl = (std::filesystem::temp_directory_path() / "arcp-store-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir = tmpl;
    auto s = open_sqlite_store(dir);
    ASSERT_TRUE(s) << s.error().describe();
    store = s.value();
  }
  void TearDown() override {
    store.reset();
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
  void reopen() {
    if (GetParam() == "memory") return;
    store.reset();
    store = open_sqlite_store(dir).value();
  }
  EventRecord event(const std::string& session, std::int64_t seq, const std::string& job) {
    return EventRecord{session, seq, job, make_frame("{\"seq\":" + std::to_string(seq) + "}")};
  }
  JobRecord job(const std::string& id, const std::string& principal, std::int64_t created_ms,
                const std::string& status = "running", const std::string& agent = "echo@1.0.0") {
    JobRecord j;
    j.id = id;
    j.principal = principal;
    j.session_id = "sess_a";
    j.agent = agent;
    j.status = status;
    j.created_ms = created_ms;
    j.created_at = "t";
    j.accepted = "{}";
    return j;
  }
  std::shared_ptr<Store> store;
  std::string dir;
};

TEST_P(StoreContract, AppendsBecomeDurableInOrderAndReadBack) {
  auto sink = std::make_shared<Recorder>();
  bool sync = true;
  for (std::int64_t seq = 1; seq <= 100; ++seq)
    sync &= store->append(event("s1", seq, seq % 2 ? "job_a" : "job_b"), sink);
  if (!sync) {
    std::unique_lock lock(sink->mu);
    ASSERT_TRUE(
        sink->cv.wait_for(lock, std::chrono::seconds(10), [&] { return sink->durable == 100; }));
  }
  store->flush();
  auto all = store->read_events("s1", 0, 1000);
  ASSERT_EQ(all.size(), 100U);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].seq, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(*all[i].frame, "{\"seq\":" + std::to_string(i + 1) + "}");
  }
  auto page = store->read_events("s1", 40, 10);
  ASSERT_EQ(page.size(), 10U);
  EXPECT_EQ(page.front().seq, 41);
  auto job_a = store->read_job_events("s1", "job_a", 10);
  ASSERT_EQ(job_a.size(), 45U);  // odd seqs 11..99
  EXPECT_EQ(job_a.front().seq, 11);
  EXPECT_EQ(store->seq_range("s1"), std::make_pair(std::int64_t{1}, std::int64_t{100}));
  EXPECT_EQ(store->seq_range("nobody"), std::make_pair(std::int64_t{0}, std::int64_t{0}));
}

TEST_P(StoreContract, TrimAndDeleteSessionFreeEvents) {
  for (std::int64_t seq = 1; seq <= 10; ++seq) (void)store->append(event("s1", seq, "j"), nullptr);
  for (std::int64_t seq = 1; seq <= 3; ++seq) (void)store->append(event("s2", seq, "j"), nullptr);
  store->trim_events("s1", 6);
  store->flush();
  EXPECT_EQ(store->seq_range("s1"), std::make_pair(std::int64_t{7}, std::int64_t{10}));
  EXPECT_EQ(store->stats().events, 7U);
  store->save_session(SessionRecord{"s1", "alice", "[]", "hash", 11, 1});
  store->delete_session("s1");
  store->flush();
  EXPECT_FALSE(store->load_session("s1"));
  EXPECT_EQ(store->stats().events, 3U);  // s2 untouched
}

// Enough events, big enough, to span many of the SQLite store's chunks, from
// two sessions interleaved in one transaction; trims that split a chunk and
// that end exactly on one; everything read back across a reopen.
TEST_P(StoreContract, LongInterleavedLogsReadScanAndTrimExactlyAcrossAReopen) {
  const std::string pad(180, 'p');
  auto big = [&](const std::string& session, std::int64_t seq, const std::string& job) {
    return EventRecord{session, seq, job,
                       make_frame(R"({"seq":)" + std::to_string(seq) + R"(,"p":")" + pad + "\"}")};
  };
  constexpr std::int64_t kN = 3000;
  for (std::int64_t seq = 1; seq <= kN; ++seq) {
    (void)store->append(big("s1", seq, seq % 3 ? "job_a" : "job_b"), nullptr);
    if (seq % 2) (void)store->append(big("s2", (seq + 1) / 2, "job_c"), nullptr);
  }
  store->flush();
  EXPECT_EQ(store->stats().events, static_cast<std::size_t>(kN + kN / 2));

  std::int64_t expect = 1;
  for (std::int64_t after = 0;;) {
    auto page = store->read_events("s1", after, 700);
    if (page.empty()) break;
    for (const auto& e : page) {
      ASSERT_EQ(e.seq, expect++);
      EXPECT_EQ(e.job_id, e.seq % 3 ? "job_a" : "job_b");
      EXPECT_EQ(e.frame->rfind(R"({"seq":)" + std::to_string(e.seq) + ",", 0), 0U);
    }
    after = page.back().seq;
  }
  EXPECT_EQ(expect, kN + 1);
  EXPECT_EQ(store->read_job_events("s1", "job_b", 1500).size(), static_cast<std::size_t>(500));

  store->trim_events("s1", 1234);  // inside a chunk
  store->trim_events("s1", 1000);  // behind the horizon: no effect
  store->trim_events("s2", 1500);  // everything of s2
  store->flush();
  auto check = [&] {
    EXPECT_EQ(store->seq_range("s1"), std::make_pair(std::int64_t{1235}, kN));
    EXPECT_EQ(store->seq_range("s2"), std::make_pair(std::int64_t{0}, std::int64_t{0}));
    EXPECT_EQ(store->stats().events, static_cast<std::size_t>(kN - 1234));
    auto first = store->read_events("s1", 0, 1);
    ASSERT_EQ(first.size(), 1U);
    EXPECT_EQ(first[0].seq, 1235);
    auto job_b = store->read_job_events("s1", "job_b", 0);
    ASSERT_FALSE(job_b.empty());
    EXPECT_EQ(job_b.front().seq, 1236);

    // A scan pages by (session, seq) and honours the trim and the job filter.
    EventScan scan;
    scan.job_id = "job_a";
    scan.limit = 400;
    std::int64_t seen = 0;
    std::int64_t last = 0;
    for (;;) {
      auto rows = store->scan_events(scan);
      if (rows.empty()) break;
      for (const auto& r : rows) {
        EXPECT_EQ(r.session_id, "s1");
        EXPECT_GT(r.seq, last);
        EXPECT_EQ(r.job_id, "job_a");
        last = r.seq;
        ++seen;
      }
      scan.after = std::make_pair(rows.back().session_id, rows.back().seq);
    }
    EXPECT_EQ(seen, (kN - 1234) - (kN / 3 - 1234 / 3));
  };
  check();
  reopen();
  check();
  store->trim_events("s1", kN);
  store->flush();
  EXPECT_EQ(store->stats().events, 0U);
  EXPECT_TRUE(store->read_events("s1", 0, 10).empty());
}

TEST_P(StoreContract, SessionsJobsAndKeysSurviveAReopen) {
  store->save_session(SessionRecord{"s1", "alice", "[\"ack\"]", "abc123", 42, 7});
  store->save_job(job("job_1", "alice", 1000));
  store->save_idempotency(IdempotencyRecord{"alice", "k1", "fp", "job_1", 1000});
  (void)store->append(event("s1", 41, "job_1"), nullptr);
  store->flush();
  reopen();
  auto s = store->load_session("s1");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->principal, "alice");
  EXPECT_EQ(s->token_hash, "abc123");
  EXPECT_EQ(s->next_seq, 42);
  EXPECT_EQ(s->features, "[\"ack\"]");
  EXPECT_EQ(store->load_sessions().size(), 1U);
  auto j = store->load_job("job_1");
  ASSERT_TRUE(j);
  EXPECT_EQ(j->status, "running");
  EXPECT_EQ(store->unfinished_jobs().size(), 1U);
  auto keys = store->load_idempotency_keys();
  ASSERT_EQ(keys.size(), 1U);
  EXPECT_EQ(keys[0].job_id, "job_1");
  EXPECT_EQ(store->read_events("s1", 0, 10).size(), 1U);
}

TEST_P(StoreContract, ListJobsFiltersAndPagesByKeysetEvenWhenTheCursorRowIsGone) {
  for (int i = 0; i < 10; ++i) {
    auto j = job("job_" + std::to_string(i), i % 2 ? "bob" : "alice", 1000 + i / 2,
                 i < 4 ? "success" : "running", i == 0 ? "other@2.0.0" : "echo@1.0.0");
    store->save_job(j);
  }
  JobQuery q;
  q.principal = "alice";
  q.limit = 2;
  auto p1 = store->list_jobs(q);
  ASSERT_EQ(p1.size(), 2U);
  EXPECT_EQ(p1[0].id, "job_0");
  EXPECT_EQ(p1[1].id, "job_2");
  store->delete_job("job_2");  // the cursor row disappears
  q.after = std::make_pair(p1[1].created_ms, p1[1].id);
  auto p2 = store->list_jobs(q);
  ASSERT_EQ(p2.size(), 2U);
  EXPECT_EQ(p2[0].id, "job_4");
  EXPECT_EQ(p2[1].id, "job_6");

  JobQuery by_status;
  by_status.statuses = {"success"};
  EXPECT_EQ(store->list_jobs(by_status).size(), 3U);  // job_2 was deleted
  JobQuery by_agent;
  by_agent.agent = "other";
  ASSERT_EQ(store->list_jobs(by_agent).size(), 1U);
  by_agent.agent = "echo@1.0.0";
  EXPECT_EQ(store->list_jobs(by_agent).size(), 8U);
  JobQuery by_time;
  by_time.created_after_ms = 1002;
  by_time.created_before_ms = 1004;
  auto mid = store->list_jobs(by_time);
  ASSERT_EQ(mid.size(), 2U);  // created_ms 1003: job_6, job_7
  EXPECT_EQ(mid[0].id, "job_6");
}

TEST_P(StoreContract, RetentionFindsFinishedJobsAndExpiresKeys) {
  auto a = job("job_a", "alice", 1);
  a.finished_ms = 100;
  a.status = "success";
  store->save_job(a);
  store->save_job(job("job_b", "alice", 2));
  store->save_idempotency(IdempotencyRecord{"alice", "old", "fp", "job_a", 50});
  store->save_idempotency(IdempotencyRecord{"alice", "new", "fp", "job_b", 500});
  EXPECT_EQ(store->jobs_finished_before(100), std::vector<std::string>{"job_a"});
  EXPECT_TRUE(store->jobs_finished_before(99).empty());
  store->delete_idempotency_before(100);
  store->flush();
  auto keys = store->load_idempotency_keys();
  ASSERT_EQ(keys.size(), 1U);
  EXPECT_EQ(keys[0].key, "new");
}

TEST_P(StoreContract, CredentialLedgerRowsAreUpsertedDeletedAndSurviveAReopen) {
  CredentialRecord a{"cred_A", "job_1", "alice", "demo", "cred_A", "issued", 0, "", 10, 10};
  CredentialRecord b{"cred_B", "job_2", "bob", "litellm", "cred_B", "issued", 0, "", 20, 20};
  store->save_credential(a);
  store->save_credential(b);
  b.state = "revoke_failed";
  b.attempts = 4;
  b.last_error = "LiteLLM http://gw/key/delete answered HTTP 503";
  store->save_credential(b);  // an upsert, not a second row
  store->flush();
  reopen();
  auto rows = store->load_credentials();
  ASSERT_EQ(rows.size(), 2U);
  std::sort(rows.begin(), rows.end(), [](auto& x, auto& y) { return x.id < y.id; });
  EXPECT_EQ(rows[0].state, "issued");
  EXPECT_EQ(rows[1].state, "revoke_failed");
  EXPECT_EQ(rows[1].attempts, 4);
  EXPECT_EQ(rows[1].last_error, b.last_error);
  EXPECT_EQ(rows[1].provisioner, "litellm");
  EXPECT_EQ(store->stats().credentials, 2U);
  store->delete_credential("cred_A");
  store->flush();
  reopen();
  rows = store->load_credentials();
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].id, "cred_B");
  EXPECT_EQ(store->durable(), GetParam() == "sqlite");
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreContract, ::testing::Values("memory", "sqlite"));

/// A SQLite store whose transactions fail while `failing` says so.
struct FaultySqlite {
  std::string dir;
  std::atomic<int> failures_left{0};
  std::atomic<int> attempts_failed{0};
  std::shared_ptr<Store> store;
  FaultySqlite() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "arcp-store-XXXXXX").string();
    EXPECT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir = tmpl;
    SqliteOptions so;
    so.before_commit = [this] {
      if (failures_left.load() > 0) {
        --failures_left;
        ++attempts_failed;
        throw std::runtime_error("injected");
      }
    };
    store = open_sqlite_store(dir, so).value();
  }
  ~FaultySqlite() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
  EventRecord event(std::int64_t seq) {
    return EventRecord{"s1", seq, "job_a", make_frame("{\"seq\":" + std::to_string(seq) + "}")};
  }
};

TEST(SqliteFailure, AFailedCommitIsRetriedAndThenReportedDurable) {
  FaultySqlite f;
  auto sink = std::make_shared<Recorder>();
  f.failures_left = 3;  // attempts 1-3 fail, the 4th (last) commits
  f.store->append(f.event(1), sink);
  f.store->flush();
  EXPECT_EQ(f.attempts_failed, 3);
  EXPECT_EQ(sink->durable, 1);
  EXPECT_EQ(sink->first_lost, 0);
  EXPECT_FALSE(f.store->failure());
  EXPECT_EQ(f.store->read_events("s1", 0, 10).size(), 1U);
}

TEST(SqliteFailure, ACommitThatKeepsFailingIsNeverReportedDurableAndTheStoreStaysFailed) {
  FaultySqlite f;
  auto sink = std::make_shared<Recorder>();
  f.store->append(f.event(1), sink);
  f.store->flush();
  ASSERT_EQ(sink->durable, 1);
  f.failures_left = 1000;
  f.store->append(f.event(2), sink);
  f.store->append(f.event(3), sink);
  f.store->flush();
  EXPECT_EQ(sink->durable, 1);     // never told 2 or 3 are durable
  EXPECT_EQ(sink->first_lost, 2);  // told that from 2 on nothing persists
  ASSERT_TRUE(f.store->failure());
  EXPECT_EQ(f.store->failure()->code, ErrorCode::kInternalError);
  // Later writes are not attempted (a log with a hole must not look whole).
  int attempts = f.attempts_failed;
  f.failures_left = 0;
  auto later = std::make_shared<Recorder>();
  f.store->append(f.event(4), later);
  f.store->flush();
  EXPECT_EQ(f.attempts_failed, attempts);
  EXPECT_EQ(later->durable, 0);
  EXPECT_EQ(later->first_lost, 4);
  EXPECT_EQ(f.store->read_events("s1", 0, 10).size(), 1U);
}

}  // namespace
}  // namespace arcp::store
