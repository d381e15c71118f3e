// Internal: shared runtime state behind arcp::Runtime.
#pragma once

#include <arcp/authenticator.hpp>
#include <arcp/runtime.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <mutex>
#include <set>

#include "observability/metrics.hpp"
#include "runtime/agent_registry.hpp"
#include "runtime/blocking_pool.hpp"
#include "runtime/credential_manager.hpp"
#include "runtime/io_pool.hpp"
#include "runtime/job.hpp"
#include "runtime/principal_quotas.hpp"
#include "runtime/session.hpp"
#include "runtime/stop_request.hpp"
#include "store/artifact_store.hpp"
#include "store/store.hpp"

namespace arcp {

namespace runtime {
class ConnectionHandler;
}

struct Runtime::Impl : std::enable_shared_from_this<Runtime::Impl> {
  explicit Impl(RuntimeOptions o);
  ~Impl();

  struct IdempotencyEntry {
    std::string fingerprint;
    std::string job_id;
    std::int64_t created_ms = 0;
  };

  RuntimeOptions opts;
  // ---- logs, audit, metrics (runtime_observability.cpp) ----
  // Made before the store, which reports to them.
  std::shared_ptr<const Logger> logger;
  std::shared_ptr<observability::RuntimeMetrics> metrics;
  void log(LogLevel level, std::string_view event, json::object fields) const;
  /// One audit line `{"ts","event",…}` (redacted) to RuntimeOptions::audit_log.
  void audit_event(std::string_view event, json::object fields) const;
  /// Counts and logs a job's end (its OnTerminal callback: the job lock is held).
  void on_job_ended(const runtime::Job& job);
  /// Why the runtime is not ready (shutting down, store failed); nullopt: ready.
  std::optional<std::string> not_ready_reason();
  std::string metrics_text();
  /// /metrics, /healthz and /readyz for a listener.
  std::function<std::optional<HttpReply>(std::string_view)> http_endpoints();
  std::shared_ptr<const Authenticator> auth;
  FeatureSet supported;

  runtime::IoPool io_pool;
  runtime::StopRequest stop_request;  // run_until_signal() / request_stop()
  runtime::BlockingPool blocking;
  // After the pools: destroyed before the io_context, since an agent's
  // captures may hold Asio objects (timers on its job's strand) that must
  // not outlive it (TSan: a strand's mutex used after the context died).
  runtime::AgentRegistry agents;
  const std::shared_ptr<boost::asio::io_context>& io() const { return io_pool.context(); }
  std::shared_ptr<store::Store> store;
  runtime::SessionLimits session_limits;
  runtime::PrincipalQuotas quotas;
  std::shared_ptr<store::ArtifactStore> artifacts;  // also lent to jobs (services)
  std::size_t artifact_chunk_bytes = 0;             // one artifact.data reply, within a frame
  std::shared_ptr<runtime::JobServices> services;   // lent to every job
  /// §9.8: null unless a provisioner and a durable ledger are configured.
  std::shared_ptr<runtime::CredentialManager> credentials;

  // Lock order: job → runtime `mu` → session → store. Never call into a job
  // while holding `mu` (a finishing job takes `mu`); copy the shared_ptr out.
  std::mutex mu;
  // Listeners own the io_context their connections run on: declared before
  // the sessions and handlers that hold those connections, so they are
  // destroyed after them (a socket must not outlive its io_context).
  std::vector<std::unique_ptr<WebSocketServer>> servers;
  std::map<std::string, ExtensionHandler> extensions;
  std::map<std::string, std::shared_ptr<runtime::Session>> sessions;
  std::map<std::string, std::size_t> sessions_per_principal;  // entries of `sessions`, by principal
  std::map<std::string, std::shared_ptr<runtime::Job>> jobs;  // running in this process
  std::map<std::pair<std::string, std::string>, IdempotencyEntry> idempotency;
  /// (principal, idempotency_key) of submits being accepted (checked and
  /// reserved under `mu` at once; a credential issue can take seconds).
  std::set<std::pair<std::string, std::string>> issuing_keys;
  std::set<std::shared_ptr<runtime::ConnectionHandler>> handlers;
  bool shutting_down = false;

  void shutdown();
  /// Sets up `credentials` (needs the blocking pool reachable through a
  /// weak reference, so it runs once the Impl is owned).
  void init_credentials();
  /// Makes room for one more session of `principal` under
  /// max_retained_sessions_per_principal and counts it; at the cap, forgets
  /// the principal's longest-detached idle session. False (nothing counted)
  /// when every one is attached or has a running job.
  bool reserve_session(const std::string& principal);
  /// Removes a session from `sessions` and its count; `mu` held.
  void erase_session_locked(std::map<std::string, std::shared_ptr<runtime::Session>>::iterator it);
  /// Builds an accepted job, records it and tracks it as running; the
  /// caller (whose slots it holds) sends job.accepted and starts it.
  std::shared_ptr<runtime::Job> make_job(runtime::JobSpec spec,
                                         const std::shared_ptr<runtime::Session>& submitter);
  /// §10: checks a parent's delegation and creates, accepts and starts the
  /// child (JobServices::delegate).
  Result<std::shared_ptr<runtime::Job>> delegate(const std::shared_ptr<runtime::Job>& parent,
                                                 const DelegateRequest& request);
  /// Starts an accepted job's agent: coroutine agents on the I/O executors,
  /// blocking ones on the elastic pool.
  void start_job(const std::shared_ptr<runtime::Job>& job);
  /// After a restart: restores sessions and ends jobs the previous process
  /// left running with a recorded job.error INTERNAL_ERROR.
  void recover();
  /// §14 policy: may `observer` see jobs of `owner`?
  bool may_observe(const std::string& observer, const std::string& owner) const;
  /// A pre-shaped audit line (JSON with "type"): reshaped to audit_event's form.
  void audit(const std::string& line) const;
  void sweep();
  void arm_sweep();
  std::unique_ptr<boost::asio::steady_timer> sweep_timer;
};

}  // namespace arcp
