// What an agent sees of its job: input, lease, cancellation and event emitters.
#pragma once

#include <arcp/error.hpp>
#include <arcp/json.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

namespace arcp {

namespace runtime {
class Job;
}

/// Every emitter validates the body against §8.2 and returns INVALID_REQUEST
/// when it is malformed (or its feature is not negotiated), and CANCELLED once
/// the job has reached a terminal state; nothing is sent in either case.
/// Emitters never wait: flow control is a separate, explicit wait
/// (`wait_writable` / `async_writable`).
///
/// Every waiting operation has a blocking form (for blocking agents, on their
/// own thread) and an awaitable `async_` form (for coroutine agents, which
/// must never block an I/O thread). Both return false, or complete at once,
/// when the job is asked to stop: cancellation, `max_runtime_sec`, lease
/// expiry or runtime shutdown.
class JobContext {
 public:
  explicit JobContext(std::shared_ptr<runtime::Job> job);

  const std::string& job_id() const;
  /// Resolved `name@version`.
  const std::string& agent() const;
  const std::string& trace_id() const;
  const std::string& principal() const;
  const json::value& input() const;
  const json::object& lease() const;
  bool has_feature(std::string_view feature) const;

  std::stop_token stop_token() const;
  bool cancelled() const;
  /// Waits up to `d`; returns false early when the job is asked to stop.
  bool sleep_for(std::chrono::milliseconds d) const;
  boost::asio::awaitable<bool> async_sleep_for(std::chrono::milliseconds d) const;
  /// Waits until the job is asked to stop.
  void wait_stopped() const;
  boost::asio::awaitable<void> async_wait_stopped() const;
  /// Back-pressure: waits while the runtime cannot take more events (the
  /// durable store's write queue is full: the disk is slower than the
  /// agents). A slow client never slows an agent: its events wait in the
  /// session's log (§6.5). Returns false when the job is asked to stop. A
  /// blocking agent's emit waits by itself; a coroutine agent's never does,
  /// so a coroutine that emits in bulk awaits this every few dozen events.
  bool wait_writable() const;
  boost::asio::awaitable<bool> async_writable() const;
  /// True when an event emitted now would not add to a backlog.
  bool writable() const;

  Result<void> log(std::string_view level, std::string_view message);
  Result<void> thought(std::string_view text);
  Result<void> status(std::string_view phase, std::string_view message = {});
  Result<void> metric(std::string_view name, double value, std::string_view unit = {},
                      json::object dimensions = {});
  Result<void> tool_call(std::string_view tool, json::value args, std::string_view call_id);
  Result<void> tool_result(std::string_view call_id, json::value result);
  Result<void> tool_error(std::string_view call_id, const Error& error);
  Result<void> artifact_ref(std::string_view uri, std::string_view content_type,
                            std::optional<std::int64_t> byte_size = std::nullopt,
                            std::string_view sha256 = {});
  Result<void> progress(double current, std::optional<double> total = std::nullopt,
                        std::string_view units = {}, std::string_view message = {});
  /// Any kind, including vendor `x-vendor.*` kinds (passed through untouched).
  Result<void> emit(std::string_view kind, json::object body);

 private:
  std::shared_ptr<runtime::Job> job_;
};

}  // namespace arcp
