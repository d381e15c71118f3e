// Internal: the state behind arcp::Client — one session over a succession of
// transports. The reader thread of the current transport feeds on_frame; a
// maintenance thread runs the heartbeat watchdog, timed acks and resumes.
#pragma once

#include <arcp/client.hpp>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "client/job_state.hpp"
#include "otel/tracing.hpp"

namespace arcp {

struct Client::Core : std::enable_shared_from_this<Client::Core> {
  struct PendingSubmit {
    Envelope env;  // kept to re-send after a resume (only with an idempotency key)
    bool done = false;
    std::optional<Error> error;
    std::shared_ptr<client::JobState> state;
    std::function<void(Result<JobHandle>)> on_done;  // async submit
    otel::Span span;  // `arcp.submit` (§11): handed to the job's state once accepted
  };
  /// A request answered by one message (list_jobs → jobs, subscribe → subscribed).
  struct PendingRequest {
    bool done = false;
    std::optional<Envelope> reply;
    std::optional<Error> error;
  };
  enum class Link { kUp, kResuming, kLost, kClosed };

  ClientOptions opts;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::shared_ptr<Connection> conn;
  std::uint64_t generation = 0;         // bumped per transport; stale callbacks are ignored
  std::uint64_t ignore_generation = 0;  // a transport found broken (seq gap)
  std::uint64_t closed_generation = 0;  // the latest transport known to have closed
  Link link = Link::kUp;
  bool closing = false;                   // close() called: a drop is not resumed
  std::optional<std::string> bye_reason;  // session.bye received: a drop is final
  std::string close_request_id;           // the session.close envelope's id

  bool awaiting_welcome = true;
  bool welcomed = false;  // the session exists
  std::optional<Error> handshake_error;
  Welcome welcome;
  std::string session_id;
  std::string resume_token;  // secret
  FeatureSet features;
  std::size_t resumes = 0;

  std::deque<std::shared_ptr<PendingSubmit>> pending;
  std::map<std::string, std::shared_ptr<PendingRequest>> requests;  // by request id
  std::map<std::string, std::string> subscribe_requests;            // job id → request id
  std::map<std::string, std::shared_ptr<client::JobState>> jobs;
  std::deque<Error> session_errors;
  std::deque<Frame> outbox;  // sent while resuming; flushed after the welcome
  // Cancels not yet answered (job.cancelled or the job's end): re-sent after
  // a resume, since one sent just before a drop may never have arrived.
  std::map<std::string, std::string> cancels_in_flight;
  std::int64_t last_seq = 0;
  bool closed_ack = false;
  std::function<void(const Envelope&, const std::string&)> observer;
  std::atomic<bool> has_observer{false};

  // Liveness and acknowledgement.
  std::atomic<std::int64_t> last_inbound_ms{0};
  std::atomic<std::int64_t> last_outbound_ms{0};
  std::int64_t acked_seq = 0;
  std::size_t unacked = 0;
  std::int64_t first_unacked_ms = 0;

  // Maintenance thread.
  std::thread maintenance;
  bool stopping = false;
  bool resume_requested = false;

  // client_core.cpp: transport and inbound messages.
  void attach(std::shared_ptr<Connection> c);
  void send_hello();
  void send(Envelope env);
  void send_frame_now(const Frame& frame);
  void on_frame(std::uint64_t gen, const std::string& text);
  void on_closed(std::uint64_t gen);
  /// Link up → resuming: wakes the maintenance thread; returns the submits
  /// that cannot be re-sent safely (no idempotency key), now failed.
  std::vector<std::shared_ptr<PendingSubmit>> begin_resume_locked();
  void on_welcome(const Envelope& env);
  void on_session_error(const Envelope& env);
  void on_accepted(const Envelope& env);
  void on_subscribed(const Envelope& env);
  /// Completes the request named by `payload.request_id` (session.jobs and vendor replies).
  void on_jobs(const Envelope& env);
  void on_child_accepted(Accepted acc);
  void on_job_message(std::uint64_t gen, Envelope& env);
  /// The session cannot continue: pending requests fail, unfinished jobs end.
  void lose(const Error& error);
  void notify(const std::shared_ptr<PendingSubmit>& p);
  JobHandle make_handle(const std::shared_ptr<client::JobState>& state, bool can_cancel = true);
  void send_cancel(const std::string& job_id, const std::string& reason);
  void maybe_ack_locked(std::vector<Envelope>& out);
  /// Sends `env` and waits for its PendingRequest to complete.
  Result<Envelope> request(Envelope env, const std::string& subscribe_job_id = {});
  // job_listing.cpp
  Result<JobPage> list_jobs_page(const ListJobs& request);

  // client_maintenance.cpp: watchdog, timed acks, resume with backoff.
  void start_maintenance();
  void stop_maintenance();
  void maintenance_loop();
  void run_resume();
};

std::int64_t client_now_ms();

}  // namespace arcp
