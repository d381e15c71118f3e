// A client's view of one job: its events (pull or callback), result and cancel.
#pragma once

#include <arcp/error.hpp>
#include <arcp/job_messages.hpp>
#include <arcp/json.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace arcp {

struct JobEvent {
  std::int64_t event_seq = 0;
  std::string kind;
  std::string ts;
  json::object body;
};

namespace client {
struct JobState;
struct ClientCoreAccess;
}  // namespace client

class JobHandle {
 public:
  const std::string& job_id() const;
  const Accepted& accepted() const;
  JobStatus status() const;

  /// Next event in order; waits up to `timeout`. nullopt when the job has ended
  /// and every event was consumed, or on timeout (check `status()`).
  std::optional<JobEvent> next_event(std::chrono::milliseconds timeout = std::chrono::hours(24));
  /// Delivers events (already queued ones first) to `callback` on the reader
  /// thread instead of the pull queue.
  void on_event(std::function<void(const JobEvent&)> callback);

  /// Waits for the terminal message: the inline result, or the job's error.
  /// For a streamed result (§8.4) the value is the reference
  /// `{result_id, result_size?, summary?}`; the bytes come from
  /// result_bytes() or stream_result_to().
  Result<json::value> result(std::chrono::milliseconds timeout = std::chrono::hours(24));
  /// Waits for the end; the streamed result assembled from its
  /// `result_chunk` events (decoded, in chunk_seq order). INTERNAL_ERROR when
  /// the assembly failed (a chunk missing or out of order, bad base64, more
  /// than ClientOptions::max_result_bytes); INVALID_REQUEST when the result
  /// was inline.
  Result<std::string> result_bytes(std::chrono::milliseconds timeout = std::chrono::hours(24));
  /// Hands the streamed result's bytes to `sink` as chunks arrive (what was
  /// assembled before goes first), on the client's reader thread, keeping
  /// none of them: no size cap applies. An error from `sink` stops delivery
  /// and becomes result_bytes()'s error. Set it right after submit: chunks
  /// that arrive first are assembled in memory under the cap meanwhile.
  void stream_result_to(std::function<Result<void>(std::string_view)> sink);

  /// Non-blocking forms for the async API: `try_next_event` pops a queued event
  /// (nullopt when none is queued); `when_ready` runs `f` once as soon as an
  /// event is queued or the job has ended (at once if so already).
  std::optional<JobEvent> try_next_event();
  bool done() const;
  std::optional<Result<json::value>> try_result() const;
  void when_ready(std::function<void()> f);
  /// Runs `f` once when the job has ended (at once if it has); events stay queued.
  void when_done(std::function<void()> f);
  /// Jobs this job delegated to (§10), in the order their job.accepted
  /// (carrying `parent_job_id`) arrived. Their events stream to this
  /// client like any job's; cancel() works on them too.
  std::vector<JobHandle> children() const;
  /// Runs `f` on the reader thread for every child: the known ones at once,
  /// then each new one as it is accepted.
  void on_child(std::function<void(JobHandle)> f);

  /// `job.cancel`; the outcome arrives through result().
  Result<void> cancel(const std::string& reason = {});

  /// Built by Client; `cancel` receives the reason.
  JobHandle(std::shared_ptr<client::JobState> state,
            std::function<Result<void>(const std::string&)> cancel);

 private:
  std::shared_ptr<client::JobState> state_;
  std::function<Result<void>(const std::string&)> cancel_;
};

}  // namespace arcp
