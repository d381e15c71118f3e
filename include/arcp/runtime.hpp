// The ARCP runtime (server side): sessions, jobs, agents.
#pragma once

#include <arcp/agent.hpp>
#include <arcp/authenticator.hpp>
#include <arcp/connection.hpp>
#include <arcp/credentials.hpp>
#include <arcp/envelope.hpp>
#include <arcp/error.hpp>
#include <arcp/log.hpp>
#include <arcp/time.hpp>
#include <arcp/tool.hpp>
#include <arcp/version.hpp>
#include <arcp/websocket_server.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace arcp {

namespace store {
class Store;  // internal interface (src/store/store.hpp)
}

struct RuntimeOptions {
  std::string name = "arcp-cpp";
  std::string version = ARCP_VERSION_STRING;
  /// Bearer token → principal. With no tokens and `allow_anonymous`, any hello
  /// is accepted as principal "anonymous".
  std::vector<std::pair<std::string, std::string>> tokens;
  /// Hellos without a token authenticate as principal "anonymous" (with no
  /// tokens and no JWT configured, any hello does). Off unless enabled.
  bool allow_anonymous = false;
  /// Verifies tokens that are JWTs (see make_jwt_authenticator); null: none.
  std::shared_ptr<const Authenticator> jwt_authenticator;
  /// mTLS: a hello without a token authenticates as its connection's
  /// verified client certificate identity (Connection::peer_identity).
  bool trust_client_certificates = false;
  /// mTLS required: a hello on a connection without a verified client
  /// certificate gets UNAUTHENTICATED and is closed, whatever it carries.
  bool require_client_certificate = false;
  /// Replaces the whole authentication chain above (tokens, JWT, mTLS,
  /// anonymous) with a custom authenticator.
  std::shared_ptr<const Authenticator> authenticator;

  std::chrono::seconds heartbeat_interval{30};
  std::chrono::seconds resume_window{600};
  /// Time a cancelled agent gets to return before the job is ended for it.
  std::chrono::milliseconds cancel_grace{30000};
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;
  /// Jobs that have not ended, per submitting session and per principal
  /// (across its sessions): a submit beyond either is refused with
  /// INTERNAL_ERROR (retryable) naming the cap (§14).
  std::size_t max_concurrent_jobs_per_session = 256;
  std::size_t max_concurrent_jobs_per_principal = 10000;
  /// Sessions of one principal attached to a connection at once; a hello
  /// (new or resume) beyond it is refused (§14 heartbeat amplification).
  std::size_t max_sessions_per_principal = 128;
  /// Sessions of one principal kept at once, attached or detached within the
  /// resume window: a new session beyond it makes the runtime forget that
  /// principal's longest-detached session without a running job (it can no
  /// longer be resumed); when there is none, the hello is refused (§14).
  std::size_t max_retained_sessions_per_principal = 1024;
  /// Cap on events kept per session for replay (oldest evicted first). A
  /// client that falls further behind than this loses its transport with
  /// INTERNAL_ERROR (§14) instead of seeing a gap.
  std::size_t max_buffered_events = 100000;
  /// A connection is not fed while this many bytes wait in its send queue;
  /// the session streams from its log once the queue drains (§6.5).
  std::size_t max_outbound_bytes = 4U << 20U;
  /// Bytes that may wait in one connection's send queue (events and replies
  /// of every kind: errors, pongs, list_jobs pages, acceptances) before the
  /// runtime stops reading that connection, so a peer that sends without
  /// reading is held back by TCP instead of growing memory (§14).
  std::size_t max_queued_bytes_per_connection = 8U << 20U;
  /// The same budget before the connection has completed session.hello.
  std::size_t max_queued_bytes_unauthenticated = 64U << 10U;
  /// A connection that has not completed session.hello by then is closed
  /// (UNAUTHENTICATED), so half-open connections cannot hold descriptors.
  std::chrono::seconds hello_timeout{10};
  /// Unacknowledged events (with the `ack` feature) before one
  /// `status {phase:"back_pressure"}` event; re-armed when the lag halves.
  std::int64_t back_pressure_lag = 10000;
  /// §14 heartbeat amplification: a connection whose session, for this
  /// long, has sent nothing but heartbeats, pongs and acks, received no
  /// event and has no job of its own running, gets `session.bye {reason:
  /// "idle_timeout"}` and is closed. The session stays resumable for the
  /// resume window. 0: never.
  std::chrono::milliseconds idle_session_timeout{3600 * 1000};

  /// Where sessions, event logs, jobs and idempotency keys persist (SQLite,
  /// WAL). Empty: in memory only. The runtime throws std::runtime_error when
  /// the directory cannot be opened.
  std::string data_dir;
  /// Embedding and tests: a store to use instead of the one `data_dir`
  /// selects (an implementation of the internal store interface).
  std::shared_ptr<store::Store> store;

