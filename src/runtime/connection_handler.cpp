#include "runtime/connection_handler.hpp"

#include <arcp/agent_ref.hpp>
#include <arcp/artifact.hpp>
#include <arcp/ids.hpp>
#include <arcp/job_messages.hpp>
#include <arcp/session_messages.hpp>
#include <boost/asio/post.hpp>
#include <chrono>

namespace arcp::runtime {
ConnectionHandler::ConnectionHandler(std::weak_ptr<Runtime::Impl> rt,
                                     std::shared_ptr<Connection> conn)
    : rt_(std::move(rt)), conn_(std::move(conn)) {}

void ConnectionHandler::start() {
  last_inbound_ms_ = steady_ms();
  std::weak_ptr<ConnectionHandler> weak = weak_from_this();
  ConnectionHandlers h;
  h.on_frame = [weak](std::string text) {
    if (auto self = weak.lock()) self->on_frame(std::move(text));
  };
  h.on_oversize = [weak](std::size_t n) {
    if (auto self = weak.lock()) self->on_oversize(n);
  };
  h.on_closed = [weak] {
    if (auto self = weak.lock()) self->on_closed();
  };
  if (auto rt = rt_.lock()) {
    // Until hello succeeds, replies to this peer get the small budget.
    conn_->set_send_budget(rt->opts.max_queued_bytes_unauthenticated);
    arm_hello_timeout(*rt);
  }
  conn_->start(std::move(h));
}

void ConnectionHandler::arm_hello_timeout(Runtime::Impl& rt) {
  auto timers = rt.io_pool.timer_access();
  if (!timers) return;  // shutting down
  std::lock_guard lock(session_mu_);
  timers_ = rt.io();
  hello_timer_ = std::make_unique<boost::asio::steady_timer>(*rt.io(), rt.opts.hello_timeout);
  std::weak_ptr<ConnectionHandler> weak = weak_from_this();
  hello_timer_->async_wait([weak](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->closed_) return;
    {
      std::lock_guard lock(self->session_mu_);
      if (self->session_) return;
    }
    self->send_unbound_error(
        Error(ErrorCode::kUnauthenticated, "no session.hello completed within the time allowed"),
        {});
    self->conn_->close();
  });
}

void ConnectionHandler::close() {
  conn_->close();
}

void ConnectionHandler::close_with(const Error& reason) {
  std::shared_ptr<Session> session;
  {
    std::lock_guard lock(session_mu_);
    session = session_;
  }
  // Straight to this transport: the session may have moved to another one.
  conn_->send(session_error_frame(reason, session ? session->id() : std::string()));
  conn_->close();
}

void ConnectionHandler::send_unbound_error(Error error, const std::string& request_id) {
  if (!request_id.empty()) error.details["request_id"] = request_id;
  conn_->send(session_error_frame(error));
}

void ConnectionHandler::on_oversize(std::size_t bytes) {
  last_inbound_ms_ = steady_ms();
  auto rt = rt_.lock();
  Error err(ErrorCode::kInvalidRequest,
            "frame of " + std::to_string(bytes) + " bytes exceeds the limit of " +
                std::to_string(rt ? rt->opts.max_frame_bytes : 0) + " bytes");
  if (session_)
    session_->send_error(std::move(err), {});
  else
    send_unbound_error(std::move(err), {});
}

void ConnectionHandler::on_closed() {
  closed_ = true;
  std::shared_ptr<Session> session;
  {
    // Without the runtime its pool has stopped: no shutdown to race.
    auto rt = rt_.lock();
    auto timers = rt ? rt->io_pool.timer_access() : std::shared_lock<std::shared_mutex>{};
    std::lock_guard lock(session_mu_);
    session = session_;
    if (timers || !rt) {
      if (heartbeat_) heartbeat_->cancel();
      if (hello_timer_) hello_timer_->cancel();
      if (idle_timer_) idle_timer_->cancel();
    }
  }
  if (session) session->detach(conn_.get());
  if (auto rt = rt_.lock()) {
    rt->log(LogLevel::kDebug, "connection.closed",
            json::object{{"peer", conn_->description()},
                         {"session_id", session ? json::value(session->id()) : json::value()}});
    if (!slot_principal_.empty()) rt->quotas.detach(slot_principal_);
    std::lock_guard lock(rt->mu);
    rt->handlers.erase(shared_from_this());
  }
}

