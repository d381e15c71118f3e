// A blocking FIFO of frames shared by the thread-based transports.
#pragma once

#include <arcp/connection.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>

namespace arcp::transport {

class FrameQueue {
 public:
  /// Returns false when the queue is already closed (frame dropped).
  bool push(Frame f) {
    std::lock_guard lock(mu_);
    if (closed_) return false;
    bytes_ += f->size();
    q_.push_back(std::move(f));
    cv_.notify_one();
    return true;
  }
  /// Moves every queued frame into `out`; blocks until there is one or the
  /// queue is closed. Returns false when closed and drained.
  bool pop_all(std::deque<Frame>& out) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !q_.empty() || closed_; });
    if (q_.empty()) return false;
    out.swap(q_);
    bytes_ = 0;
    drained_.notify_all();
    return true;
  }
  /// Moves up to `max_frames` queued frames into `out`; blocks until there
  /// is one or the queue is closed. Returns false when closed and drained.
  /// A bounded batch keeps the rest queued (and counted in bytes()) while the
  /// reader is held back, as a socket's unread data stays with the sender.
  bool pop_some(std::deque<Frame>& out, std::size_t max_frames) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !q_.empty() || closed_; });
    if (q_.empty()) return false;
    for (std::size_t n = 0; n < max_frames && !q_.empty(); ++n) {
      bytes_ -= q_.front()->size();
      out.push_back(std::move(q_.front()));
      q_.pop_front();
    }
    drained_.notify_all();
    return true;
  }
  /// Blocks while more than `limit` bytes are queued (inbound flow control:
  /// the reader of the other direction waits here). Returns at once when closed.
  void wait_at_most(std::size_t limit) {
    std::unique_lock lock(mu_);
    drained_.wait(lock, [&] { return bytes_ <= limit || closed_; });
  }
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    cv_.notify_all();
    drained_.notify_all();
  }
  std::size_t bytes() const {
    std::lock_guard lock(mu_);
    return bytes_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable drained_;
  std::deque<Frame> q_;
  std::size_t bytes_ = 0;
  bool closed_ = false;
};

}  // namespace arcp::transport
