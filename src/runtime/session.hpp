// Internal: a runtime-side session. It outlives its connection (DESIGN §4):
// it owns the event_seq allocator, the event log (in the store), the resume
// token and the ack state; connections attach and detach.
//
// Event path: seq → serialise once → append to the store → once durable,
// pumped to the attached connection in seq order. A connection whose queue is
// over the high-water mark is not fed; the pump picks up from the store once
// it drains, so a slow consumer costs disk (or the capped memory log), never
// unbounded memory.
#pragma once

#include <arcp/connection.hpp>
#include <arcp/envelope.hpp>
#include <arcp/features.hpp>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>

#include "observability/metrics.hpp"
#include "otel/tracing.hpp"
#include "store/store.hpp"

namespace arcp::runtime {

struct SessionLimits {
  /// Events kept per session for replay; beyond it the oldest are evicted.
  std::size_t max_log_events = 100000;
  /// Unsent frames kept in memory; older ones are re-read from the store.
  std::size_t max_pending_frames = 4096;
  /// The connection is not fed while this many bytes are queued on it.
  std::size_t high_water_bytes = 4U << 20U;
  /// Unacknowledged events before one `status {phase:"back_pressure"}`.
  std::int64_t back_pressure_lag = 10000;
  /// Counts the events sent (arcp_events_sent_total); null: not counted.
  std::shared_ptr<observability::Counter> events_sent;
};

/// What a session holds, for stats and tests.
struct SessionStats {
  std::size_t pending_frames = 0;
  std::int64_t last_seq = 0;
  std::int64_t sent_seq = 0;
  std::int64_t acked_seq = 0;
  std::int64_t retained_from = 1;
  std::size_t queued_bytes = 0;  // waiting in the attached connection's send queue
  std::size_t active_jobs = 0;   // submitted by this session and not ended
};

/// A `session.error` envelope carrying `error`; `session_id` empty before a
/// session exists.
Frame session_error_frame(const Error& error, const std::string& session_id = {});

class Session : public std::enable_shared_from_this<Session>, public store::DurableSink {
 public:
  Session(std::string id, std::string principal, FeatureSet features,
          std::shared_ptr<store::Store> store, std::shared_ptr<boost::asio::io_context> timers,
          SessionLimits limits);
  /// Restores a session from its stored record (after a runtime restart).
  static std::shared_ptr<Session> restore(const store::SessionRecord& record,
                                          std::shared_ptr<store::Store> store,
                                          std::shared_ptr<boost::asio::io_context> timers,
                                          SessionLimits limits);

  const std::string& id() const { return id_; }
  const std::string& principal() const { return principal_; }
  const FeatureSet& features() const { return features_; }

  /// Sends a seq-bearing envelope (job.event / job.result / job.error): the seq
  /// is allocated, the frame serialised once, logged, then sent when durable.
  /// With `send_now` false it is only logged until the next pump().
  std::int64_t deliver_event(std::string_view type, const std::string& job_id,
                             const std::string& trace_id, std::string_view payload_json,
                             bool send_now = true);
  /// The same for an event carrying a secret (a rotated credential, §9.8):
  /// `payload_json` goes to this session's connection, `stored_json` (the
  /// redacted copy) to the store, so the secret never reaches the disk nor a
  /// subscriber's history replay. The live frame is kept in memory for
  /// replays to this session until forget_secrets(job_id), an ack past it,
  /// or kMaxSecretFrames newer ones; after that a replay shows the copy.
  std::int64_t deliver_secret_event(std::string_view type, const std::string& job_id,
                                    const std::string& trace_id, std::string_view payload_json,
                                    std::string_view stored_json);
  /// Drops the secret frames of `job_id` (its credentials are revoked).
  void forget_secrets(const std::string& job_id);
  static constexpr std::size_t kMaxSecretFrames = 256;
  /// Sends what is logged and durable to the attached connection.
  void pump();
  /// Sends a non-seq envelope (welcome, accepted, cancelled, errors, pong...).
  void send_control(std::string_view type, json::object payload, const std::string& job_id = {},
                    const std::string& trace_id = {});
  /// `session.error` carrying `details.request_id` when known.
  void send_error(Error error, const std::string& request_id);

  /// Mints a fresh resume token (returned once, stored only as a hash) and
  /// persists the session record before the token is handed out.
  std::string rotate_resume_token();
  /// Constant-time check of a presented resume token.
  bool resume_token_matches(std::string_view token) const;

