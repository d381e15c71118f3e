// Internal: the elastic thread pool blocking agents run on. A thread is
// started when a task is runnable and none is idle, up to `max_threads`;
// a thread idle for `idle_timeout` exits. While the pool is full, a freed
// thread goes to the waiting principal that holds the fewest threads, and no
// principal holds more than `max_threads_per_principal`, so one principal's
// backlog can neither starve another's jobs nor take every thread (§14).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace arcp::runtime {

struct BlockingPoolLimits {
  std::size_t max_threads = 1280;
  std::size_t max_threads_per_principal = 1024;
  std::chrono::milliseconds idle_timeout{10000};
};

struct BlockingPoolStats {
  std::size_t threads = 0;  // alive, busy or idle
  std::size_t busy = 0;
  std::size_t queued = 0;  // tasks waiting for a thread
};

class BlockingPool {
 public:
  explicit BlockingPool(BlockingPoolLimits limits);
  /// Joins: waits for running tasks to return (they were asked to stop).
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  /// Queues `task` for `principal`; it runs as soon as the caps allow.
  void submit(const std::string& principal, std::function<void()> task);
  /// Drops queued tasks (their jobs have ended) and waits for every thread.
  void join();
  BlockingPoolStats stats() const;

 private:
  struct Queue {
    std::deque<std::function<void()>> tasks;
    std::size_t running = 0;
  };
  void worker_loop();
  /// The next task a thread may take, fairly between principals; false
  /// when every queued task's principal is at its cap.
  bool take_locked(std::function<void()>& task, std::string& principal);
  bool runnable_locked() const;
  void start_thread_locked();

  const BlockingPoolLimits limits_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable exit_cv_;
  std::map<std::string, Queue> queues_;  // principals with queued or running tasks
  std::deque<std::string> turn_;         // principals with queued tasks, in rotation order
  std::size_t threads_ = 0;
  std::size_t idle_ = 0;
  std::size_t wakeups_ = 0;  // idle threads notified that have not woken yet
  std::size_t busy_ = 0;
  std::size_t queued_ = 0;
  bool stopping_ = false;
};

}  // namespace arcp::runtime
