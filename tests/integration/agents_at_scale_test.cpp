// The execution model (issue #9): coroutine agents wait by the thousand on a
// few I/O threads, blocking agents each get a thread from an elastic pool,
// and a stop (cancel, timeout, lease expiry, shutdown) reaches an awaiting
// agent promptly with exactly one terminal message.
#include <gtest/gtest.h>

#include <arcp/job_context.hpp>
#include <arcp/time.hpp>
#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

constexpr auto kLongWait = std::chrono::hours(1);

RuntimeOptions scale_options() {
  RuntimeOptions o = default_runtime_options();
  o.io_threads = 2;
  o.max_concurrent_jobs_per_session = 1000;
  o.blocking_thread_idle = std::chrono::milliseconds(50);
  return o;
}

TEST(AgentsAtScale, TwoThousandCoroutineJobsWaitAtOnceWithoutHoldingAThread) {
  TestRuntime rt(scale_options());
  Latch latch;
  ASSERT_TRUE(rt.runtime().register_agent("latch", latch.coroutine_agent()));
  constexpr std::size_t kSessions = 4;
  constexpr std::size_t kPerSession = 500;
  std::vector<std::shared_ptr<Client>> clients;
  std::vector<JobHandle> jobs;
  for (std::size_t s = 0; s < kSessions; ++s) {
    clients.push_back(rt.connect_memory());
    for (std::size_t j = 0; j < kPerSession; ++j) {
      auto job = clients.back()->submit({.agent = "latch"});
      ASSERT_TRUE(job);
      jobs.push_back(std::move(job.value()));
    }
  }
  // Every job is running and waiting before any is let go.
  ASSERT_TRUE(latch.wait_for_waiting(kSessions * kPerSession));
  auto stats = rt.runtime().stats();
  EXPECT_EQ(stats.jobs, kSessions * kPerSession);
  EXPECT_EQ(stats.io_threads, 2U);
  EXPECT_EQ(stats.blocking_threads, 0U);  // no job holds a thread
  latch.open();
  for (auto& job : jobs) {
    auto r = job.result();
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(r->at("released"), true);
  }
  EXPECT_TRUE(eventually([&] { return rt.runtime().stats().jobs == 0; }));
}

TEST(AgentsAtScale, AHundredBlockingJobsRunAtOnceAndTheIdlePoolShrinks) {
  TestRuntime rt(scale_options());
  Latch latch;
  ASSERT_TRUE(rt.runtime().register_agent("latch_blocking", latch.blocking_agent()));
  constexpr std::size_t kJobs = 100;  // above the old fixed cap of 32 workers
  auto client = rt.connect_memory();
  std::vector<JobHandle> jobs;
  for (std::size_t j = 0; j < kJobs; ++j) {
    auto job = client->submit({.agent = "latch_blocking"});
    ASSERT_TRUE(job);
    jobs.push_back(std::move(job.value()));
  }
  ASSERT_TRUE(latch.wait_for_waiting(kJobs));
  auto stats = rt.runtime().stats();
  EXPECT_EQ(stats.blocking_busy, kJobs);
  EXPECT_EQ(stats.jobs_waiting_for_thread, 0U);
  latch.open();
  for (auto& job : jobs) {
    auto r = job.result();
    ASSERT_TRUE(r) << r.error().describe();
  }
  // Idle threads exit after blocking_thread_idle.
  EXPECT_TRUE(eventually([&] { return rt.runtime().stats().blocking_threads == 0; }));
}

TEST(AgentsAtScale, BlockingJobsBeyondThePoolCapWaitInPendingThenRun) {
  RuntimeOptions o = scale_options();
  o.max_blocking_threads = 2;
  TestRuntime rt(o);
  Latch latch;
  ASSERT_TRUE(rt.runtime().register_agent("latch_blocking", latch.blocking_agent()));
  auto client = rt.connect_memory();
  std::vector<JobHandle> jobs;
  for (int j = 0; j < 3; ++j) {
    auto job = client->submit({.agent = "latch_blocking"});
    ASSERT_TRUE(job);
    jobs.push_back(std::move(job.value()));
  }
  ASSERT_TRUE(latch.wait_for_waiting(2));
  EXPECT_TRUE(eventually([&] { return rt.runtime().stats().jobs_waiting_for_thread == 1; }));
  EXPECT_EQ(latch.waiting(), 2U);
  EXPECT_EQ(rt.runtime().stats().blocking_threads, 2U);
  latch.open();
  for (auto& job : jobs) ASSERT_TRUE(job.result());
}