  /// May `observer` list or subscribe to a job of `owner`? Default (empty):
  /// the same principal only (§14).
  std::function<bool(const std::string& observer, const std::string& owner)> observe_policy;
  /// The audit trail (§14), apart from the operator log: one JSON line
  /// `{"ts","event",…}` per subscribe decision, cancel, credential issue and
  /// revocation and authentication failure, secrets redacted. Default:
  /// stderr, each line prefixed "arcp audit: ".
  std::function<void(const std::string& line)> audit_log;
  /// Threads running the runtime's I/O executors: session timers and pumps,
  /// job timers, coroutine agents. 0: one per core.
  std::size_t io_threads = 0;
  /// Blocking agents each run on a thread of an elastic pool that starts
  /// threads on demand up to this cap and lets idle ones exit. A job waits
  /// in `pending` only while the pool is at a cap.
  std::size_t max_blocking_threads = 1280;
  /// Threads of that pool one principal may hold, so another principal's
  /// blocking job still finds one; waiting jobs are served round-robin by
  /// principal.
  std::size_t max_blocking_threads_per_principal = 1024;
  /// How long an idle blocking thread lingers before it exits.
  std::chrono::milliseconds blocking_thread_idle{10000};
  /// Idempotency keys, and finished jobs (listable, subscribable), are
  /// remembered this long (v1.0 §7.2 default: 24 h).
  std::chrono::seconds idempotency_window{24 * 3600};
  /// How often forgotten sessions and expired jobs/keys are swept from memory.
  std::chrono::seconds sweep_interval{30};

  // ---- leases and what agents may do with them (§9) ----
  /// The most `principal` may be granted, as a lease object; nullopt: no
  /// ceiling. A submit's lease is narrowed to it, never refused for it
  /// (v1.0 §7.1): requested patterns it does not cover are dropped, budgets
  /// lowered to its own; job.accepted echoes the effective lease.
  std::function<std::optional<json::object>(const std::string& principal)> lease_ceiling;
  /// §9.7: a lease without `model.use` may use any model (true), or none
  /// (false, the default: authority is granted, never assumed).
  bool allow_models_without_lease = false;
  /// Relative `fs.*` patterns and paths resolve against this directory.
  /// Empty: the runtime's working directory when it starts.
  std::string fs_base_dir;
  /// Largest file `read_file` returns or `write_file` writes.
  std::size_t max_file_bytes = 8U << 20U;
  /// Largest response body a `fetch` returns (an agent may ask for less).
  std::size_t max_fetch_body_bytes = 8U << 20U;
  /// After `expires_at`, the agent's next operation gets LEASE_EXPIRED and
  /// ends the job (§13.4); a job that attempts none ends this long after.
  std::chrono::milliseconds lease_expiry_grace{1000};
  /// §8.4 streamed results: decoded bytes per `result_chunk` and in the
  /// whole result. Past either the job ends with INTERNAL_ERROR.
  std::size_t max_result_chunk_bytes = 1U << 20U;
  std::size_t max_result_bytes = 64U << 20U;

  // ---- artifacts: the negotiated `artifacts` extension (rfc-0001 §16) ----
  /// Stored under `<data_dir>/artifacts/` (surviving a restart) when
  /// `data_dir` is set, in memory otherwise. Caps: bytes of one artifact
  /// (INVALID_REQUEST beyond it), bytes (including uploads in progress) and
  /// artifacts per principal, and chunked uploads open at once per session
  /// (INTERNAL_ERROR, retryable once some are released or finished).
  std::size_t max_artifact_bytes = 64U << 20U;
  std::uint64_t max_artifact_bytes_per_principal = 1ULL << 30U;
  std::size_t max_artifacts_per_principal = 10000;
  std::size_t max_artifact_uploads_per_session = 8;
  /// Largest chunk one `artifact.data` reply carries (also bounded by the
  /// frame size); clients ask for the next chunk when they want it.
  std::size_t max_artifact_chunk_bytes = 1U << 20U;
  /// Retention when a put names none, and the most it may name (§16.3);
  /// the welcome declares both. The sweep removes expired artifacts.
  std::chrono::seconds artifact_retention_default{3600};
  std::chrono::seconds artifact_retention_max{7 * 24 * 3600};
  /// A chunked upload idle this long is dropped by the sweep.
  std::chrono::seconds artifact_upload_idle_timeout{600};
  /// Tests: the clock artifact expiry reads (default: the system clock), so
  /// expiry is driven by moving it and calling sweep(), never by sleeping.
  std::function<SystemTime()> artifact_clock;
  // ---- provisioned credentials (§9.8) ----
  /// Mints one credential per job for sessions that negotiate
  /// `provisioned_credentials`, and revokes it before the job's outcome is
  /// sent. The feature is advertised only when the store is durable
  /// (`data_dir`, or `credential_ledger_durable`): a runtime that cannot
  /// revoke across a restart must not offer it (§14).
  std::shared_ptr<CredentialProvisioner> credential_provisioner;
  /// Treats the store (an injected one, or the memory store) as a durable
  /// credential ledger: tests, and embedders whose store persists.
  bool credential_ledger_durable = false;
  /// Outstanding credentials per principal, failed revocations included;
  /// a submit beyond it is refused (§14).
  std::size_t max_credentials_per_principal = 1024;
  /// Revocation attempts before a credential is kept as failed (retried from
  /// the sweep and at the next start), and the waits between them.
  int credential_revoke_attempts = 4;
  std::vector<std::chrono::milliseconds> credential_revoke_backoff{std::chrono::milliseconds(50),
                                                                   std::chrono::milliseconds(200),
                                                                   std::chrono::milliseconds(800)};
  /// How long shutdown waits for revocations in flight.
  std::chrono::milliseconds credential_shutdown_timeout{10000};
  // ---- logs, audit, metrics ----
  /// The operator log: one JSON line `{"ts","level","event",…}` per call
  /// (connections, sessions, jobs, credentials, heartbeat losses, auth and
  /// store failures), secrets redacted. Default (empty): stderr.
  std::function<void(std::string_view line)> log_sink;
  /// Lines below this level are not written.
  LogLevel log_level = LogLevel::kInfo;
};

