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
  Result<json::value> result(std::chrono::milliseconds timeout = std::chrono::hours(24));

  /// Non-blocking forms for the async API: `try_next_event` pops a queued event
  /// (nullopt when none is queued); `when_ready` runs `f` once as soon as an
  /// event is queued or the job has ended (at once if so already).
  std::optional<JobEvent> try_next_event();
  bool done() const;
  std::optional<Result<json::value>> try_result() const;
  void when_ready(std::function<void()> f);
  /// Runs `f` once when the job has ended (at once if it has); events stay queued.
  void when_done(std::function<void()> f);
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
