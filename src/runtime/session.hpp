// Internal: a runtime-side session. It outlives its connection (DESIGN §4):
// it owns the event_seq allocator and the replay buffer; connections attach
// and detach.
#pragma once

#include <arcp/connection.hpp>
#include <arcp/envelope.hpp>
#include <arcp/features.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

namespace arcp::runtime {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::string id, std::string principal, FeatureSet features,
          std::size_t max_buffered_events);

  const std::string& id() const { return id_; }
  const std::string& principal() const { return principal_; }
  const FeatureSet& features() const { return features_; }

  /// Sends a seq-bearing envelope (job.event / job.result / job.error): the seq
  /// is allocated, the frame serialised once, buffered for replay and sent.
  std::int64_t deliver_event(std::string_view type, const std::string& job_id,
                             const std::string& trace_id, std::string_view payload_json);
  /// Sends a non-seq envelope (welcome, accepted, cancelled, errors, pong...).
  void send_control(std::string_view type, json::object payload, const std::string& job_id = {},
                    const std::string& trace_id = {});
  /// `session.error` carrying `details.request_id` when known.
  void send_error(Error error, const std::string& request_id);

  void attach(std::shared_ptr<Connection> connection);
  /// Detaches `connection` if it is the attached one.
  void detach(const Connection* connection);
  /// True when no connection is attached, none has been since `cutoff`, and
  /// no job of this session is running: the session can be forgotten.
  bool idle_since(std::chrono::steady_clock::time_point cutoff) const;

  /// True if this inbound envelope id was seen recently (transport dedup, W07).
  bool seen_before(const std::string& message_id);

  bool try_reserve_job_slot(std::size_t cap);
  void release_job_slot();


 private:
  void send_locked(const Frame& frame);

  const std::string id_;
  const std::string principal_;
  const FeatureSet features_;
  const std::size_t max_buffered_;

  mutable std::mutex mu_;
  std::shared_ptr<Connection> connection_;
  std::int64_t next_seq_ = 1;
  std::deque<std::pair<std::int64_t, Frame>> buffer_;
  std::deque<std::string> recent_ids_;
  std::unordered_set<std::string> recent_id_set_;
  std::size_t active_jobs_ = 0;
  std::chrono::steady_clock::time_point detached_at_ = std::chrono::steady_clock::now();
};

}  // namespace arcp::runtime
