// Internal: client-side state of one job, fed by the reader thread.
#pragma once

#include <arcp/job_handle.hpp>

#include <condition_variable>
#include <deque>
#include <mutex>

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

  void push_event(JobEvent ev);
  void finish(JobStatus status, json::value result, std::optional<Error> error);
};

}  // namespace arcp::client
