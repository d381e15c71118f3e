// The elastic pool blocking agents run on: threads on demand up to the caps,
// fair between principals, idle threads exit.
#include "runtime/blocking_pool.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

namespace arcp::runtime {
namespace {

constexpr auto kWait = std::chrono::seconds(10);

// Tasks that check in and block until released.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  int running = 0;
  bool open = false;
  std::function<void()> task() {
    return [this] {
      std::unique_lock lock(mu);
      ++running;
      cv.notify_all();
      cv.wait(lock, [&] { return open; });
      --running;
      cv.notify_all();
    };
  }
  bool wait_running(int n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, kWait, [&] { return running == n; });
  }
  void release() {
    std::lock_guard lock(mu);
    open = true;
    cv.notify_all();
  }
};

TEST(BlockingPool, ABurstOnAWarmPoolGetsAThreadPerTask) {
  BlockingPool pool({.max_threads = 16,
                     .max_threads_per_principal = 16,
                     .idle_timeout = std::chrono::seconds(60)});
  Gate warm;
  warm.open = true;
  pool.submit("alice", warm.task());
  while (pool.stats().busy != 0 || pool.stats().threads != 1) std::this_thread::yield();
  // One idle thread. Submitted back to back, before it can wake: each task
  // must still get a thread (the idle one, then new ones).
  Gate burst;
  for (int i = 0; i < 5; ++i) pool.submit("alice", burst.task());
  EXPECT_TRUE(burst.wait_running(5));
  EXPECT_EQ(pool.stats().queued, 0U);
  burst.release();
  pool.join();  // the tasks touch the gates until they return
}

TEST(BlockingPool, TasksBeyondThePerPrincipalCapWaitAndOthersStillRun) {
  BlockingPool pool(
      {.max_threads = 3, .max_threads_per_principal = 2, .idle_timeout = std::chrono::seconds(60)});
  Gate alice;
  for (int i = 0; i < 4; ++i) pool.submit("alice", alice.task());
  ASSERT_TRUE(alice.wait_running(2));
  Gate bob;
  pool.submit("bob", bob.task());
  EXPECT_TRUE(bob.wait_running(1));
  EXPECT_EQ(pool.stats().queued, 2U);
  alice.release();
  bob.release();
  pool.join();
  EXPECT_EQ(pool.stats().threads, 0U);
}

}  // namespace
}  // namespace arcp::runtime