TEST(AgentsAtScale, AFreedBlockingThreadGoesToThePrincipalHoldingFewer) {
  RuntimeOptions o = scale_options();
  o.max_blocking_threads = 2;
  TestRuntime rt(o);
  Latch latch;
  ASSERT_TRUE(rt.runtime().register_agent("latch_blocking", latch.blocking_agent()));
  auto alice = rt.connect_memory("alice-token");
  auto bob = rt.connect_memory("bob-token");
  std::vector<JobHandle> alice_jobs;
  for (int j = 0; j < 4; ++j) {
    auto job = alice->submit({.agent = "latch_blocking"});
    ASSERT_TRUE(job);
    alice_jobs.push_back(std::move(job.value()));
  }
  ASSERT_TRUE(latch.wait_for_waiting(2));  // alice holds both threads, two wait
  auto bob_job = bob->submit({.agent = "latch_blocking"});
  ASSERT_TRUE(bob_job);
  EXPECT_TRUE(eventually([&] { return rt.runtime().stats().jobs_waiting_for_thread == 3; }));
  // One of alice's threads frees: bob, who holds none, gets it before
  // alice's earlier-queued jobs.
  ASSERT_TRUE(alice_jobs[0].cancel());
  ASSERT_TRUE(latch.wait_for_returned(1));
  EXPECT_TRUE(eventually([&] { return latch.waiting_of("bob") == 1; }));
  EXPECT_EQ(latch.waiting_of("alice"), 1U);
  latch.open();
  ASSERT_TRUE(bob_job->result());
}

TEST(AgentsAtScale, OnePrincipalsBlockingBacklogLeavesAThreadForAnother) {
  RuntimeOptions o = scale_options();
  o.max_blocking_threads = 3;
  o.max_blocking_threads_per_principal = 2;
  TestRuntime rt(o);
  Latch latch;
  ASSERT_TRUE(rt.runtime().register_agent("latch_blocking", latch.blocking_agent()));
  auto alice = rt.connect_memory("alice-token");
  std::vector<JobHandle> alice_jobs;
  for (int j = 0; j < 5; ++j) {
    auto job = alice->submit({.agent = "latch_blocking"});
    ASSERT_TRUE(job);
    alice_jobs.push_back(std::move(job.value()));
  }
  ASSERT_TRUE(latch.wait_for_waiting(2));
  EXPECT_TRUE(eventually([&] { return rt.runtime().stats().jobs_waiting_for_thread == 3; }));
  // `echo` is a blocking agent: bob's job runs while alice's backlog waits.
  auto bob = rt.connect_memory("bob-token");
  auto echo = bob->submit({.agent = "echo", .input = json::object{{"from", "bob"}}});
  ASSERT_TRUE(echo);
  auto r = echo->result(kWait);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(latch.waiting_of("alice"), 2U);
  latch.open();
  for (auto& job : alice_jobs) ASSERT_TRUE(job.result());
}

// A coroutine agent awaiting a long sleep, recording how its wait ended.
struct Sleeper {
  std::mutex mu;
  std::condition_variable cv;
  int started = 0;
  int returned = 0;
  bool woke_stopped = false;

  AsyncAgentHandler agent() {
    return [this](JobContext& ctx) -> Awaitable<Result<json::value>> {
      {
        std::lock_guard lock(mu);
        ++started;
        cv.notify_all();
      }
      bool slept = co_await ctx.async_sleep_for(
          std::chrono::duration_cast<std::chrono::milliseconds>(kLongWait));
      std::lock_guard lock(mu);
      woke_stopped = !slept;
      ++returned;
      cv.notify_all();
      co_return json::object{{"slept", slept}};
    };
  }
  bool wait_started() {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, kWait, [&] { return started > 0; });
  }
  bool wait_returned() {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, kWait, [&] { return returned > 0; });
  }
};

enum class Stop { kCancel, kTimeout, kLeaseExpiry, kShutdown };

class StoppingAnAwaitingAgent : public ::testing::TestWithParam<Stop> {};

