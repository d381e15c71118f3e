// Internal: the runtime's I/O executors — one io_context run by N threads.
// Sessions' timers and pumps, job timers and coroutine agents run here; none
// of them may block (core::mark_event_loop_thread).
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <vector>

namespace arcp::runtime {

class IoPool {
 public:
  explicit IoPool(std::size_t threads);
  ~IoPool();
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  /// Shared so timers owned by sessions, handlers and jobs never outlive it.
  const std::shared_ptr<boost::asio::io_context>& context() const { return io_; }
  std::size_t threads() const { return threads_.size(); }

  /// Stops the loop, joins its threads and destroys every handler still
  /// pending — among them the frames of coroutine agents that never
  /// returned, which would otherwise keep their jobs (and through them this
  /// io_context) alive in a cycle. Idempotent.
  void stop();

  /// Held by a thread outside the loop (a transport's reader) while it arms
  /// or cancels a timer of this context: stop() shuts the context down only
  /// when no holder is inside (a timer cancelled during the shutdown raced
  /// it under TSan). Empty once stop() has begun: leave the timer alone.
  std::shared_lock<std::shared_mutex> timer_access() const;

 private:
  mutable std::shared_mutex timers_mu_;
  bool shut_down_ = false;  // guarded by timers_mu_
  struct Context;
  std::shared_ptr<boost::asio::io_context> io_;
  Context* ctx_;  // io_, with its shutdown exposed
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
  bool stopped_ = false;
};

/// Default number of I/O threads: one per core.
std::size_t default_io_threads();

}  // namespace arcp::runtime
