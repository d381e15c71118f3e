#include "runtime/io_pool.hpp"

#include <algorithm>

#include "core/thread_name.hpp"
#include "core/thread_role.hpp"

namespace arcp::runtime {

// execution_context::shutdown() is protected: it is what ~io_context runs
// first (destroying pending handlers); stop() needs it earlier.
struct IoPool::Context : boost::asio::io_context {
  using boost::asio::io_context::shutdown;
};

std::size_t default_io_threads() {
  return std::max(1U, std::thread::hardware_concurrency());
}

IoPool::IoPool(std::size_t threads)
    : io_(std::make_shared<Context>()),
      ctx_(static_cast<Context*>(io_.get())),
      work_(boost::asio::make_work_guard(*io_)) {
  threads = std::max<std::size_t>(1, threads);
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i)
    threads_.emplace_back([io = io_] {
      core::name_this_thread("arcp-io");
      core::mark_event_loop_thread();
      io->run();
    });
}

IoPool::~IoPool() {
  stop();
}

void IoPool::stop() {
  if (stopped_) return;
  stopped_ = true;
  work_.reset();
  io_->stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  std::unique_lock lock(timers_mu_);
  shut_down_ = true;
  ctx_->shutdown();
}

std::shared_lock<std::shared_mutex> IoPool::timer_access() const {
  // try: the shutdown itself may destroy a handler whose owner then touches
  // a timer on this very thread.
  std::shared_lock lock(timers_mu_, std::try_to_lock);
  if (lock.owns_lock() && shut_down_) lock.unlock();
  return lock;
}

}  // namespace arcp::runtime
