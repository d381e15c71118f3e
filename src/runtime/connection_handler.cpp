#include "runtime/connection_handler.hpp"

#include <arcp/agent_ref.hpp>
#include <arcp/ids.hpp>
#include <arcp/job_messages.hpp>
#include <arcp/session_messages.hpp>
#include <boost/asio/post.hpp>
#include <chrono>

#include "auth/secure_random.hpp"

namespace arcp::runtime {
namespace {

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Canonical text of the parameters that define "the same submission" (§7.2).
std::string submit_fingerprint(const SubmitRequest& s) {
  json::object o{{"agent", s.agent}, {"input", s.input}, {"lease_request", s.lease_request}};
  if (s.lease_constraints) o["lease_constraints"] = *s.lease_constraints;
  if (s.max_runtime_sec) o["max_runtime_sec"] = *s.max_runtime_sec;
  return json::serialize(o);
}

}  // namespace

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
  conn_->start(std::move(h));
}

void ConnectionHandler::close() {
  conn_->close();
}

void ConnectionHandler::send_unbound_error(Error error, const std::string& request_id) {
  if (!request_id.empty()) error.details["request_id"] = request_id;
  Envelope env;
  env.id = new_id("msg");
  env.type = std::string(msg::kSessionError);
  env.payload = error.to_json();
  conn_->send(make_frame(encode_envelope(env)));
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
    std::lock_guard lock(session_mu_);
    session = session_;
    if (heartbeat_) heartbeat_->cancel();
  }
  if (session) session->detach(conn_.get());
  if (auto rt = rt_.lock()) {
    std::lock_guard lock(rt->mu);
    rt->handlers.erase(shared_from_this());
  }
}

void ConnectionHandler::on_frame(std::string text) {
  last_inbound_ms_ = steady_ms();
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
    return send_unbound_error(
        Error(ErrorCode::kInvalidRequest, "the first message must be session.hello"), env.id);
  }
  if (!env.session_id.empty() && env.session_id != session_->id())
    return session_->send_error(
        Error(ErrorCode::kInvalidRequest, "session_id does not match this connection's session"),
        env.id);
  if (session_->seen_before(env.id)) return;  // duplicate envelope id: processed once (W07)

  const std::string& t = env.type;
  if (t == msg::kSubmit) return handle_submit(rt, env);
  if (t == msg::kCancel) return handle_cancel(rt, env);
  if (t == msg::kPing) return handle_ping(env);
  if (t == msg::kPong) return;  // liveness already recorded
  if (t == msg::kClose) {
    session_->send_control(msg::kClosed, json::object{});
    session_->detach(conn_.get());
    conn_->close();
    return;
  }
  if (t == msg::kBye) {
    session_->detach(conn_.get());
    conn_->close();
    return;
  }
  if (t == msg::kHello || t == msg::kResume)
    return session_->send_error(
        Error(ErrorCode::kInvalidRequest, "session already established on this connection"),
        env.id);
  if (is_vendor_name(t)) return handle_extension(rt, env);
  if (is_core_message_type(t))
    return session_->send_error(Error(ErrorCode::kInvalidRequest,
                                      "message type '" + t + "' is not supported by this runtime"),
                                env.id);
  session_->send_error(Error(ErrorCode::kInvalidRequest, "unknown message type '" + t + "'"),
                       env.id);
}

void ConnectionHandler::handle_hello(Runtime::Impl& rt, Envelope& env) {
  auto hello = Hello::from_json(env.payload);
  if (!hello) return send_unbound_error(hello.error(), env.id);
  auto principal = rt.auth.authenticate(*hello);
  if (!principal) {
    send_unbound_error(principal.error(), env.id);
    conn_->close();  // §6.1: reject and close
    return;
  }
  if (hello->resume) {
    // Resume arrives with the durable-session work; refuse clearly until then.
    send_unbound_error(Error(ErrorCode::kResumeWindowExpired, "session cannot be resumed"), env.id);
    return;
  }
  FeatureSet features = hello->features ? rt.supported.intersect(*hello->features) : FeatureSet{};
  auto session =
      std::make_shared<Session>(new_id("sess"), *principal, features, rt.opts.max_buffered_events);
  session->attach(conn_);
  {
    std::lock_guard lock(rt.mu);
    rt.sessions[session->id()] = session;
  }
  {
    std::lock_guard lock(session_mu_);
    session_ = session;
  }
  Welcome w;
  w.runtime_name = rt.opts.name;
  w.runtime_version = rt.opts.version;
  w.resume_token = "rt_" + auth::random_hex(32);
  w.resume_window_sec = rt.opts.resume_window.count();
  if (features.has(feature::kHeartbeat))
    w.heartbeat_interval_sec = rt.opts.heartbeat_interval.count();
  w.features = features;
  w.agents = rt.agents.inventory();
  session->send_control(msg::kWelcome, w.to_json());
  if (features.has(feature::kHeartbeat)) arm_heartbeat(rt);
}

