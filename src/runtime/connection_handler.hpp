// Internal: the protocol engine for one connection — handshake, dispatch of
// inbound messages to the session/jobs, heartbeats.
#pragma once

#include <arcp/connection.hpp>
#include <arcp/envelope.hpp>
#include <arcp/session_messages.hpp>
#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>

#include "runtime/runtime_impl.hpp"

namespace arcp::runtime {

/// Monotonic milliseconds: liveness and idle bookkeeping of connections.
inline std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class ConnectionHandler : public std::enable_shared_from_this<ConnectionHandler> {
 public:
  ConnectionHandler(std::weak_ptr<Runtime::Impl> rt, std::shared_ptr<Connection> conn);
  void start();
  /// Graceful close of the transport (the session stays for resume).
  void close();
  /// Sends `session.error` with `reason`, then closes gracefully (shutdown).
  void close_with(const Error& reason);
  /// Bytes waiting in this connection's send queue.
  std::size_t queued_bytes() const { return conn_->queued_bytes(); }

 private:
  void on_frame(std::string text);
  void on_oversize(std::size_t bytes);
  void on_closed();

  void dispatch(Runtime::Impl& rt, Envelope& env);
  // handshake.cpp: hello, resume (§6.2, §6.3)
  void handle_hello(Runtime::Impl& rt, Envelope& env);
  /// §6.1: authenticates `hello` together with the transport's verified peer
  /// identity. On failure answers UNAUTHENTICATED, audits the reason (never
  /// the token) and closes the connection: nullopt.
  std::optional<Identity> authenticate(Runtime::Impl& rt, const Hello& hello,
                                       const std::string& request_id);
  /// A standalone session.resume without `auth`: its resume token alone is
  /// the credential, unless the runtime requires a client certificate (still
  /// checked) or verifies JWTs (their expiry and lease claim must be checked
  /// again, so `auth` is required). On refusal answers and closes: false.
  bool resume_token_suffices(Runtime::Impl& rt, const std::string& request_id);
  /// Counts, logs and audits an authentication failure (its reason, never
  /// the credential), answers UNAUTHENTICATED and closes (§6.1).
  void refuse_authentication(Runtime::Impl& rt, const Error& error, const std::string& request_id);
  void handle_resume(Runtime::Impl& rt, const std::string& request_id,
                     const std::optional<std::string>& principal, const ResumeRequest& resume);
  Frame welcome_frame(Runtime::Impl& rt, const Session& session, const std::string& token);
  void bind_session(Runtime::Impl& rt, std::shared_ptr<Session> session);
  /// Takes this connection's attached-session slot of `principal` (§14);
  /// on refusal answers the hello and closes the connection.
  bool take_session_slot(Runtime::Impl& rt, const std::string& principal,
                         const std::string& request_id);
  // submit_handler.cpp: job.submit, job.cancel (§7.1–§7.4)
  void handle_submit(Runtime::Impl& rt, Envelope& env);
  void handle_cancel(Runtime::Impl& rt, Envelope& env);
  /// Creates, announces (job.accepted) and starts an admitted job.
  void accept_job(Runtime::Impl& rt, JobSpec spec, const std::string& idempotency_key,
                  const std::string& fingerprint);
  // credential_submit.cpp: a submit whose job gets a credential (§9.8)
  void issue_then_accept(Runtime::Impl& rt, JobSpec spec, const std::string& idempotency_key,
                         const std::string& fingerprint, const std::string& request_id);
  // inbound_hold.cpp: while a submit waits for its credential, later frames
  // of this connection wait too, so replies keep the order of requests.
  void hold_inbound(std::size_t max_bytes);
  /// True when `text` was queued behind a held submit.
  bool queue_if_held(std::string& text);
  void release_inbound();
  void handle_frame(std::string text);
  // list_jobs_handler.cpp: session.list_jobs (§6.6)
  void handle_list_jobs(Runtime::Impl& rt, Envelope& env);
  // subscribe_handler.cpp: job.subscribe / job.unsubscribe (§7.6)
  void handle_subscribe(Runtime::Impl& rt, Envelope& env);
  void handle_unsubscribe(Runtime::Impl& rt, Envelope& env);
  void handle_ack(Envelope& env);
  void handle_ping(Envelope& env);
  void handle_extension(Runtime::Impl& rt, Envelope& env);
  // artifact_handler.cpp: x-vendor.arcp.artifact.put/fetch/release (rfc-0001 §16)
  void handle_artifact(Runtime::Impl& rt, Envelope& env);

  /// Errors before a session exists carry no session_id.
  void send_unbound_error(Error error, const std::string& request_id);
  void arm_heartbeat(Runtime::Impl& rt);
  void arm_hello_timeout(Runtime::Impl& rt);
  // idle_watch.cpp: §14 heartbeat amplification (RuntimeOptions::idle_session_timeout)
  void arm_idle_watch(Runtime::Impl& rt, std::chrono::milliseconds after);
  void check_idle(Runtime::Impl& rt);
  /// A frame that is not a heartbeat, pong or ack: the session is in use.
  void note_activity(std::string_view type);

  std::weak_ptr<Runtime::Impl> rt_;
  std::shared_ptr<Connection> conn_;
  std::shared_ptr<Session> session_;  // touched only from the connection's callbacks
  std::mutex session_mu_;             // guards session_ for the heartbeat timer / close
  std::atomic<std::int64_t> last_inbound_ms_{0};
  std::shared_ptr<boost::asio::io_context> timers_;  // declared before the timer: outlives it
  std::unique_ptr<boost::asio::steady_timer> heartbeat_;
  std::unique_ptr<boost::asio::steady_timer> hello_timer_;
  std::unique_ptr<boost::asio::steady_timer> idle_timer_;
  std::atomic<std::int64_t> last_activity_ms_{0};
  std::int64_t idle_seen_seq_ = 0;  // the session's last seq at the previous idle check
  std::atomic<bool> closed_{false};
  std::string slot_principal_;  // holds an attached-session slot of this principal
  /// The authenticated identity's own lease ceiling (e.g. a JWT claim);
  /// submits on this connection are narrowed to it (v1.0 §7.1).
  std::optional<json::object> identity_ceiling_;

  std::mutex hold_mu_;  // guards the four below
  bool held_ = false;
  bool draining_ = false;
  std::deque<std::string> held_frames_;
  std::size_t held_bytes_ = 0;
  std::size_t max_held_bytes_ = 0;
};

}  // namespace arcp::runtime
