// The client's maintenance thread: heartbeat pings and watchdog (§6.4),
// timed acks (§6.5) and resume with backoff after a drop (§6.3).
#include <arcp/ids.hpp>
#include <array>
#include <cmath>
#include <cstdio>

#include "client/client_core.hpp"

namespace arcp {
namespace {
constexpr std::int64_t kMinTickMs = 10;
constexpr std::int64_t kMaxTickMs = 1000;
}  // namespace

void Client::Core::start_maintenance() {
  maintenance = std::thread([self = shared_from_this()] { self->maintenance_loop(); });
}

void Client::Core::stop_maintenance() {
  {
    std::lock_guard lock(mu);
    stopping = true;
  }
  cv.notify_all();
  if (maintenance.joinable()) {
    if (maintenance.get_id() == std::this_thread::get_id())
      maintenance.detach();
    else
      maintenance.join();
  }
}

void Client::Core::maintenance_loop() {
  for (;;) {
    std::int64_t interval_ms = 0;
    std::vector<Envelope> out;
    std::shared_ptr<Connection> dead;
    {
      std::unique_lock lock(mu);
      if (welcome.heartbeat_interval_sec && features.has(feature::kHeartbeat) &&
          opts.heartbeat_watchdog)
        interval_ms = *welcome.heartbeat_interval_sec * 1000;
      std::int64_t tick = kMaxTickMs;
      if (interval_ms > 0) tick = std::min(tick, interval_ms / 4);
      if (opts.ack_every_events > 0) tick = std::min<std::int64_t>(tick, opts.ack_interval.count());
      tick = std::max(tick, kMinTickMs);
      cv.wait_for(lock, std::chrono::milliseconds(tick),
                  [&] { return stopping || resume_requested; });
      if (stopping) return;
      if (resume_requested) {
        resume_requested = false;
        lock.unlock();
        run_resume();
        continue;
      }
      if (link != Link::kUp) continue;
      std::int64_t now = client_now_ms();
      if (interval_ms > 0 && now - last_inbound_ms.load() > 2 * interval_ms) {
        // §6.4: two silent intervals → HEARTBEAT_LOST; the drop triggers a resume.
        session_errors.push_back(Error(ErrorCode::kHeartbeatLost,
                                       "no message from the runtime for two heartbeat intervals"));
        cv.notify_all();
        dead = conn;
      } else if (interval_ms > 0 && now - last_outbound_ms.load() >= interval_ms) {
        Envelope ping;
        ping.type = std::string(msg::kPing);
        ping.payload = Ping{new_id("ping"), now_rfc3339()}.to_json();
        out.push_back(std::move(ping));
      }
      maybe_ack_locked(out);
    }
    if (dead) dead->close();
    for (auto& env : out) send(std::move(env));
  }
}

void Client::Core::run_resume() {
  using clock = std::chrono::steady_clock;
  const auto started = clock::now();
  auto give_up_at = started + opts.resume_give_up_after;
  auto delay = opts.resume_backoff_initial;
  Error last_error(ErrorCode::kInternalError, "connection lost");
  int refusals = 0;  // UNAUTHENTICATED while another process may hold the newer token
  int attempts = 0;
  // The error unfinished jobs end with says how hard the client tried.
  auto give_up = [&](Error error) {
    auto seconds = std::chrono::duration<double>(clock::now() - started).count();
    std::array<char, 96> tail{};
    std::snprintf(tail.data(), tail.size(),
                  " (connection lost; resume failed after %d attempt%s over %.1f s)", attempts,
                  attempts == 1 ? "" : "s", seconds);
    error.message += tail.data();
    error.details["resume_attempts"] = attempts;
    error.details["resume_seconds"] = std::round(seconds * 10) / 10;  // as the message says
    lose(error);
  };
  for (;;) {
    {
      std::unique_lock lock(mu);
      if (cv.wait_for(lock, delay, [&] { return stopping; })) return;
    }
    ++attempts;
    if (opts.load_resume_state) {
      auto shared = opts.load_resume_state();
      std::lock_guard lock(mu);
      if (shared && shared->session_id == session_id) resume_token = shared->resume_token;
    }
    auto c = opts.reconnect();
    if (c) {
      attach(c.value());
      send_hello();
      std::unique_lock lock(mu);
      cv.wait_for(lock, opts.connect_timeout,
                  [&] { return stopping || !awaiting_welcome || handshake_error; });
      if (stopping) return;
      // Welcomed, but the transport already died again: try once more.
      if (!awaiting_welcome && !handshake_error && closed_generation == generation)
        handshake_error = Error(ErrorCode::kInternalError, "connection closed during resume");
      if (!awaiting_welcome && !handshake_error) {
        // Back: re-send keyed submits that were in flight, then what queued up.
        link = Link::kUp;
        std::vector<Frame> frames;
        for (auto& p : pending)
          if (!p->done) {
            p->env.session_id = session_id;
            frames.push_back(make_frame(encode_envelope(p->env)));
          }
        for (const auto& [job_id, reason] : cancels_in_flight) {
          Envelope c;
          c.id = new_id("msg");
          c.type = std::string(msg::kCancel);
          c.session_id = session_id;
          c.job_id = job_id;
          if (!reason.empty()) c.payload["reason"] = reason;
          frames.push_back(make_frame(encode_envelope(c)));
        }
        for (auto& f : outbox) frames.push_back(f);
        outbox.clear();
        auto current = conn;
        cv.notify_all();
        lock.unlock();
        for (auto& f : frames) current->send(f);
        last_outbound_ms = client_now_ms();
        return;
      }
      last_error = handshake_error.value_or(last_error);
      lock.unlock();
      c.value()->close();
      // The runtime said no for good: the session cannot come back. A stale
      // token is UNAUTHENTICATED from this runtime and RESUME_WINDOW_EXPIRED
      // from others (the spec names neither): both end the session.
      auto code = last_error.code;
      bool maybe_newer_token = code == ErrorCode::kUnauthenticated &&
                               static_cast<bool>(opts.load_resume_state) && ++refusals <= 5;
      if (!maybe_newer_token &&
          (code == ErrorCode::kResumeWindowExpired || code == ErrorCode::kUnauthenticated ||
           code == ErrorCode::kInvalidRequest))
        return give_up(last_error);
    } else {
      last_error = c.error();
    }
    if (clock::now() >= give_up_at) return give_up(last_error);
    delay = std::min(delay * 2, opts.resume_backoff_max);
  }
}

}  // namespace arcp
