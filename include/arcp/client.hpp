// The ARCP client: one session over any transport, submitting and driving jobs.
#pragma once

#include <arcp/artifact.hpp>
#include <arcp/connection.hpp>
#include <arcp/envelope.hpp>
#include <arcp/error.hpp>
#include <arcp/features.hpp>
#include <arcp/job_handle.hpp>
#include <arcp/session_messages.hpp>
#include <arcp/transports.hpp>
#include <arcp/version.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace arcp {

/// What it takes to resume a session later, from this process or another.
struct ResumeState {
  std::string session_id;
  std::string resume_token;  // secret: never logged
  std::int64_t last_event_seq = 0;
};

struct ClientOptions {
  std::string token;  // bearer token (secret: never logged)
  std::string client_name = "arcp-cpp";
  std::string client_version = ARCP_VERSION_STRING;
  /// Features offered in the hello; the session uses the intersection.
  FeatureSet features{
      feature::kHeartbeat,      feature::kAck,           feature::kListJobs, feature::kSubscribe,
      feature::kLeaseExpiresAt, feature::kCostBudget,    feature::kModelUse, feature::kProgress,
      feature::kResultChunk,    feature::kAgentVersions, feature::kArtifacts};
  /// §8.4: bytes of a streamed result assembled in memory per job; beyond
  /// it result_bytes() fails (JobHandle::stream_result_to takes any size).
  std::size_t max_result_bytes = 64U << 20U;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds request_timeout{30000};
  /// How long close() waits for session.closed before closing the transport
  /// anyway (a runtime may answer session.close with session.error, or not).
  std::chrono::milliseconds close_timeout{2000};
  WebSocketClientOptions websocket;

  /// Resume this session instead of opening a new one (§6.3).
  std::optional<ResumeState> resume;
  /// After a drop, a heartbeat loss or a seq gap, reconnect and resume with
  /// backoff; events continue exactly once (§6.3, §8.3).
  bool auto_resume = true;
  std::chrono::milliseconds resume_backoff_initial{50};
  std::chrono::milliseconds resume_backoff_max{2000};
  /// Stop trying after this long; unfinished jobs then end with the error.
  std::chrono::milliseconds resume_give_up_after{60000};
  /// Reopens the transport for a resume. The URL form of connect() sets it;
  /// set it yourself for other transports.
  std::function<Result<std::shared_ptr<Connection>>()> reconnect;
  /// Called after every welcome (the token rotates each time): persist it
  /// if another process may resume this session.
  std::function<void(const ResumeState&)> on_resume_state;
  /// Consulted before each resume attempt: another process may have resumed
  /// the session meanwhile and holds the newer token. A state for another
  /// session is ignored.
  std::function<std::optional<ResumeState>()> load_resume_state;
  /// With `heartbeat`: ping when idle, declare HEARTBEAT_LOST (and resume)
  /// after two silent intervals (§6.4).
  bool heartbeat_watchdog = true;
  /// With `ack`: acknowledge every N events or M ms, whichever first (§6.5).
  /// 0 turns auto-ack off.
  std::size_t ack_every_events = 256;
  std::chrono::milliseconds ack_interval{200};
};

/// `job.subscribe` options (§7.6).
struct SubscribeOptions {
  bool history = false;
  std::optional<std::int64_t> from_event_seq;  // with history: replay seq > this
};

/// One `session.jobs` entry (§6.6).
struct JobSummary {
  std::string job_id;
  std::string agent;
  JobStatus status = JobStatus::kRunning;
  json::object lease;
  std::optional<json::object> lease_constraints;
  std::optional<json::object> budget;  // live counters (§9.6), while the job runs
  std::string parent_job_id;
  std::string created_at;
  std::string trace_id;
  std::int64_t last_event_seq = 0;
  static Result<JobSummary> from_json(const json::object& entry);
};

struct JobPage {
  std::vector<JobSummary> jobs;
  std::string next_cursor;  // empty on the last page
};

class JobPages;

struct SubmitOptions {
  std::string agent;
  json::value input = json::object{};
  json::object lease_request;
  std::optional<json::object> lease_constraints;
  std::string idempotency_key;
  std::optional<std::int64_t> max_runtime_sec;
  std::string trace_id;  // optional: 32-hex trace id or traceparent
};

class Client {
 public:
  /// `ws://…`, `wss://…`, or `stdio:<command> [args…]` (spawns the runtime).
  static Result<std::shared_ptr<Client>> connect(const std::string& url,
                                                 ClientOptions options = {});
  /// Any already-open transport (e.g. one end of make_memory_pair()).
  static Result<std::shared_ptr<Client>> connect(std::shared_ptr<Connection> connection,
                                                 ClientOptions options = {});
  ~Client();

  const std::string& session_id() const;
  const Welcome& welcome() const;
  /// Effective features: intersection of what we offered and the welcome.
  const FeatureSet& features() const;

