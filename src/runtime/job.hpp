// Internal: one job — its agent run, events, terminal arbitration and timers.
#pragma once

#include <arcp/budget.hpp>
#include <arcp/features.hpp>
#include <arcp/job_messages.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <vector>

#include "otel/tracing.hpp"
#include "runtime/agent_registry.hpp"
#include "runtime/credential_manager.hpp"
#include "runtime/job_services.hpp"
#include "runtime/result_stream.hpp"
#include "runtime/session.hpp"
#include "store/store.hpp"

namespace arcp::runtime {

struct JobSpec {
  std::string id;
  ResolvedAgent agent;
  std::string agent_ref;  // resolved `name@version`
  std::string principal;
  json::value input;
  json::object lease;
  CompiledLease compiled_lease;  // `lease`, patterns compiled once
  std::optional<json::object> lease_constraints;
  std::optional<SystemTime> expires_at;
  std::string trace_id;
  std::string created_at;
  std::int64_t created_ms = 0;  // wall clock, for listing order and retention
  std::optional<std::chrono::seconds> max_runtime;
  FeatureSet features;  // negotiated on the submitting session
  std::chrono::milliseconds cancel_grace{30000};
  std::shared_ptr<JobServices> services;    // never null once submitted
  std::vector<HeldCredential> credentials;  // §9.8: issued before acceptance; the job takes them

  // ---- delegation (§10): set on a delegated child ----
  std::string parent_job_id;
  std::string delegate_id;
  std::size_t depth = 0;      // 0 for a submitted job
  std::weak_ptr<Job> parent;  // its budget is settled when the child ends
  struct CarvedBudget {
    std::string currency;
    std::uint64_t hold = 0;   // the parent's reservation
    std::int64_t carved = 0;  // nano units given to the child
  };
  std::vector<CarvedBudget> carved_budget;

  // ---- tracing (§11) ----
  otel::Span span;  // `arcp.job`, started at submit; ends once the outcome is published
};

/// Sets created_at / created_ms from one instant: list filters compare the
/// ms against times clients copy from `accepted_at`.
void stamp_created(JobSpec& spec);

class Job : public std::enable_shared_from_this<Job> {
 public:
  using OnTerminal = std::function<void(Job&)>;
  /// `release_slot` frees the job's place under the runtime's caps; it runs
  /// before the outcome is visible to anyone (who may then submit again),
  /// `on_terminal` after.
  Job(JobSpec spec, std::shared_ptr<Session> submitter, std::shared_ptr<store::Store> store,
      std::shared_ptr<boost::asio::io_context> io, OnTerminal release_slot, OnTerminal on_terminal);

  const JobSpec& spec() const { return spec_; }
  /// The I/O executors' context (coroutine tools called from blocking agents).
  const std::shared_ptr<boost::asio::io_context>& io() const { return io_; }
  const json::object& accepted_payload() const { return accepted_; }
  JobStatus status() const;
  /// The status without taking the job lock: for OnTerminal callbacks, which
  /// run with it held.
  JobStatus status_in_callback() const { return status_; }
  /// True once the job ended at or before `cutoff`.
  bool finished_before(std::chrono::steady_clock::time_point cutoff) const;
  bool is_submitter(const Session& s) const { return submitter_id_ == s.id(); }
  const std::string& submitter_session_id() const { return submitter_id_; }
  /// The durable record of this job as it stands (persisted on accept and end).
  store::JobRecord record() const;

  /// Arms the max_runtime and lease expiry timers.
  void arm_timers();
  /// Runs a blocking agent on the calling (blocking-pool) thread.
  void run_blocking();
  /// Starts a coroutine agent on a strand of the I/O executors; returns at
  /// once.
  void start_coroutine();

  /// Validates and fans an event out to every observing session.
  Result<void> emit(std::string_view kind, json::object body);
  /// Submitter cancel: sends `job.cancelled` to `requester`, stops the agent,
  /// and ends the job when the agent returns or the grace period passes.
  Result<void> cancel(Session& requester, const std::string& reason);
  /// Ends the job from outside (shutdown): INTERNAL_ERROR, retryable.
  void abort(const std::string& reason);
  /// Adds an observing session (idempotent re-submit). If the job already
  /// ended, replays the terminal payload into that session.
  void add_observer(const std::shared_ptr<Session>& session);
  /// job.subscribe (§7.6), atomic against live events: runs `announce` (which
  /// sends job.subscribed with the returned `subscribed_from`), replays the
  /// job's events after `from_seq` when `history`, then streams live events.
  void subscribe(const std::shared_ptr<Session>& session, bool history, std::int64_t from_seq,
                 const std::function<void(const store::JobRecord&, std::int64_t)>& announce);
  /// Stops streaming to `session`; false when it was not observing.
  bool unsubscribe(const Session& session);