void ConnectionHandler::on_frame(std::string text) {
  last_inbound_ms_ = steady_ms();
  if (queue_if_held(text)) return;
  handle_frame(std::move(text));
}

void ConnectionHandler::handle_frame(std::string text) {
  auto rt = rt_.lock();
  if (!rt) return;
  auto decoded = decode_envelope(text);
  if (!decoded) {
    Error err = decoded.error();
    if (session_)
      session_->send_error(std::move(err), {});
    else
      send_unbound_error(std::move(err), {});
    return;
  }
  try {
    dispatch(*rt, decoded.value());
  } catch (const std::exception& e) {
    // A handler bug must never take the session down with it.
    Error err(ErrorCode::kInternalError, "internal error while handling " + decoded->type);
    if (session_)
      session_->send_error(std::move(err), decoded->id);
    else
      send_unbound_error(std::move(err), decoded->id);
  }
}

void ConnectionHandler::dispatch(Runtime::Impl& rt, Envelope& env) {
  if (!session_) {
    if (env.type == msg::kHello) return handle_hello(rt, env);
    if (env.type == msg::kResume) {
      // Standalone resume (v1.0 dialect): the resume token is the credential;
      // an `auth` block, when present, must name the same principal.
      auto resume = ResumeRequest::from_json(env.payload);
      if (!resume) return send_unbound_error(resume.error(), env.id);
      std::optional<std::string> principal;
      if (const auto* auth = env.payload.if_contains("auth"); auth && auth->is_object()) {
        Hello h;
        if (const auto* token = get_string(auth->get_object(), "token")) h.token = *token;
        auto identity = authenticate(rt, h, env.id);
        if (!identity) return;
        principal = identity->principal;
      } else if (!resume_token_suffices(rt, env.id)) {
        return;
      }
      return handle_resume(rt, env.id, principal, *resume);
    }
    return send_unbound_error(
        Error(ErrorCode::kInvalidRequest, "the first message must be session.hello"), env.id);
  }
  if (!env.session_id.empty() && env.session_id != session_->id())
    return session_->send_error(
        Error(ErrorCode::kInvalidRequest, "session_id does not match this connection's session"),
        env.id);
  if (session_->seen_before(env.id)) return;  // duplicate envelope id: processed once (W07)

  const std::string& t = env.type;
  note_activity(t);
  if (t == msg::kSubmit) return handle_submit(rt, env);
  if (t == msg::kCancel) return handle_cancel(rt, env);
  if (t == msg::kPing) return handle_ping(env);
  if (t == msg::kAck) return handle_ack(env);
  if (t == msg::kListJobs) return handle_list_jobs(rt, env);
  if (t == msg::kSubscribe) return handle_subscribe(rt, env);
  if (t == msg::kUnsubscribe) return handle_unsubscribe(rt, env);
  if (t == msg::kPong) return;  // liveness already recorded
  if (t == msg::kClose) {
    // Detached before `closed` goes out: a client that saw it may rely on it.
    Envelope closed;
    closed.id = new_id("msg");
    closed.type = std::string(msg::kClosed);
    closed.session_id = session_->id();
    session_->detach(conn_.get());
    rt.log(LogLevel::kInfo, "session.closed",
           json::object{{"session_id", session_->id()}, {"principal", session_->principal()}});
    conn_->send(make_frame(encode_envelope(closed)));
    conn_->close();
    return;
  }
  if (t == msg::kBye) {
    session_->detach(conn_.get());
    rt.log(
        LogLevel::kInfo, "session.closed",
        json::object{
            {"session_id", session_->id()}, {"principal", session_->principal()}, {"by", "bye"}});
    conn_->close();
    return;
  }
  if (t == msg::kHello || t == msg::kResume)
    return session_->send_error(
        Error(ErrorCode::kInvalidRequest, "session already established on this connection"),
        env.id);
  if (t == msg::kArtifactPut || t == msg::kArtifactFetch || t == msg::kArtifactRelease)
    return handle_artifact(rt, env);
  if (is_vendor_name(t)) return handle_extension(rt, env);
  if (is_core_message_type(t))
    return session_->send_error(Error(ErrorCode::kInvalidRequest,
                                      "message type '" + t + "' is not supported by this runtime"),
                                env.id);
  session_->send_error(Error(ErrorCode::kInvalidRequest, "unknown message type '" + t + "'"),
                       env.id);
}

