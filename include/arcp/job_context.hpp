// What an agent sees of its job: input, lease, cancellation and event emitters.
#pragma once

#include <arcp/agent.hpp>
#include <arcp/artifact.hpp>
#include <arcp/budget_hold.hpp>
#include <arcp/credentials.hpp>
#include <arcp/delegation.hpp>
#include <arcp/error.hpp>
#include <arcp/http_fetch.hpp>
#include <arcp/json.hpp>
#include <arcp/result_writer.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace arcp {

namespace runtime {
class Job;
}

struct DirEntry {
  std::string name;
  bool is_directory = false;
  std::uint64_t size = 0;  // regular files
};

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
///
/// Authority (§9): every lease-checked operation — the file, network, model
/// and tool helpers below, and `authorize` for the agent's own operations —
/// is checked before it is dispatched: the job's lease must cover the
/// canonical target, the lease must not have expired, and no budget
/// counter may be exhausted. Each operation shows on the job's stream as a
/// `tool_call` and its `tool_result`; a denial is a `tool_result` error
/// (PERMISSION_DENIED, LEASE_EXPIRED or BUDGET_EXHAUSTED) returned to the
/// agent, which decides whether to go on (§13.4). LEASE_EXPIRED also ends
/// the job with `job.error LEASE_EXPIRED`.
class JobContext {
 public:
  explicit JobContext(std::shared_ptr<runtime::Job> job);

  const std::string& job_id() const;
  /// Resolved `name@version`.
  const std::string& agent() const;
  const std::string& trace_id() const;
  /// The W3C traceparent of this job's span, for tools and sub-agents to
  /// continue the trace (§11); "" when no tracer is installed.
  std::string traceparent() const;
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

  // ---- authority (§9) ----
  /// For an operation the agent performs itself: checks `capability` on
  /// `target` and returns the canonical target to act on. Silent when
  /// allowed; a denial emits a `tool_result` error for `call_id` (after a
  /// `tool_call` under a fresh id when `call_id` is empty).
  Result<std::string> authorize(std::string_view capability, std::string_view target,
                                std::string_view call_id = {});
  /// §9.7 `model.use` for `model`; without `model.use` in the lease the
  /// runtime's policy decides (RuntimeOptions::allow_models_without_lease).
  Result<void> use_model(std::string_view model);

  /// `fs.read`: the file's bytes (up to the runtime's file cap). Symlinks
  /// are resolved and the resolved path is checked too, and the file is
  /// opened so that a symlink swapped in meanwhile fails instead.
  Result<std::string> read_file(std::string_view path);
  Awaitable<Result<std::string>> async_read_file(std::string path);
  /// `fs.write`: creates or replaces the file (its directory must exist).
  Result<void> write_file(std::string_view path, std::string_view data);
  Awaitable<Result<void>> async_write_file(std::string path, std::string data);
  /// `fs.read` on a directory: its entries, sorted by name.
  Result<std::vector<DirEntry>> list_dir(std::string_view path);
  Awaitable<Result<std::vector<DirEntry>>> async_list_dir(std::string path);
  /// `net.fetch`: an HTTP(S) request to the canonical URL. Redirects are
  /// returned, not followed (the next URL is checked again).
  Result<FetchResponse> fetch(FetchRequest request);
  Awaitable<Result<FetchResponse>> async_fetch(FetchRequest request);
  /// `tool.call` of a tool registered on the runtime, plus the authority
  /// the tool declared it needs; then runs it.
  Result<json::value> call_tool(std::string_view name, json::value args);
  Awaitable<Result<json::value>> async_call_tool(std::string name, json::value args);

  // ---- budget (§9.6) ----
  /// Remaining in `currency`; nullopt when the lease has no such budget.
  std::optional<double> budget_remaining(std::string_view currency) const;
  /// Holds `amount` for an operation about to happen; BUDGET_EXHAUSTED when
  /// less than that is left (counting other holds).
  Result<BudgetHold> reserve_budget(std::string_view currency, double amount);

  // ---- provisioned credentials (§9.8) ----
  /// The job's credentials, values included: the agent presents them at
  /// their `endpoint`, and to nothing else. Empty when none was provisioned.
  std::vector<Credential> credentials() const;
  /// Issues a new value for credential `id` (constrained to what the lease
  /// has left), sends it to the submitter (`status {phase:
  /// "credential_rotated"}`), then revokes the old value. INVALID_REQUEST
  /// for an unknown id or one already rotating.
  Result<Credential> rotate_credential(std::string_view id);
  Awaitable<Result<Credential>> async_rotate_credential(std::string id);

  // ---- result streaming (§8.4) ----
  /// Opens the job's streamed result (once per job; needs `result_chunk`).
  Result<ResultWriter> stream_result(ResultEncoding encoding = ResultEncoding::kUtf8,
                                     std::size_t chunk_bytes = 64U << 10U);

  // ---- delegation (§10) ----
  /// Starts a child job inside this job's authority: emits the `delegate`
  /// event, then the runtime checks `agent.delegate` on the child agent's
  /// name and the subset rule (§9.4: the child's patterns covered by this
  /// job's, its expiry no later than this job's, each budget carved out of
  /// this job's remaining budget) and sends the child's `job.accepted`
  /// (`parent_job_id`, `delegate_id`, this job's trace) to this job's
  /// submitter, which also receives the child's events. A refusal is a
  /// `tool_result` error for the delegate_id (LEASE_SUBSET_VIOLATION,
  /// PERMISSION_DENIED, AGENT_NOT_AVAILABLE...), returned here; this job
  /// goes on. Children end when this job stops.
  Result<ChildJob> delegate(DelegateRequest request);
  Awaitable<Result<ChildJob>> async_delegate(DelegateRequest request);

  /// Internal: one lease-checked operation (tool_call, check, tool_result).
  struct Operation;

 private:
  std::shared_ptr<runtime::Job> job_;

  // ---- artifacts (the `artifacts` extension, rfc-0001 §16) ----
 public:
  /// Stores `data` as an artifact owned by the job's principal (who may
  /// then fetch or release it); the caps and retention of the runtime's
  /// artifact store apply. The blocking form is for blocking agents; a
  /// coroutine agent co_awaits the async form (storing runs on the
  /// blocking pool).
  Result<ArtifactRef> put_artifact(std::string_view data, std::string_view media_type,
                                   PutArtifactOptions options = {});
  Awaitable<Result<ArtifactRef>> async_put_artifact(std::string data, std::string media_type,
                                                    PutArtifactOptions options = {});
  /// The §8.2 `artifact_ref` event for a stored artifact: uri, content_type,
  /// byte_size and sha256.
  Result<void> artifact_ref(const ArtifactRef& ref);
};

}  // namespace arcp
