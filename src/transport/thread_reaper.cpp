#include "transport/thread_reaper.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>

#include "core/thread_name.hpp"

namespace arcp::transport {
namespace {

class Reaper {
 public:
  static Reaper& instance() {
    // Never destroyed: threads still being reaped at exit must find it.
    static Reaper* const reaper = [] {
      auto* r = new Reaper;
      // Registered after whatever the process initialised before its first
      // reaped thread (OpenSSL among them), so it runs before their cleanup.
      std::atexit([] { instance().stop(); });
      return r;
    }();
    return *reaper;
  }

  void adopt(std::thread t) {
    std::lock_guard lock(mu_);
    if (stopped_) {
      t.detach();
      return;
    }
    pending_.push_back(std::move(t));
    cv_.notify_all();
  }

 private:
  Reaper() {
    worker_ = std::thread([this] {
      core::name_this_thread("arcp-reaper");
      loop();
    });
  }

  void loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return !pending_.empty() || stopping_; });
      if (pending_.empty()) return;  // stopping, nothing left
      std::thread t = std::move(pending_.front());
      pending_.pop_front();
      lock.unlock();
      t.join();  // the adopted thread is finishing its last callback
      lock.lock();
      if (pending_.empty()) drained_.notify_all();
    }
  }

  void stop() {
    std::unique_lock lock(mu_);
    // A thread that does not finish soon must not hold the process's exit.
    bool drained =
        drained_.wait_for(lock, std::chrono::seconds(2), [&] { return pending_.empty(); });
    stopping_ = true;
    stopped_ = true;
    if (!drained)
      for (auto& t : pending_) t.detach();
    pending_.clear();
    cv_.notify_all();
    lock.unlock();
    worker_.join();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable drained_;
  std::deque<std::thread> pending_;
  bool stopping_ = false;
  bool stopped_ = false;
  std::thread worker_;
};

}  // namespace

void reap_thread(std::thread thread) {
  if (!thread.joinable()) return;
  Reaper::instance().adopt(std::move(thread));
}

}  // namespace arcp::transport