void ConnectionHandler::arm_heartbeat(Runtime::Impl& rt) {
  std::lock_guard lock(session_mu_);
  if (closed_) return;
  if (!heartbeat_) heartbeat_ = std::make_unique<boost::asio::steady_timer>(*rt.timers);
  timers_ = rt.timers;
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

void ConnectionHandler::handle_submit(Runtime::Impl& rt, Envelope& env) {
  auto submit = SubmitRequest::from_json(env.payload, std::chrono::system_clock::now());
  if (!submit) return session_->send_error(submit.error(), env.id);
  const auto& features = session_->features();
  if (submit->lease_constraints && submit->lease_constraints->contains("expires_at") &&
      !features.has(feature::kLeaseExpiresAt))
    return session_->send_error(
        Error(ErrorCode::kInvalidRequest,
              "lease_constraints.expires_at needs the 'lease_expires_at' feature"),
        env.id);
  for (std::string_view cap : {"cost.budget", "model.use"})
    if (submit->lease_request.contains(cap) && !features.has(cap))
      return session_->send_error(
          Error(ErrorCode::kInvalidRequest,
                "lease capability '" + std::string(cap) + "' is not negotiated on this session"),
          env.id);

  auto ref = parse_agent_ref(submit->agent);
  if (!ref->version.empty() && !features.has(feature::kAgentVersions))
    return session_->send_error(Error(ErrorCode::kInvalidRequest,
                                      "pinned agent versions need the 'agent_versions' feature"),
                                env.id);
  auto agent = rt.agents.resolve(*ref);
  if (!agent) return session_->send_error(agent.error(), env.id);

  std::string fingerprint;
  if (!submit->idempotency_key.empty()) {
    fingerprint = submit_fingerprint(*submit);
    std::shared_ptr<Job> existing;
    {
      std::lock_guard lock(rt.mu);
      auto key = std::make_pair(session_->principal(), submit->idempotency_key);
      auto it = rt.idempotency.find(key);
      if (it != rt.idempotency.end() &&
          std::chrono::steady_clock::now() - it->second.created > rt.opts.idempotency_window)
        it = (rt.idempotency.erase(it), rt.idempotency.end());
      if (it != rt.idempotency.end()) {
        if (it->second.fingerprint != fingerprint) {
          json::object det{{"existing_job_id", it->second.job->spec().id}};
          return session_->send_error(
              Error(ErrorCode::kDuplicateKey, "idempotency_key reused with different parameters",
                    det),
              env.id);
        }
        existing = it->second.job;
      }
    }
    if (existing) {
      session_->send_control(msg::kAccepted, existing->accepted_payload(), existing->spec().id,
                             existing->spec().trace_id);
      existing->add_observer(session_);
      return;
    }
  }

  if (!session_->try_reserve_job_slot(rt.opts.max_concurrent_jobs_per_session))
    return session_->send_error(
        Error(ErrorCode::kInternalError,
              "concurrent job limit reached (" +
                  std::to_string(rt.opts.max_concurrent_jobs_per_session) + " per session)"),
        env.id);

  JobSpec spec;
  spec.id = new_id("job");
  spec.agent_ref = agent->ref();
  spec.agent = std::move(agent.value());
  spec.principal = session_->principal();
  spec.input = std::move(submit->input);
  spec.lease = std::move(submit->lease_request);
  spec.lease_constraints = submit->lease_constraints;
  if (spec.lease_constraints)
    if (const auto* exp = get_string(*spec.lease_constraints, "expires_at"))
      spec.expires_at = parse_rfc3339(*exp);
  spec.trace_id = env.trace_id.empty() ? new_trace_id() : env.trace_id;
  spec.created_at = now_rfc3339();
  if (submit->max_runtime_sec) spec.max_runtime = std::chrono::seconds(*submit->max_runtime_sec);
  spec.features = features;
  spec.cancel_grace = rt.opts.cancel_grace;

  std::weak_ptr<Session> weak_session = session_;
  auto job = std::make_shared<Job>(std::move(spec), session_, rt.timers, [weak_session](Job&) {
    if (auto s = weak_session.lock()) s->release_job_slot();
  });
  {
    std::lock_guard lock(rt.mu);
    rt.jobs[job->spec().id] = job;
    if (!submit->idempotency_key.empty())
      rt.idempotency[{session_->principal(), submit->idempotency_key}] = {
          fingerprint, job, std::chrono::steady_clock::now()};
  }
  session_->send_control(msg::kAccepted, job->accepted_payload(), job->spec().id,
                         job->spec().trace_id);
  job->arm_timers();
  boost::asio::post(rt.workers, [job] { job->run(); });
}

void ConnectionHandler::handle_cancel(Runtime::Impl& rt, Envelope& env) {
  auto cancel = Cancel::from_json(env.payload, env.job_id);
  if (!cancel) return session_->send_error(cancel.error(), env.id);
  const std::string& job_id = cancel->job_id;
  std::shared_ptr<Job> job;
  {
    std::lock_guard lock(rt.mu);
    auto it = rt.jobs.find(job_id);
    if (it != rt.jobs.end()) job = it->second;
  }
  // Jobs of other principals are invisible: same answer as a missing job.
  if (!job || job->spec().principal != session_->principal())
    return session_->send_error(
        Error(ErrorCode::kJobNotFound, "job not found", json::object{{"job_id", job_id}}), env.id);
  if (!job->is_submitter(*session_))
    return session_->send_error(
        Error(ErrorCode::kPermissionDenied, "only the submitting session may cancel a job",
              json::object{{"job_id", job_id}}),
        env.id);
  if (auto r = job->cancel(*session_, cancel->reason); !r) session_->send_error(r.error(), env.id);
}

}  // namespace arcp::runtime