  /// Sends `job.submit` and waits for `job.accepted` (or the rejection).
  Result<JobHandle> submit(const SubmitOptions& options);
  /// Non-blocking submit: `done` runs once, on the reader thread, with the
  /// handle or the rejection. The async API (async.hpp) is built on it.
  void submit(const SubmitOptions& options, std::function<void(Result<JobHandle>)> done);
  /// Non-blocking connect: the transport is opened and the handshake awaited
  /// on a helper thread; `done` runs once with the client or the error.
  static void connect(const std::string& url, ClientOptions options,
                      std::function<void(Result<std::shared_ptr<Client>>)> done);
  /// `job.cancel` for a job of this session.
  Result<void> cancel(const std::string& job_id, const std::string& reason = {});

  /// `job.subscribe` (§7.6): a handle like submit()'s, without cancel authority.
  Result<JobHandle> subscribe(const std::string& job_id, SubscribeOptions options = {});
  /// `job.unsubscribe`: no more events for that job in this session.
  Result<void> unsubscribe(const std::string& job_id);
  /// One `session.list_jobs` round trip (§6.6).
  Result<JobPage> list_jobs_page(const ListJobs& request);
  /// Every job this principal may see, `page_size` at a time.
  JobPages list_jobs(ListJobsFilter filter = {}, std::int64_t page_size = 100);
  /// Sends `session.ack` now (auto-ack does this by itself).
  void ack(std::int64_t last_processed_seq);

  /// Session id, current resume token and last event seq seen.
  ResumeState resume_state() const;
  /// Successful automatic resumes so far.
  std::size_t resume_count() const;
  /// Drops the transport without `session.close` (as a network failure
  /// would); with auto-resume on, the session resumes. For tools and tests.
  void drop_connection();
  /// Sends a raw envelope (session_id filled in); for tools and tests.
  void send(Envelope env);
  /// Observes every inbound envelope (decoded) and its raw text, on the reader thread.
  void on_envelope(std::function<void(const Envelope&, const std::string& raw)> observer);
  /// Errors the runtime sent that belong to no pending request.
  std::optional<Error> next_session_error(std::chrono::milliseconds timeout);

  /// Graceful `session.close` → `session.closed`; jobs keep running server-side.
  /// Waits at most `close_timeout`; a `session.error` reply (a runtime that
  /// does not implement session.close) or no reply counts as closed, and the
  /// transport is closed either way.
  Result<void> close();
  bool connected() const;

  // ---- artifacts (the `artifacts` extension, rfc-0001 §16) ----
  // Each needs `artifacts` negotiated (offered by default); the runtime
  // answers a session without it with INVALID_REQUEST. A reference is an
  // ArtifactRef, an `art_…` id or an `arcp://artifact/…` URI.
  /// Stores `bytes`. Larger than one chunk (the welcome's
  /// `artifact_limits.max_chunk_bytes`) it goes as a chunked upload, each
  /// chunk answered before the next is sent.
  Result<ArtifactRef> put_artifact(std::string_view bytes, std::string_view media_type,
                                   PutArtifactOptions options = {});
  /// The whole artifact in memory; an artifact larger than `max_bytes` is
  /// refused (INVALID_REQUEST, `details.limit: "max_bytes"`) before its
  /// content is read. The sha256 is checked.
  Result<std::string> fetch_artifact(std::string_view ref, std::size_t max_bytes = 64U << 20U);
  Result<std::string> fetch_artifact(const ArtifactRef& ref, std::size_t max_bytes = 64U << 20U);
  /// Pulls the artifact chunk by chunk into `sink` (any size; one chunk in
  /// memory at a time); the sha256 of the whole is checked at the end and a
  /// mismatch is an INTERNAL_ERROR. A sink error stops the transfer and is
  /// returned. Returns the artifact's reference.
  Result<ArtifactRef> fetch_artifact_to(std::string_view ref,
                                        const std::function<Result<void>(std::string_view)>& sink);
  Result<void> release_artifact(std::string_view ref);
  /// Non-blocking forms: run on a helper thread (as connect's does); `done`
  /// runs once, on that thread. async.hpp wraps them as Asio operations.
  void put_artifact(std::string bytes, std::string media_type, PutArtifactOptions options,
                    std::function<void(Result<ArtifactRef>)> done);
  void fetch_artifact(std::string ref, std::size_t max_bytes,
                      std::function<void(Result<std::string>)> done);
  void release_artifact(std::string ref, std::function<void(Result<void>)> done);

  struct Core;

 private:
  explicit Client(std::shared_ptr<Core> core);
  static Result<std::shared_ptr<Client>> start(std::shared_ptr<Core> core);
  std::shared_ptr<Core> core_;
};

/// Pages of `session.list_jobs`, fetched lazily: `while (auto p = pages.next())`.
class JobPages {
 public:
  /// The next page; nullopt after the last. An error ends the iteration.
  std::optional<Result<JobPage>> next();

 private:
  friend class Client;
  std::shared_ptr<Client::Core> core_;
  ListJobs request_;
  bool done_ = false;
};

}  // namespace arcp
