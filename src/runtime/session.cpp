#include "runtime/session.hpp"

#include <arcp/ids.hpp>
#include <arcp/session_messages.hpp>

#include "core/envelope_writer.hpp"

namespace arcp::runtime {
namespace {
constexpr std::size_t kRecentIdCap = 4096;
}

Session::Session(std::string id, std::string principal, FeatureSet features,
                 std::size_t max_buffered)
    : id_(std::move(id)),
      principal_(std::move(principal)),
      features_(std::move(features)),
      max_buffered_(max_buffered) {}

void Session::send_locked(const Frame& frame) {
  if (connection_) connection_->send(frame);
}

std::int64_t Session::deliver_event(std::string_view type, const std::string& job_id,
                                    const std::string& trace_id, std::string_view payload_json) {
  std::string id = new_id("msg");
  std::lock_guard lock(mu_);
  std::int64_t seq = next_seq_++;
  core::EnvelopeHeader h{kProtocolVersion, id, type, id_, job_id, seq, trace_id};
  auto frame = make_frame(core::encode_envelope_raw(h, payload_json));
  buffer_.emplace_back(seq, frame);
  if (buffer_.size() > max_buffered_) buffer_.pop_front();
  send_locked(frame);
  return seq;
}

void Session::send_control(std::string_view type, json::object payload, const std::string& job_id,
                           const std::string& trace_id) {
  Envelope env;
  env.id = new_id("msg");
  env.type = std::string(type);
  env.session_id = id_;
  env.job_id = job_id;
  env.trace_id = trace_id;
  env.payload = std::move(payload);
  auto frame = make_frame(encode_envelope(env));
  std::lock_guard lock(mu_);
  send_locked(frame);
}

void Session::send_error(Error error, const std::string& request_id) {
  if (!request_id.empty()) error.details["request_id"] = request_id;
  send_control(msg::kSessionError, error.to_json());
}

void Session::attach(std::shared_ptr<Connection> connection) {
  std::lock_guard lock(mu_);
  connection_ = std::move(connection);
}

void Session::detach(const Connection* connection) {
  std::lock_guard lock(mu_);
  if (connection_.get() != connection) return;
  connection_.reset();
  detached_at_ = std::chrono::steady_clock::now();
}

bool Session::idle_since(std::chrono::steady_clock::time_point cutoff) const {
  std::lock_guard lock(mu_);
  return !connection_ && active_jobs_ == 0 && detached_at_ <= cutoff;
}

bool Session::seen_before(const std::string& message_id) {
  std::lock_guard lock(mu_);
  if (!recent_id_set_.insert(message_id).second) return true;
  recent_ids_.push_back(message_id);
  if (recent_ids_.size() > kRecentIdCap) {
    recent_id_set_.erase(recent_ids_.front());
    recent_ids_.pop_front();
  }
  return false;
}

bool Session::try_reserve_job_slot(std::size_t cap) {
  std::lock_guard lock(mu_);
  if (active_jobs_ >= cap) return false;
  ++active_jobs_;
  return true;
}

void Session::release_job_slot() {
  std::lock_guard lock(mu_);
  if (active_jobs_ > 0) --active_jobs_;
}


}  // namespace arcp::runtime
