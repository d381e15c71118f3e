// Internal: client-side state of one job, fed by the reader thread.
#pragma once

#include <arcp/job_handle.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "otel/tracing.hpp"

namespace arcp::client {

/// §8.4 assembly of a streamed result, in chunk order.
struct StreamedResult {
  std::string result_id;
  std::int64_t next_seq = 0;
  bool final_seen = false;
  std::int64_t size = 0;  // decoded bytes received
  std::string data;       // assembled, unless a sink takes the bytes
  std::size_t cap = 64U << 20U;
  std::function<Result<void>(std::string_view)> sink;
  std::optional<Error> error;  // assembly failed: out of order, bad data, over the cap
};

struct JobState {
  std::string job_id;
  Accepted accepted;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<JobEvent> events;
  std::function<void(const JobEvent&)> callback;
  // Accepted is not started: pending until the runtime shows the job running
  // (an event from it, or job.subscribed's current_status).
  JobStatus status = JobStatus::kPending;
  bool done = false;
  json::value result;
  std::optional<Error> error;
  std::function<void()> waiter;                     // one-shot: fired by the next event or the end
  std::vector<std::function<void()>> done_waiters;  // fired once at the end
  std::vector<JobHandle> children;                  // delegated (§10), in acceptance order
  std::function<void(JobHandle)> child_callback;
  otel::Span span;  // the submit's `arcp.submit`, ended with the job (§11)

  /// Takes the waiter under `mu` (caller holds the lock).
  std::function<void()> take_waiter_locked() { return std::exchange(waiter, nullptr); }

  StreamedResult streamed;
  std::optional<std::int64_t> result_size;  // from a job.result that referenced a stream

  void push_event(JobEvent ev);
  /// A status the runtime reported (job.subscribed), until the job's own end.
  void observe_status(JobStatus reported);
  /// Feeds a result_chunk body to the assembly (before the event is queued).
  void on_result_chunk(const json::object& body);
  /// job.result with `result_id`: checks the assembly is whole.
  void finish_streamed(const std::string& result_id, std::optional<std::int64_t> size,
                       json::value reference);
  void finish(JobStatus status, json::value result, std::optional<Error> error);
};

}  // namespace arcp::client
