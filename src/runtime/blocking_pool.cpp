#include "runtime/blocking_pool.hpp"

#include <algorithm>
#include <iterator>
#include <thread>

#include "core/thread_name.hpp"

namespace arcp::runtime {

BlockingPool::BlockingPool(BlockingPoolLimits limits) : limits_(limits) {}

BlockingPool::~BlockingPool() {
  join();
}

void BlockingPool::submit(const std::string& principal, std::function<void()> task) {
  std::lock_guard lock(mu_);
  if (stopping_) return;
  auto& q = queues_[principal];
  if (q.tasks.empty()) turn_.push_back(principal);
  q.tasks.push_back(std::move(task));
  ++queued_;
  if (!runnable_locked()) return;  // its principal is at its cap: a finishing task takes it
  // An idle thread already woken for an earlier task is not idle for this
  // one: without counting wake-ups a burst would queue behind one thread.
  if (idle_ > wakeups_) {
    ++wakeups_;
    work_cv_.notify_one();
  } else if (threads_ < std::max<std::size_t>(1, limits_.max_threads))
    start_thread_locked();
}

bool BlockingPool::runnable_locked() const {
  std::size_t cap = std::max<std::size_t>(1, limits_.max_threads_per_principal);
  return std::any_of(turn_.begin(), turn_.end(),
                     [&](const std::string& p) { return queues_.at(p).running < cap; });
}

bool BlockingPool::take_locked(std::function<void()>& task, std::string& principal) {
  // The waiting principal holding the fewest threads goes first (ties: the
  // longest waiting), so a principal with a backlog yields each freed thread
  // to one that has less.
  std::size_t cap = std::max<std::size_t>(1, limits_.max_threads_per_principal);
  auto best = turn_.end();
  std::size_t best_running = cap;
  for (auto it = turn_.begin(); it != turn_.end(); ++it) {
    std::size_t running = queues_.at(*it).running;
    if (running < best_running) {
      best = it;
      best_running = running;
    }
  }
  if (best == turn_.end()) return false;
  principal = *best;
  auto& q = queues_.at(principal);
  task = std::move(q.tasks.front());
  q.tasks.pop_front();
  ++q.running;
  --queued_;
  turn_.erase(best);
  if (!q.tasks.empty()) turn_.push_back(principal);  // to the back of the rotation
  return true;
}

void BlockingPool::start_thread_locked() {
  ++threads_;
  // Detached: an idle thread exits on its own; join() waits for the count.
  std::thread([this] {
    core::name_this_thread("arcp-agent");
    worker_loop();
  }).detach();
}

void BlockingPool::worker_loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    std::function<void()> task;
    std::string principal;
    if (take_locked(task, principal)) {
      ++busy_;
      lock.unlock();
      task();
      task = nullptr;  // the job it held is released outside the lock
      lock.lock();
      --busy_;
      auto it = queues_.find(principal);
      if (--it->second.running == 0 && it->second.tasks.empty()) queues_.erase(it);
      continue;
    }
    if (stopping_) break;
    ++idle_;
    bool woke = work_cv_.wait_for(lock, limits_.idle_timeout,
                                  [&] { return stopping_ || runnable_locked(); });
    --idle_;
    if (wakeups_ > 0) --wakeups_;
    if (!woke) break;  // idle for the whole timeout: shrink
  }
  --threads_;
  exit_cv_.notify_all();  // under the lock: join() cannot return before this thread is done
}

void BlockingPool::join() {
  std::deque<std::function<void()>> dropped;
  std::unique_lock lock(mu_);
  stopping_ = true;
  for (auto& [p, q] : queues_) {
    queued_ -= q.tasks.size();
    std::move(q.tasks.begin(), q.tasks.end(), std::back_inserter(dropped));
    q.tasks.clear();
  }
  turn_.clear();
  work_cv_.notify_all();
  exit_cv_.wait(lock, [&] { return threads_ == 0; });
  lock.unlock();
  dropped.clear();  // their jobs have ended; released outside the lock
}

BlockingPoolStats BlockingPool::stats() const {
  std::lock_guard lock(mu_);
  return {threads_, busy_, queued_};
}

}  // namespace arcp::runtime
