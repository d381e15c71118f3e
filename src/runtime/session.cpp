#include "runtime/session.hpp"

#include <arcp/ids.hpp>
#include <arcp/session_messages.hpp>
#include <arcp/time.hpp>
#include <boost/asio/post.hpp>

#include "auth/secure_random.hpp"
#include "core/envelope_writer.hpp"
#include "core/keyed_hash.hpp"

namespace arcp::runtime {
namespace {

// Transport de-duplication window (W07): the last kRecentIdCap envelope ids
// per session, kept as keyed 64-bit digests (8 bytes each, whatever the id's
// length). An id replayed after the window has moved on is processed again.
constexpr std::size_t kRecentIdCap = 4096;
constexpr std::size_t kReadBatch = 1024;
constexpr auto kDrainPoll = std::chrono::milliseconds(2);

}  // namespace

Frame session_error_frame(const Error& error, const std::string& session_id) {
  Envelope env;
  env.id = new_id("msg");
  env.type = std::string(msg::kSessionError);
  env.session_id = session_id;
  env.payload = error.to_json();
  return make_frame(encode_envelope(env));
}

Session::Session(std::string id, std::string principal, FeatureSet features,
                 std::shared_ptr<store::Store> store,
                 std::shared_ptr<boost::asio::io_context> timers, SessionLimits limits)
    : id_(std::move(id)),
      principal_(std::move(principal)),
      features_(std::move(features)),
      store_(std::move(store)),
      timers_(std::move(timers)),
      limits_(limits),
      span_(otel::start_span("arcp.session", otel::SpanKind::kServer)) {
  span_.set("arcp.session_id", id_);
}

std::shared_ptr<Session> Session::restore(const store::SessionRecord& record,
                                          std::shared_ptr<store::Store> store,
                                          std::shared_ptr<boost::asio::io_context> timers,
                                          SessionLimits limits) {
  FeatureSet features;
  if (auto parsed = parse_json(record.features); parsed && parsed->is_array())
    features = FeatureSet::from_json(parsed->get_array());
  auto [first, last] = store->seq_range(record.id);
  auto s = std::make_shared<Session>(record.id, record.principal, std::move(features),
                                     std::move(store), std::move(timers), limits);
  s->token_hash_ = record.token_hash;
  s->next_seq_ = std::max(record.next_seq, last + 1);
  s->durable_seq_ = s->next_seq_ - 1;
  s->sent_seq_ = s->next_seq_ - 1;
  s->retained_from_ = first != 0 ? first : s->next_seq_;
  return s;
}

std::int64_t Session::append_locked(std::string_view type, const std::string& job_id,
                                    const std::string& trace_id, std::string_view payload_json,
                                    std::optional<std::string_view> stored_json) {
  std::string msg_id = new_id("msg");
  std::int64_t seq = next_seq_++;
  core::EnvelopeHeader h{kProtocolVersion, msg_id, type, id_, job_id, seq, trace_id};
  auto frame = make_frame(core::encode_envelope_raw(h, payload_json));
  Frame stored = stored_json ? make_frame(core::encode_envelope_raw(h, *stored_json)) : frame;
  if (store_->append(store::EventRecord{id_, seq, job_id, stored}, shared_from_this()))
    durable_seq_ = seq;
  if (stored_json) {
    secrets_[seq] = SecretFrame{job_id, frame};
    if (secrets_.size() > kMaxSecretFrames) secrets_.erase(secrets_.begin());
  }
  pending_.emplace_back(seq, std::move(frame));
  if (pending_.size() > limits_.max_pending_frames) pending_.pop_front();  // re-read from the store
  enforce_log_cap_locked();
  return seq;
}

std::int64_t Session::deliver_event(std::string_view type, const std::string& job_id,
                                    const std::string& trace_id, std::string_view payload_json,
                                    bool send_now) {
  std::lock_guard lock(mu_);
  std::int64_t seq = append_locked(type, job_id, trace_id, payload_json);
  maybe_signal_back_pressure_locked(job_id, trace_id);
  if (send_now) pump_locked();
  return seq;
}

std::int64_t Session::deliver_secret_event(std::string_view type, const std::string& job_id,
                                           const std::string& trace_id,
                                           std::string_view payload_json,
                                           std::string_view stored_json) {
  std::lock_guard lock(mu_);
  std::int64_t seq = append_locked(type, job_id, trace_id, payload_json, stored_json);
  maybe_signal_back_pressure_locked(job_id, trace_id);
  pump_locked();
  return seq;
}

void Session::forget_secrets(const std::string& job_id) {
  std::lock_guard lock(mu_);
  std::erase_if(secrets_, [&](const auto& kv) { return kv.second.job_id == job_id; });
}

void Session::drop_secrets_through_locked(std::int64_t seq) {
  secrets_.erase(secrets_.begin(), secrets_.upper_bound(seq));
}

Frame Session::live_frame_locked(store::EventRecord& record) {
  if (!secrets_.empty())
    if (auto it = secrets_.find(record.seq); it != secrets_.end()) return it->second.frame;
  return std::move(record.frame);
}

void Session::pump() {
  std::lock_guard lock(mu_);
  // What the store reported durable but no posted pump has taken in yet.
  durable_seq_ = std::max(durable_seq_, durable_hint_.load());
  pump_locked();
}

void Session::maybe_signal_back_pressure_locked(const std::string& job_id,
                                                const std::string& trace_id) {
  if (!features_.has(feature::kAck) || back_pressure_signalled_) return;
  std::int64_t lag = next_seq_ - 1 - acked_seq_;
  if (lag <= limits_.back_pressure_lag) return;
  back_pressure_signalled_ = true;
  json::object body{
      {"phase", "back_pressure"},
      {"message", "client is " + std::to_string(lag) + " events behind its last session.ack"}};
  json::object payload{{"kind", "status"}, {"ts", now_rfc3339()}, {"body", std::move(body)}};
  append_locked(msg::kEvent, job_id, trace_id, json::serialize(payload));
}

void Session::enforce_log_cap_locked() {
  auto held = static_cast<std::size_t>(next_seq_ - retained_from_);
  // Evict in slices of 1/16 of the cap so a full log is not trimmed per event.
  if (held <= limits_.max_log_events + limits_.max_log_events / 16) return;
  std::int64_t upto = next_seq_ - 1 - static_cast<std::int64_t>(limits_.max_log_events);
  store_->trim_events(id_, upto);
  retained_from_ = upto + 1;
  drop_secrets_through_locked(upto);
  while (!pending_.empty() && pending_.front().first <= upto) pending_.pop_front();
  if (upto <= sent_seq_ || !connection_) return;  // detached: a resume will report the loss
  // §14: the consumer fell behind the log cap and undelivered events were
  // evicted. End this transport with INTERNAL_ERROR rather than show a gap.
  fail_transport_locked(
      Error(ErrorCode::kInternalError,
            "the session's event log cap (" + std::to_string(limits_.max_log_events) +
                " events) was exceeded while the client was not reading; undelivered events "
                "were evicted",
            json::object{{"last_sent_seq", sent_seq_}, {"evicted_through_seq", upto}}));
}

void Session::fail_transport_locked(const Error& err) {
  connection_->send(session_error_frame(err, id_));
  connection_->close();
  connection_.reset();
  detached_at_ = std::chrono::steady_clock::now();
}

void Session::pump_locked() {
  if (!connection_ || broken_) return;
  // One relaxed add per pump for every event it sends, whichever way it returns.
  struct CountSent {
    const std::int64_t& sent;
    std::int64_t from;
    observability::Counter* counter;
    ~CountSent() {
      if (counter && sent > from) counter->add(static_cast<std::uint64_t>(sent - from));
    }
  } count_sent{sent_seq_, sent_seq_, limits_.events_sent.get()};
  while (sent_seq_ < durable_seq_) {
    if (connection_->queued_bytes() >= limits_.high_water_bytes) return arm_drain_check_locked();
    while (!pending_.empty() && pending_.front().first <= sent_seq_) pending_.pop_front();
    if (!pending_.empty() && pending_.front().first == sent_seq_ + 1) {
      connection_->send(pending_.front().second);
      sent_seq_ = pending_.front().first;
      pending_.pop_front();
      continue;
    }
    // Not in memory (evicted from the pending window, or a replay): read the store.
    auto batch = store_->read_events(id_, sent_seq_, kReadBatch);
    if (batch.empty() || batch.front().seq != sent_seq_ + 1) {
      // The log lost events it reported durable (a commit that failed after
      // the fact, or a damaged data directory). Say so and end the transport
      // rather than stall or skip; a resume from before the loss is refused.
      std::int64_t next = batch.empty() ? durable_seq_ + 1 : batch.front().seq;
      retained_from_ = std::max(retained_from_, next);
      return fail_transport_locked(
          Error(ErrorCode::kInternalError,
                "the session's event log lost events it had stored; they cannot be delivered",
                json::object{{"last_sent_seq", sent_seq_}, {"next_available_seq", next}}));
    }
    std::size_t n = 0;
    for (auto& r : batch) {
      if (r.seq > durable_seq_) break;
      if ((++n & 63U) == 0 && connection_->queued_bytes() >= limits_.high_water_bytes)
        return arm_drain_check_locked();
      connection_->send(live_frame_locked(r));
      sent_seq_ = r.seq;
    }
  }
}

void Session::arm_drain_check_locked() {
  if (drain_armed_) return;
  drain_armed_ = true;
  if (!drain_timer_) drain_timer_ = std::make_unique<boost::asio::steady_timer>(*timers_);
  drain_timer_->expires_after(kDrainPoll);
  std::weak_ptr<Session> weak = weak_from_this();
  drain_timer_->async_wait([weak](boost::system::error_code ec) {
    if (ec) return;
    if (auto self = weak.lock()) {
      std::lock_guard lock(self->mu_);
      self->drain_armed_ = false;
      self->pump_locked();
    }
  });
}

void Session::on_durable(std::int64_t seq) {
  // Runs on the store's writer thread, which must never wait for a session
  // lock (an appender holding one may be waiting for the writer): record the
  // seq and let the timer thread pump.
  std::int64_t prev = durable_hint_.load(std::memory_order_relaxed);
  while (prev < seq && !durable_hint_.compare_exchange_weak(prev, seq)) {
  }
  if (pump_posted_.exchange(true)) return;
  boost::asio::post(*timers_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      self->pump_posted_ = false;
      std::lock_guard lock(self->mu_);
      self->durable_seq_ = std::max(self->durable_seq_, self->durable_hint_.load());
      self->pump_locked();
    }
  });
}

