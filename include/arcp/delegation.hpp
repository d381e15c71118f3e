// Delegation (§10): a running job starts a child job inside its own
// authority, and may wait for the child's outcome.
#pragma once

#include <arcp/agent.hpp>
#include <arcp/error.hpp>
#include <arcp/json.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace arcp {

namespace runtime {
class Job;
}

/// What a parent asks for when it delegates (the `delegate` event's body).
struct DelegateRequest {
  /// The child agent, `name` or `name@version`; the parent's lease must
  /// grant `agent.delegate` on its name.
  std::string agent;
  json::value input = json::object();
  /// The child's lease, which must be a subset of the parent's (§9.4).
  /// Budgets it does not name are inherited from the parent's remaining
  /// counters; each one it names is carved out of them (§10).
  json::object lease_request;
  /// `expires_at` no later than the parent's; the parent's when absent.
  std::optional<json::object> lease_constraints;
  /// Correlates the `delegate` event, the child's `job.accepted` and a
  /// refusal's `tool_result`. Empty: the runtime mints a `del_` id.
  std::string delegate_id;
  std::optional<std::chrono::seconds> max_runtime;
};

/// The parent's handle on a delegated job. The child's events go to the
/// parent's submitting session; the parent learns the outcome here.
class ChildJob {
 public:
  static constexpr std::chrono::milliseconds kForever = std::chrono::milliseconds::max();

  ChildJob(std::shared_ptr<runtime::Job> parent, std::shared_ptr<runtime::Job> child);

  const std::string& job_id() const;
  const std::string& delegate_id() const;
  /// The child's effective lease (as in its job.accepted).
  const json::object& lease() const;
  /// True once the child has ended.
  bool done() const;

  /// Waits for the child's end: its inline result (a streamed one's
  /// reference `{result_id, result_size?, summary?}`), or its error
  /// (CANCELLED, TIMEOUT, LEASE_EXPIRED...). CANCELLED at once when the
  /// parent is asked to stop first (ending the parent ends its children).
  /// Past `timeout` with the child still running: TIMEOUT, and done() is
  /// false.
  Result<json::value> wait(std::chrono::milliseconds timeout = kForever) const;
  Awaitable<Result<json::value>> async_wait(std::chrono::milliseconds timeout = kForever) const;
  /// Cancels the child (its job.error CANCELLED follows).
  void cancel(const std::string& reason = {}) const;

 private:
  std::shared_ptr<runtime::Job> parent_;
  std::shared_ptr<runtime::Job> child_;
};

}  // namespace arcp