  std::stop_token stop_token() const { return stop_.get_token(); }
  bool sleep_for(std::chrono::milliseconds d);
  /// Registers `wake` to run (once, under the job lock: it must only post)
  /// when the job is asked to stop. nullopt, and nothing registered, when it
  /// already was.
  std::optional<std::uint64_t> add_stop_waker(std::function<void()> wake);
  void remove_stop_waker(std::uint64_t id);
  /// The store can take more events (JobContext::writable).
  bool writable() const;

  // ---- delegation (§10) ----
  std::shared_ptr<Session> submitter() const { return submitter_.lock(); }
  /// Running and the lease not expired: may it act (delegate) now?
  Result<void> may_act();
  /// Tracks a delegated child so that stopping this job ends it. False (and
  /// nothing tracked) when this job is already stopping, or at the cap on
  /// live children.
  Result<void> adopt_child(const std::shared_ptr<Job>& child, std::size_t max_live_children);
  /// The check adopt_child makes, before a child is created.
  Result<void> room_for_child(std::size_t max_live_children);
  /// Ends this (child) job with job.error CANCELLED because its parent stopped.
  void end_for_parent(const std::string& parent_job_id, const std::string& reason = {});
  /// Registers `wake` to run once (under the job lock: it must only post or
  /// notify) when the job's outcome is published (after its credentials
  /// are revoked). nullopt, and nothing registered, when it has been.
  std::optional<std::uint64_t> add_end_waiter(std::function<void()> wake);
  void remove_end_waiter(std::uint64_t id);
  /// The ended job's outcome: its inline result (or streamed result's
  /// reference), or its error. CANCELLED "still running" before the end.
  Result<json::value> outcome() const;

  // ---- authority (§9) ----
  /// Checks an operation before it is dispatched: the job still running,
  /// then expiry (LEASE_EXPIRED), the lease (PERMISSION_DENIED) and the
  /// budget (BUDGET_EXHAUSTED). Returns the canonical target to act on.
  Result<std::string> authorize(std::string_view capability, std::string_view target);
  /// The same for a target already canonical (e.g. a path with its symlinks resolved).
  Result<void> authorize_canonical(std::string_view capability, std::string_view canonical);
  /// Ends the job with job.error LEASE_EXPIRED (after the operation's tool_result).
  void end_lease_expired();
  BudgetCounters& budget() { return budget_; }
  /// Settles a budget reservation and emits its cost metric, then
  /// `cost.budget.remaining` (§9.6), in that order.
  Result<void> commit_cost(std::uint64_t hold, std::string_view metric_name,
                           std::int64_t actual_nano, std::string_view currency);

  // ---- provisioned credentials (§9.8), job_credentials.cpp ----
  /// job.accepted as `session` sees it: credential values for the
  /// submitting session only, redacted for everyone else (§14).
  json::object accepted_payload_for(const Session& session) const;
  /// The credentials the job holds now, values included (for its agent).
  std::vector<Credential> credentials() const;
  /// Issues a new value for credential `id`, emits `status
  /// {phase:"credential_rotated"}` (the value to the submitter only), then
  /// revokes the old value. Blocking.
  Result<Credential> rotate_credential(std::string_view id);

  // ---- streamed result (§8.4) ----
  Result<std::string> open_result();
  /// Emits the next chunk of the open stream (chunk_seq assigned here).
  Result<void> emit_result_chunk(std::string_view data, std::string_view encoding, bool more);
  void set_result_summary(std::string summary);