void ConnectionHandler::arm_heartbeat(Runtime::Impl& rt) {
  auto timers = rt.io_pool.timer_access();
  if (!timers) return;  // shutting down
  std::lock_guard lock(session_mu_);
  if (closed_) return;
  if (!heartbeat_) heartbeat_ = std::make_unique<boost::asio::steady_timer>(*rt.io());
  timers_ = rt.io();
  auto interval = std::chrono::duration_cast<std::chrono::milliseconds>(rt.opts.heartbeat_interval);
  heartbeat_->expires_after(interval);
  std::weak_ptr<ConnectionHandler> weak = weak_from_this();
  heartbeat_->async_wait([weak, interval](boost::system::error_code ec) {
    if (ec) return;
    auto self = weak.lock();
    auto rt = self ? self->rt_.lock() : nullptr;
    if (!self || !rt || self->closed_) return;
    std::shared_ptr<Session> session;
    {
      std::lock_guard lock(self->session_mu_);
      session = self->session_;
    }
    if (steady_ms() - self->last_inbound_ms_ > 2 * interval.count()) {
      // §6.4: two silent intervals → HEARTBEAT_LOST; close the transport, keep the session and
      // jobs.
      rt->metrics->heartbeat_losses.add();
      rt->log(LogLevel::kWarn, "session.heartbeat_lost",
              json::object{{"session_id", session->id()},
                           {"principal", session->principal()},
                           {"peer", self->conn_->description()}});
      session->send_error(
          Error(ErrorCode::kHeartbeatLost, "no traffic for two heartbeat intervals"), {});
      session->detach(self->conn_.get());
      self->conn_->close();
      return;
    }
    Ping ping{new_id("ping"), now_rfc3339()};
    session->send_control(msg::kPing, ping.to_json());
    self->arm_heartbeat(*rt);
  });
}

void ConnectionHandler::handle_ping(Envelope& env) {
  auto ping = Ping::from_json(env.payload);
  if (!ping) return session_->send_error(ping.error(), env.id);
  Pong pong{ping->nonce, now_rfc3339()};
  session_->send_control(msg::kPong, pong.to_json());
}

void ConnectionHandler::handle_ack(Envelope& env) {
  if (!session_->features().has(feature::kAck))
    return session_->send_error(
        Error(ErrorCode::kInvalidRequest, "the 'ack' feature was not negotiated on this session"),
        env.id);
  auto ack = Ack::from_json(env.payload);
  if (!ack) return session_->send_error(ack.error(), env.id);
  if (auto r = session_->ack(ack->last_processed_seq); !r) session_->send_error(r.error(), env.id);
}

void ConnectionHandler::handle_extension(Runtime::Impl& rt, Envelope& env) {
  ExtensionHandler handler;
  {
    std::lock_guard lock(rt.mu);
    auto it = rt.extensions.find(env.type);
    if (it == rt.extensions.end()) return;  // unregistered vendor types are ignored (§15)
    handler = it->second;
  }
  auto reply = handler(session_->principal(), env);
  if (reply) session_->send_control(env.type, std::move(*reply));
}

}  // namespace arcp::runtime