void Session::on_store_failure(std::int64_t first_lost_seq, const Error& error) {
  // The writer thread must not wait for a session lock (see on_durable).
  boost::asio::post(*timers_, [weak = weak_from_this(), first_lost_seq, error] {
    auto self = weak.lock();
    if (!self) return;
    std::lock_guard lock(self->mu_);
    if (self->broken_) return;
    self->pump_locked();  // what did persist still goes out, in order
    self->broken_ = true;
    if (!self->connection_) return;
    self->fail_transport_locked(Error(ErrorCode::kInternalError,
                                      error.message + "; this session's events from seq " +
                                          std::to_string(first_lost_seq) + " are not sent",
                                      json::object{{"last_sent_seq", self->sent_seq_},
                                                   {"first_unpersisted_seq", first_lost_seq}}));
  });
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
  if (connection_) connection_->send(frame);
}

void Session::send_error(Error error, const std::string& request_id) {
  if (!request_id.empty()) error.details["request_id"] = request_id;
  send_control(msg::kSessionError, error.to_json());
}

void Session::persist_locked() {
  store_->save_session(store::SessionRecord{id_, principal_, json::serialize(features_.to_json()),
                                            token_hash_, next_seq_, store::wall_ms()});
}

std::string Session::rotate_resume_token() {
  // 256 bits from the CSPRNG; only its digest is kept (R07).
  std::string token = "rt_" + auth::random_hex(32);
  {
    std::lock_guard lock(mu_);
    token_hash_ = auth::sha256_hex(token);
    persist_locked();
  }
  store_->flush();  // the new token must survive a crash before the client sees it
  return token;
}