 private:
  /// Marks the job running; false when it ended while queued.
  bool mark_running();
  /// Ends the job with what its agent returned (ignored once it has ended).
  void complete(Result<json::value> outcome);
  void request_stop_locked();
  /// Gives the parent back what of its carved budget this child left unspent.
  void settle_carved_budget_locked();
  Result<void> room_for_child_locked(std::size_t max_live_children);
  bool finish_locked(JobStatus status, std::string_view type, json::object payload);
  /// Sends the recorded terminal message to every observer and lets the job go.
  void publish_terminal_locked();
  /// Publishes once no ended child is still revoking its credential.
  void publish_when_ready_locked();
  void on_child_published();
  // job_credentials.cpp
  void take_credentials();
  /// Revokes the job's credentials off the I/O threads, then publishes the
  /// terminal (§9.8.2: revoked before the outcome is seen).
  void revoke_then_publish_locked();
  void end_rotation_locked(const std::string& id);
  /// One status event whose body carries a secret: `secret` to the
  /// submitter, `redacted` to every other observer and to the log.
  void fan_out_secret_locked(const json::object& secret, const json::object& redacted);
  /// Logs (and, unless `held` collects the sessions, sends) one message to every observer.
  void fan_out_locked(std::string_view type, std::string_view payload_json,
                      std::vector<std::shared_ptr<Session>>* held = nullptr);
  void on_timer(JobStatus status, ErrorCode code, std::string message);
  void on_lease_expired();
  /// Appends one event (already validated) to every observer's stream.
  void emit_locked(std::string_view kind, const json::object& body);
  /// Budget bookkeeping of a cost metric, under the job lock: decrements
  /// and returns the `cost.budget.remaining` body to emit after it.
  Result<std::optional<json::object>> account_cost_locked(json::object& body);
  Result<void> accept_chunk_locked(const json::object& body);
  /// The open stream's next chunk (chunk_seq assigned here), checked and sent.
  Result<void> emit_chunk_locked(std::string_view data, std::string_view encoding, bool more);
  /// Running and the lease not expired (the clock is read: the expiry timer
  /// may not have fired yet).
  Result<void> may_act_locked();
  /// Ends the job with job.error carrying `error`.
  void fail_locked(JobStatus status, Error error);
  Error expired_error() const;
  store::JobRecord record_locked() const;

  JobSpec spec_;
  std::string submitter_id_;
  std::weak_ptr<Session> submitter_;
  std::shared_ptr<store::Store> store_;
  json::object accepted_;
  std::shared_ptr<boost::asio::io_context> io_;  // outlives the timers below
  OnTerminal release_slot_;
  OnTerminal on_terminal_;

  mutable std::mutex mu_;
  std::condition_variable_any sleep_cv_;
  JobStatus status_ = JobStatus::kPending;
  std::chrono::steady_clock::time_point finished_at_{};
  std::int64_t finished_ms_ = 0;
  std::int64_t last_event_seq_ = 0;  // in the submitter's seq space
  bool cancel_requested_ = false;
  std::string cancel_reason_;
  std::stop_source stop_;
  std::vector<std::pair<std::uint64_t, std::function<void()>>> stop_wakers_;
  std::uint64_t next_waker_id_ = 0;
  std::vector<std::weak_ptr<Session>> observers_;
  std::vector<std::weak_ptr<Job>> children_;  // delegated, ended with this job
  std::vector<std::pair<std::uint64_t, std::function<void()>>> end_waiters_;
  std::string terminal_type_;
  std::string terminal_payload_;  // serialised once
  std::unique_ptr<boost::asio::steady_timer> runtime_timer_;
  std::unique_ptr<boost::asio::steady_timer> expiry_timer_;
  std::unique_ptr<boost::asio::steady_timer> grace_timer_;
  BudgetCounters budget_;
  ResultStream result_;
  std::string result_summary_;
  bool lease_expired_ = false;            // expires_at passed: no operation is authorized
  std::size_t children_unpublished_ = 0;  // ended children whose outcome is not out yet
  bool ready_to_publish_ = false;         // own revocation done: waiting on children only
  bool published_ = false;                // the terminal message went out (after revocation)

  /// arcp_budget_exhaustions_total counts a job once.
  bool budget_exhaustion_counted_ = false;
  /// Counts the job's first BUDGET_EXHAUSTED refusal; returns `r` unchanged.
  template <class R>
  R count_budget_exhaustion_locked(R r);
  std::vector<HeldCredential> credentials_;
  std::vector<std::string> rotating_;  // credential ids being rotated now
  bool revoke_when_rotated_ = false;   // ended during a rotation: revoke once it is done
};

}  // namespace arcp::runtime