/// Counts of what the runtime holds in memory (for operators and tests).
struct RuntimeStats {
  std::size_t sessions = 0;     // including detached ones kept for the resume window
  std::size_t jobs = 0;         // jobs running in this process
  std::size_t connections = 0;  // attached transports
  std::size_t idempotency_keys = 0;
  std::size_t stored_events = 0;            // events in the store's session logs
  std::size_t stored_jobs = 0;              // job records (running and retained finished)
  std::size_t outstanding_credentials = 0;  // credential ledger rows (§9.8)
  std::size_t pending_frames = 0;           // unsent frames held in memory across sessions
  std::size_t queued_bytes = 0;             // bytes waiting in every connection's send queue
  std::size_t io_threads = 0;
  std::size_t blocking_threads = 0;         // alive in the elastic pool (busy or idle)
  std::size_t blocking_busy = 0;            // running a blocking agent
  std::size_t jobs_waiting_for_thread = 0;  // pending: the blocking pool is at a cap
  std::size_t artifacts = 0;  // stored artifacts (expired ones the sweep has not removed included)
  /// Empty while healthy; why the store failed otherwise (nothing more is
  /// persisted or sent, submits are refused: restart once it is repaired).
  std::string store_failure;
};

/// Handler for a registered `x-vendor.*` message type. Return an envelope
/// payload to reply with the same type, or nullopt for no reply.
using ExtensionHandler =
    std::function<std::optional<json::object>(const std::string& principal, const Envelope& env)>;

class Runtime {
 public:
  explicit Runtime(RuntimeOptions options = {});
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  /// Registers `name` at `options.version`. Names follow §7.5.
  Result<void> register_agent(const std::string& name, AgentHandler handler,
                              AgentOptions options = {});
  /// Registers a coroutine agent (see AsyncAgentHandler).
  Result<void> register_agent(const std::string& name, AsyncAgentHandler handler,
                              AgentOptions options = {});
  void register_extension(const std::string& type, ExtensionHandler handler);
  /// Registers a tool agents call with `JobContext::call_tool` (`tool.call`).
  /// Registering a name twice is an error.
  Result<void> register_tool(const std::string& name, ToolHandler handler,
                             ToolOptions options = {});
  Result<void> register_tool(const std::string& name, AsyncToolHandler handler,
                             ToolOptions options = {});

  /// Serves one connection of any transport (memory, stdio, WebSocket).
  void serve(std::shared_ptr<Connection> connection);
  /// Starts a WebSocket listener feeding serve(); returns the bound URL.
  Result<std::string> listen(WebSocketServerOptions options);

  /// Graceful shutdown: stops listeners, ends running jobs with
  /// INTERNAL_ERROR (retryable), flushes and closes every connection.
  void shutdown();
  /// Blocks until SIGINT or SIGTERM arrives, or another thread calls
  /// request_stop(), then shuts down as shutdown() does. The signal handlers
  /// are installed only for the wait and the previous ones restored before
  /// the shutdown, so a second Ctrl-C during a slow shutdown acts at once.
  /// Both are handled even when inherited as ignored (SIGINT of a shell's
  /// background job). Returns the signal number, or 0 when request_stop()
  /// ended the wait. One waiter per process at a time. To make a signal that
  /// arrives while starting up graceful too, block SIGINT and SIGTERM
  /// (pthread_sigmask) before constructing the Runtime: its threads inherit
  /// the mask, and this call unblocks them on its own thread (serve_main
  /// does so).
  int run_until_signal();
  /// Ends a run_until_signal() wait (or makes the next one return at once).
  /// Safe from any thread, but not after the Runtime is destroyed.
  void request_stop();

  RuntimeStats stats() const;
  /// The Prometheus text exposition (format 0.0.4) of the runtime's counters,
  /// histograms and gauges; what a listener serves at `/metrics`.
  std::string metrics_text() const;
  /// Ready for traffic: not shutting down, and the store has not failed
  /// (a listener's `/readyz` answers 200, else 503 with the reason).
  bool ready() const;
  /// Sweeps now (it also runs every `sweep_interval`): drops sessions detached
  /// longer than the resume window with no running job (and their logs),
  /// finished jobs and idempotency keys older than the idempotency window,
  /// expired artifacts and idle artifact uploads.
  void sweep();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace arcp