bool Session::resume_token_matches(std::string_view token) const {
  std::string presented = auth::sha256_hex(token);
  std::lock_guard lock(mu_);
  return auth::constant_time_equal(presented, token_hash_);
}

void Session::attach(std::shared_ptr<Connection> connection, Frame welcome) {
  std::lock_guard lock(mu_);
  connection_ = std::move(connection);
  connection_->send(std::move(welcome));
  sent_seq_ = next_seq_ - 1;
}

Result<void> Session::check_resumable(std::int64_t last_event_seq) const {
  std::lock_guard lock(mu_);
  return check_resumable_locked(last_event_seq);
}

Result<void> Session::check_resumable_locked(std::int64_t last_event_seq) const {
  if (broken_)
    return Error(ErrorCode::kInternalError,
                 "this session's events could not be persisted; resume once the runtime's store "
                 "is repaired or the runtime restarted");
  if (last_event_seq < 0 || last_event_seq > next_seq_ - 1)
    return Error(ErrorCode::kInvalidRequest, "last_event_seq " + std::to_string(last_event_seq) +
                                                 " is not a seq this session has sent (last is " +
                                                 std::to_string(next_seq_ - 1) + ")");
  if (last_event_seq + 1 < retained_from_)
    return Error(ErrorCode::kResumeWindowExpired,
                 "events after seq " + std::to_string(last_event_seq) +
                     " are no longer buffered (oldest retained: " + std::to_string(retained_from_) +
                     ")");
  return {};
}

