// The runtime forgets what it no longer needs: detached sessions after the
// resume window, finished jobs and idempotency keys after their window.
#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

TEST(RuntimeMemory, DetachedSessionsAndOldJobsAreSwept) {
  RuntimeOptions o = default_runtime_options();
  o.resume_window = std::chrono::seconds(0);
  o.idempotency_window = std::chrono::seconds(0);
  TestRuntime rt(o);
  {
    auto client = rt.connect_memory();
    auto job = client->submit({.agent = "echo", .input = 1, .idempotency_key = "k"});
    ASSERT_TRUE(job);
    ASSERT_TRUE(job->result());
    auto running = client->submit({.agent = "slow", .input = json::object{{"ms", 60000}}});
    ASSERT_TRUE(running);
    EXPECT_EQ(rt.runtime().stats().sessions, 1U);
    EXPECT_EQ(rt.runtime().stats().jobs, 1U);         // running
    EXPECT_EQ(rt.runtime().stats().stored_jobs, 2U);  // running + finished (listable)
    ASSERT_TRUE(client->close());
    // Detached, but a job of the session still runs: the session is kept.
    rt.runtime().sweep();
    EXPECT_EQ(rt.runtime().stats().sessions, 1U);
    EXPECT_EQ(rt.runtime().stats().jobs, 1U);
    EXPECT_EQ(rt.runtime().stats().stored_jobs, 1U);  // the finished echo job is gone
    EXPECT_EQ(rt.runtime().stats().idempotency_keys, 0U);
    // End the running job: now everything can go.
    rt.runtime().shutdown();
  }
  rt.runtime().sweep();
  EXPECT_EQ(rt.runtime().stats().sessions, 0U);
  EXPECT_EQ(rt.runtime().stats().jobs, 0U);
  EXPECT_EQ(rt.runtime().stats().stored_jobs, 0U);
  EXPECT_EQ(rt.runtime().stats().stored_events, 0U);  // logs go with their sessions
}

TEST(RuntimeMemory, AttachedSessionsAreNeverSwept) {
  RuntimeOptions o = default_runtime_options();
  o.resume_window = std::chrono::seconds(0);
  TestRuntime rt(o);
  auto client = rt.connect_memory();
  rt.runtime().sweep();
  EXPECT_EQ(rt.runtime().stats().sessions, 1U);
  EXPECT_TRUE(client->submit({.agent = "echo"})->result());
}

}  // namespace
}  // namespace arcp::test
