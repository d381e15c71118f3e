// Internal: client-side state of one job, fed by the reader thread.
#pragma once

#include <arcp/job_handle.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

namespace arcp::client {

struct JobState {
  std::string job_id;
  Accepted accepted;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<JobEvent> events;
  std::function<void(const JobEvent&)> callback;
  JobStatus status = JobStatus::kRunning;
  bool done = false;
  json::value result;
  std::optional<Error> error;
  std::function<void()> waiter;                     // one-shot: fired by the next event or the end
  std::vector<std::function<void()>> done_waiters;  // fired once at the end

  /// Takes the waiter under `mu` (caller holds the lock).
  std::function<void()> take_waiter_locked() { return std::exchange(waiter, nullptr); }

  void push_event(JobEvent ev);
  void finish(JobStatus status, json::value result, std::optional<Error> error);
};

}  // namespace arcp::client