TEST_P(StoppingAnAwaitingAgent, EndsTheJobOnceAndCompletesTheWait) {
  Sleeper sleeper;
  auto rt = std::make_unique<TestRuntime>(scale_options());
  ASSERT_TRUE(rt->runtime().register_agent("sleeper", sleeper.agent()));
  RawPeer peer(rt->memory_connection());
  ASSERT_TRUE(peer.handshake());
  json::object submit{{"agent", "sleeper"}};
  std::string expected_code;
  switch (GetParam()) {
    case Stop::kCancel:
      expected_code = "CANCELLED";
      break;
    case Stop::kTimeout:
      submit["max_runtime_sec"] = 1;
      expected_code = "TIMEOUT";
      break;
    case Stop::kLeaseExpiry:
      submit["lease_constraints"] =
          json::object{{"expires_at", format_rfc3339(std::chrono::system_clock::now() +
                                                     std::chrono::seconds(1))}};
      expected_code = "LEASE_EXPIRED";
      break;
    case Stop::kShutdown:
      expected_code = "INTERNAL_ERROR";
      break;
  }
  peer.send("job.submit", submit);
  auto accepted = peer.next_of("job.accepted");
  ASSERT_TRUE(accepted);
  std::string job_id = accepted->job_id;
  // The agent runs (a job stopped while pending never starts its agent).
  ASSERT_TRUE(sleeper.wait_started());
  if (GetParam() == Stop::kCancel) peer.send("job.cancel", json::object{{"job_id", job_id}});
  if (GetParam() == Stop::kShutdown) rt->runtime().shutdown();

  auto terminal = peer.next_of("job.error");
  ASSERT_TRUE(terminal);
  EXPECT_EQ(terminal->job_id, job_id);
  EXPECT_EQ(terminal->payload.at("code").as_string(), expected_code);
  // The pending wait completed with "stopped" and the agent returned: its
  // result is ignored, not sent as a second terminal message.
  ASSERT_TRUE(sleeper.wait_returned());
  EXPECT_TRUE(sleeper.woke_stopped);
  if (GetParam() != Stop::kShutdown) {
    // Everything sent before the pong was sent before the agent returned.
    peer.send("session.ping", json::object{{"nonce", "after"}});
    while (auto env = peer.next()) {
      if (env->type == "session.pong") break;
      EXPECT_NE(env->type, "job.result");
      EXPECT_NE(env->type, "job.error");
    }
    EXPECT_TRUE(eventually([&] { return rt->runtime().stats().jobs == 0; }));
    peer.send("session.close", json::object{});
  }
  // The runtime's side of the connection has finished closing before the
  // process may exit (it would race OpenSSL's and the statics' teardown).
  EXPECT_TRUE(peer.wait_closed());
  EXPECT_TRUE(eventually([&] { return rt->runtime().stats().connections == 0; }));
  rt.reset();  // nothing outlives the runtime (ASan checks the timers and frames)
}

INSTANTIATE_TEST_SUITE_P(EveryStop, StoppingAnAwaitingAgent,
                         ::testing::Values(Stop::kCancel, Stop::kTimeout, Stop::kLeaseExpiry,
                                           Stop::kShutdown),
                         [](const auto& info) {
                           switch (info.param) {
                             case Stop::kCancel:
                               return "Cancel";
                             case Stop::kTimeout:
                               return "Timeout";
                             case Stop::kLeaseExpiry:
                               return "LeaseExpiry";
                             case Stop::kShutdown:
                               return "Shutdown";
                           }
                           return "Unknown";
                         });

TEST(AgentsAtScale, ACoroutineThatNeverReturnsIsDestroyedWithTheRuntime) {
  // Ignores every stop: only the runtime's destruction ends its frame.
  auto rt = std::make_unique<TestRuntime>(scale_options());
  auto frames = std::make_shared<std::atomic<int>>(0);
  struct Count {
    std::shared_ptr<std::atomic<int>> n;
    explicit Count(std::shared_ptr<std::atomic<int>> c) : n(std::move(c)) { ++*n; }
    ~Count() { --*n; }
  };
  ASSERT_TRUE(rt->runtime().register_agent(
      "stubborn", [frames](JobContext&) -> Awaitable<Result<json::value>> {
        Count alive(frames);
        boost::asio::steady_timer own(co_await boost::asio::this_coro::executor, kLongWait);
        co_await own.async_wait(boost::asio::use_awaitable);
        co_return json::object{};
      }));
  auto client = rt->connect_memory();
  auto job = client->submit({.agent = "stubborn"});
  ASSERT_TRUE(job);
  ASSERT_TRUE(eventually([&] { return frames->load() == 1; }));
  ASSERT_TRUE(job->cancel());
  auto r = job->result(kWait);  // ended for it after the grace period
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(frames->load(), 1);  // still awaiting its own timer
  client.reset();
  rt.reset();
  // The frame (and its job) did not leak. The runtime's last reference may
  // be dropped on a transport thread still finishing its close.
  EXPECT_TRUE(eventually([&] { return frames->load() == 0; }));
}

}  // namespace
}  // namespace arcp::test