  /// Attaches a new session's first connection; `welcome` is sent first.
  void attach(std::shared_ptr<Connection> connection, Frame welcome);
  /// Resume (§6.3): checks that every event after `last_event_seq` is still
  /// retained, then sends `welcome`, replays, and streams live. The
  /// previously attached connection, if any, is displaced and closed.
  Result<void> resume(std::shared_ptr<Connection> connection, std::int64_t last_event_seq,
                      Frame welcome);
  /// The checks of resume() alone, so a refused resume leaves the token as it was.
  Result<void> check_resumable(std::int64_t last_event_seq) const;
  /// Detaches `connection` if it is the attached one.
  void detach(const Connection* connection);
  /// True when no connection is attached, none has been since `cutoff`, and
  /// no job of this session is running: the session can be forgotten.
  bool idle_since(std::chrono::steady_clock::time_point cutoff) const;
  /// When it was detached, if it is detached with no running job (it may be
  /// forgotten); nullopt otherwise.
  std::optional<std::chrono::steady_clock::time_point> idle_detached_at() const;

  /// `session.ack` (§6.5): frees events up to `seq` and re-arms back-pressure.
  Result<void> ack(std::int64_t last_processed_seq);

  /// True if this inbound envelope id is among the last 4096 this session saw
  /// (transport dedup, W07); older ids are processed again.
  bool seen_before(const std::string& message_id);

  bool try_reserve_job_slot(std::size_t cap);
  void release_job_slot();

  SessionStats stats() const;
  /// A connection is attached (metrics: open vs detached sessions).
  bool attached() const;
  void on_durable(std::int64_t seq) override;
  void on_store_failure(std::int64_t first_lost_seq, const Error& error) override;

 private:
  /// `stored_json`, when set, is what the store keeps instead of the payload.
  std::int64_t append_locked(std::string_view type, const std::string& job_id,
                             const std::string& trace_id, std::string_view payload_json,
                             std::optional<std::string_view> stored_json = std::nullopt);
  /// The frame to send for a record read back from the store.
  Frame live_frame_locked(store::EventRecord& record);
  void drop_secrets_through_locked(std::int64_t seq);
  void maybe_signal_back_pressure_locked(const std::string& job_id, const std::string& trace_id);
  void enforce_log_cap_locked();
  /// Sends `session.error` and closes the attached transport (§14): for
  /// events this session can no longer deliver, never shown as a gap.
  void fail_transport_locked(const Error& err);
  void pump_locked();
  void arm_drain_check_locked();
  void persist_locked();
  Result<void> check_resumable_locked(std::int64_t last_event_seq) const;

  const std::string id_;
  const std::string principal_;
  const FeatureSet features_;
  const std::shared_ptr<store::Store> store_;
  const std::shared_ptr<boost::asio::io_context> timers_;
  const SessionLimits limits_;

  mutable std::mutex mu_;
  std::shared_ptr<Connection> connection_;
  std::string token_hash_;
  std::int64_t next_seq_ = 1;
  std::int64_t durable_seq_ = 0;    // every seq ≤ this is in the store
  std::int64_t sent_seq_ = 0;       // the attached connection has every seq ≤ this
  std::int64_t acked_seq_ = 0;      // highest session.ack
  std::int64_t retained_from_ = 1;  // lowest seq still in the log
  bool back_pressure_signalled_ = false;
  bool broken_ = false;  // the store cannot persist this session's events: nothing more is sent
  std::deque<std::pair<std::int64_t, Frame>> pending_;  // logged, not yet sent
  struct SecretFrame {
    std::string job_id;
    Frame frame;
  };
  std::map<std::int64_t, SecretFrame> secrets_;  // seq → the live frame of a redacted log entry
  std::unique_ptr<boost::asio::steady_timer> drain_timer_;
  bool drain_armed_ = false;
  std::atomic<std::int64_t> durable_hint_{0};  // written by the store's thread
  std::atomic<bool> pump_posted_{false};
  std::deque<std::uint64_t> recent_ids_;  // keyed digests of recent envelope ids (W07)
  std::unordered_set<std::uint64_t> recent_id_set_;
  std::size_t active_jobs_ = 0;
  std::chrono::steady_clock::time_point detached_at_ = std::chrono::steady_clock::now();
  // `arcp.session` (§11): from the hello that opened the session (or the
  // restart that restored it) until the runtime forgets it, across attaches.
  otel::Span span_;
};

}  // namespace arcp::runtime
