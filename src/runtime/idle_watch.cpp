// §14 heartbeat amplification: a connection whose session only exchanges
// heartbeats (no requests, no events, no job of its own running) for
// `idle_session_timeout` is said goodbye to and closed. Its session stays
// resumable, so nothing is lost: only the idle transport is.
#include <arcp/ids.hpp>

#include "runtime/connection_handler.hpp"

namespace arcp::runtime {
void ConnectionHandler::note_activity(std::string_view type) {
  if (type != msg::kPing && type != msg::kPong && type != msg::kAck)
    last_activity_ms_ = steady_ms();
}

void ConnectionHandler::arm_idle_watch(Runtime::Impl& rt, std::chrono::milliseconds after) {
  auto timers = rt.io_pool.timer_access();
  if (!timers) return;  // shutting down
  std::lock_guard lock(session_mu_);
  if (closed_) return;
  if (!idle_timer_) idle_timer_ = std::make_unique<boost::asio::steady_timer>(*rt.io());
  timers_ = rt.io();
  idle_timer_->expires_after(after);
  std::weak_ptr<ConnectionHandler> weak = weak_from_this();
  idle_timer_->async_wait([weak](boost::system::error_code ec) {
    if (ec) return;
    auto self = weak.lock();
    auto rt = self ? self->rt_.lock() : nullptr;
    if (!self || !rt || self->closed_) return;
    self->check_idle(*rt);
  });
}

void ConnectionHandler::check_idle(Runtime::Impl& rt) {
  std::shared_ptr<Session> session;
  {
    std::lock_guard lock(session_mu_);
    session = session_;
  }
  if (!session) return;
  // Events delivered and jobs of its own running are use, not idling.
  auto stats = session->stats();
  if (stats.last_seq != idle_seen_seq_ || stats.active_jobs > 0) {
    idle_seen_seq_ = stats.last_seq;
    last_activity_ms_ = steady_ms();
  }
  const auto timeout = rt.opts.idle_session_timeout;
  const auto idle = std::chrono::milliseconds(steady_ms() - last_activity_ms_);
  if (idle < timeout) return arm_idle_watch(rt, timeout - idle);
  Envelope bye;
  bye.id = new_id("msg");
  bye.type = std::string(msg::kBye);
  bye.session_id = session->id();
  bye.payload =
      json::object{{"reason", "idle_timeout"},
                   {"idle_sec", std::chrono::duration_cast<std::chrono::seconds>(idle).count()}};
  rt.audit(json::serialize(json::object{{"type", "session.idle_closed"},
                                        {"session_id", session->id()},
                                        {"principal", session->principal()}}));
  session->detach(conn_.get());
  conn_->send(make_frame(encode_envelope(bye)));
  conn_->close();
}

}  // namespace arcp::runtime