Result<void> Session::resume(std::shared_ptr<Connection> connection, std::int64_t last_event_seq,
                             Frame welcome) {
  std::shared_ptr<Connection> displaced;
  {
    std::lock_guard lock(mu_);
    if (auto ok = check_resumable_locked(last_event_seq); !ok) return ok;
    displaced = std::exchange(connection_, std::move(connection));
    connection_->send(std::move(welcome));
    sent_seq_ = last_event_seq;
    pump_locked();
  }
  if (displaced) displaced->close();  // one connection per session: the newest wins
  return {};
}

void Session::detach(const Connection* connection) {
  std::lock_guard lock(mu_);
  if (connection_.get() != connection) return;
  connection_.reset();
  detached_at_ = std::chrono::steady_clock::now();
  persist_locked();
}

bool Session::idle_since(std::chrono::steady_clock::time_point cutoff) const {
  auto detached = idle_detached_at();
  return detached && *detached <= cutoff;
}

std::optional<std::chrono::steady_clock::time_point> Session::idle_detached_at() const {
  std::lock_guard lock(mu_);
  if (connection_ || active_jobs_ != 0) return std::nullopt;
  return detached_at_;
}

Result<void> Session::ack(std::int64_t last_processed_seq) {
  std::lock_guard lock(mu_);
  // Only delivered events can have been processed: an ack past them would
  // free events the client has never seen.
  if (last_processed_seq > sent_seq_)
    return Error(ErrorCode::kInvalidRequest,
                 "last_processed_seq " + std::to_string(last_processed_seq) +
                     " is beyond the last event sent, seq " + std::to_string(sent_seq_));
  if (last_processed_seq <= acked_seq_) return {};
  acked_seq_ = last_processed_seq;
  // §6.5: acknowledged events may be freed before the resume window ends.
  if (acked_seq_ >= retained_from_) {
    store_->trim_events(id_, acked_seq_);
    retained_from_ = acked_seq_ + 1;
    drop_secrets_through_locked(acked_seq_);
    persist_locked();  // keeps next_seq across a restart even when the log is empty
  }
  if (back_pressure_signalled_ && next_seq_ - 1 - acked_seq_ <= limits_.back_pressure_lag / 2)
    back_pressure_signalled_ = false;
  return {};
}

bool Session::seen_before(const std::string& message_id) {
  // SipHash under a process-wide secret key: a peer cannot plan two ids with
  // one digest (and a chance collision would only drop that peer's own frame).
  static const core::SipKey kKey = core::random_sip_key();
  const std::uint64_t digest = core::siphash24(kKey, message_id);
  std::lock_guard lock(mu_);
  if (!recent_id_set_.insert(digest).second) return true;
  recent_ids_.push_back(digest);
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

bool Session::attached() const {
  std::lock_guard lock(mu_);
  return connection_ != nullptr;
}

SessionStats Session::stats() const {
  std::lock_guard lock(mu_);
  return SessionStats{pending_.size(), next_seq_ - 1,
                      sent_seq_,       acked_seq_,
                      retained_from_,  connection_ ? connection_->queued_bytes() : 0,
                      active_jobs_};
}

}  // namespace arcp::runtime
