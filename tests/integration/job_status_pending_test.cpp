// JobHandle::status() follows the runtime: a job accepted but waiting for a
// blocking thread is `pending` — to its submitter and to a subscriber — and
// `running` only once the runtime shows it started.
#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

RuntimeOptions one_blocking_thread() {
  RuntimeOptions o = default_runtime_options();
  o.max_blocking_threads = 1;
  return o;
}

TEST(JobStatusPending, WaitingForAThreadIsPendingNotRunning) {
  TestRuntime rt(one_blocking_thread());
  Latch latch;
  ASSERT_TRUE(rt.runtime().register_agent("hold", latch.blocking_agent()));
  auto client = Client::connect(rt.websocket_url(), ClientOptions{.token = "alice-token"});
  ASSERT_TRUE(client) << client.error().describe();

  auto first = (*client)->submit({.agent = "hold"});
  ASSERT_TRUE(first);
  ASSERT_TRUE(latch.wait_for_waiting(1));  // the only blocking thread is taken
  auto second = (*client)->submit({.agent = "hold"});
  ASSERT_TRUE(second);

  // The runtime says pending…
  auto page = (*client)->list_jobs_page(ListJobs{});
  ASSERT_TRUE(page) << page.error().describe();
  bool listed = false;
  for (const auto& j : page->jobs)
    if (j.job_id == second->job_id()) {
      listed = true;
      EXPECT_EQ(j.status, JobStatus::kPending);
    }
  EXPECT_TRUE(listed);
  // …and so do the submitter's handle and a subscriber's.
  EXPECT_EQ(second->status(), JobStatus::kPending);
  auto watcher = Client::connect(rt.websocket_url(), ClientOptions{.token = "alice-token"});
  ASSERT_TRUE(watcher);
  auto watched = (*watcher)->subscribe(second->job_id());
  ASSERT_TRUE(watched);
  EXPECT_EQ(watched->status(), JobStatus::kPending);
  auto running = (*watcher)->subscribe(first->job_id());
  ASSERT_TRUE(running);
  EXPECT_EQ(running->status(), JobStatus::kRunning);

  latch.open();
  ASSERT_TRUE(first->result(kWait));
  ASSERT_TRUE(second->result(kWait));
  EXPECT_EQ(second->status(), JobStatus::kSuccess);
  ASSERT_TRUE(watched->result(kWait));
  EXPECT_EQ(watched->status(), JobStatus::kSuccess);
}

TEST(JobStatusPending, AnEventFromTheAgentMeansRunning) {
  TestRuntime rt;
  Gate gate;
  ASSERT_TRUE(rt.runtime().register_agent("gate", gate.handler()));
  auto client = Client::connect(rt.websocket_url(), ClientOptions{.token = "alice-token"});
  ASSERT_TRUE(client);
  auto job = (*client)->submit({.agent = "gate", .input = json::object{{"steps", 2}}});
  ASSERT_TRUE(job);
  gate.release(1);
  auto ev = job->next_event(kWait);
  ASSERT_TRUE(ev);
  EXPECT_EQ(job->status(), JobStatus::kRunning);
  gate.release(1);
  ASSERT_TRUE(job->result(kWait));
  EXPECT_EQ(job->status(), JobStatus::kSuccess);
}

}  // namespace
}  // namespace arcp::test
