// The handshake of a connection: a new session (session.hello), or an
// existing one resumed (hello with `resume`, or a standalone session.resume).
#include <arcp/ids.hpp>

#include "runtime/connection_handler.hpp"

namespace arcp::runtime {

Frame ConnectionHandler::welcome_frame(Runtime::Impl& rt, const Session& session,
                                       const std::string& token) {
  Welcome w;
  w.runtime_name = rt.opts.name;
  w.runtime_version = rt.opts.version;
  w.resume_token = token;
  w.resume_window_sec = rt.opts.resume_window.count();
  if (session.features().has(feature::kHeartbeat))
    w.heartbeat_interval_sec = rt.opts.heartbeat_interval.count();
  w.features = session.features();
  w.agents = rt.agents.inventory();
  if (session.features().has(feature::kArtifacts))
    w.artifacts =
        ArtifactCapabilities{rt.artifacts->retention(), rt.artifacts->limits().max_artifact_bytes,
                             rt.artifact_chunk_bytes};
  Envelope env;
  env.id = new_id("msg");
  env.type = std::string(msg::kWelcome);
  env.session_id = session.id();
  env.payload = w.to_json();
  return make_frame(encode_envelope(env));
}

void ConnectionHandler::bind_session(Runtime::Impl& rt, std::shared_ptr<Session> session) {
  bool heartbeat = session->features().has(feature::kHeartbeat);
  {
    auto timers = rt.io_pool.timer_access();
    std::lock_guard lock(session_mu_);
    session_ = std::move(session);
    if (timers && hello_timer_) hello_timer_->cancel();
  }
  conn_->set_send_budget(rt.opts.max_queued_bytes_per_connection);
  if (heartbeat) arm_heartbeat(rt);
  note_activity(msg::kHello);  // the handshake counts as use
  if (rt.opts.idle_session_timeout.count() > 0) arm_idle_watch(rt, rt.opts.idle_session_timeout);
}

bool ConnectionHandler::take_session_slot(Runtime::Impl& rt, const std::string& principal,
                                          const std::string& request_id) {
  if (rt.quotas.try_attach(principal)) {
    slot_principal_ = principal;
    return true;
  }
  auto cap = rt.quotas.max_sessions();
  send_unbound_error(Error(ErrorCode::kInternalError,
                           "session limit reached (" + std::to_string(cap) +
                               " attached sessions per principal); close one and retry",
                           json::object{{"limit", "max_sessions_per_principal"}, {"cap", cap}}),
                     request_id);
  conn_->close();
  return false;
}

std::optional<Identity> ConnectionHandler::authenticate(Runtime::Impl& rt, const Hello& hello,
                                                        const std::string& request_id) {
  const std::string peer = conn_->peer_identity();
  auto identity = rt.auth->authenticate(AuthRequest{hello, peer});
  if (!identity) {
    refuse_authentication(rt, identity.error(), request_id);
    return std::nullopt;
  }
  identity_ceiling_ = identity->lease_ceiling;
  return std::move(identity.value());
}

bool ConnectionHandler::resume_token_suffices(Runtime::Impl& rt, const std::string& request_id) {
  std::optional<Error> refusal;
  if (rt.opts.require_client_certificate && conn_->peer_identity().empty())
    refusal = auth_failure("missing_client_certificate",
                           "this runtime requires a client certificate (mTLS)");
  else if (rt.opts.jwt_authenticator || rt.opts.authenticator)
    refusal = auth_failure("missing_token",
                           "session.resume needs `auth` on this runtime: the token is checked "
                           "again (expiry, lease claim)");
  if (!refusal) return true;
  refuse_authentication(rt, *refusal, request_id);
  return false;
}

void ConnectionHandler::refuse_authentication(Runtime::Impl& rt, const Error& error,
                                              const std::string& request_id) {
  std::string reason = auth_failure_reason(error);
  rt.metrics->auth_failures.add(reason);  // a bounded label set
  json::object fields{{"reason", reason}, {"peer", conn_->description()}};
  rt.log(LogLevel::kWarn, "auth.failure", fields);
  rt.audit_event("auth.failure", std::move(fields));
  send_unbound_error(error, request_id);
  conn_->close();  // §6.1: reject and close
}

void ConnectionHandler::handle_hello(Runtime::Impl& rt, Envelope& env) {
  auto hello = Hello::from_json(env.payload);
  if (!hello) return send_unbound_error(hello.error(), env.id);
  auto identity = authenticate(rt, *hello, env.id);
  if (!identity) return;
  const std::optional<std::string> principal = identity->principal;
  if (hello->resume) return handle_resume(rt, env.id, *principal, *hello->resume);
  if (!take_session_slot(rt, *principal, env.id)) return;
  if (!rt.reserve_session(*principal)) {
    rt.quotas.detach(*principal);
    slot_principal_.clear();
    auto cap = rt.opts.max_retained_sessions_per_principal;
    send_unbound_error(
        Error(ErrorCode::kInternalError,
              "session limit reached (" + std::to_string(cap) +
                  " sessions kept per principal, each attached or running a job)",
              json::object{{"limit", "max_retained_sessions_per_principal"}, {"cap", cap}}),
        env.id);
    conn_->close();
    return;
  }

  FeatureSet features = hello->features ? rt.supported.intersect(*hello->features) : FeatureSet{};
  auto session = std::make_shared<Session>(new_id("sess"), *principal, std::move(features),
                                           rt.store, rt.io(), rt.session_limits);
  std::string token = session->rotate_resume_token();  // persists the session first
  {
    std::lock_guard lock(rt.mu);
    rt.sessions[session->id()] = session;
  }
  session->attach(conn_, welcome_frame(rt, *session, token));
  rt.log(LogLevel::kInfo, "session.opened",
         json::object{{"session_id", session->id()},
                      {"principal", session->principal()},
                      {"method", identity->method},
                      {"peer", conn_->description()}});
  bind_session(rt, std::move(session));
}

void ConnectionHandler::handle_resume(Runtime::Impl& rt, const std::string& request_id,
                                      const std::optional<std::string>& principal,
                                      const ResumeRequest& resume) {
  auto refuse = [&](Error error) {
    rt.metrics->resumed(false);
    rt.log(LogLevel::kInfo, "session.resume_rejected",
           json::object{{"session_id", resume.session_id},
                        {"code", to_string(error.code)},
                        {"peer", conn_->description()}});
    send_unbound_error(std::move(error), request_id);
    conn_->close();  // v1.0 §6.3: a refused resume closes the transport
  };
  std::shared_ptr<Session> session;
  {
    std::lock_guard lock(rt.mu);
    if (auto it = rt.sessions.find(resume.session_id); it != rt.sessions.end())
      session = it->second;
  }
  if (!session)
    return refuse(Error(ErrorCode::kResumeWindowExpired,
                        "the session is unknown or its resume window has passed"));
  // The token is checked even when the principal already differs: one answer,
  // one timing, whichever credential was wrong (R04, R05).
  bool token_ok = session->resume_token_matches(resume.resume_token);
  bool principal_ok = !principal || *principal == session->principal();
  if (!token_ok || !principal_ok)
    return refuse(Error(ErrorCode::kUnauthenticated, "resume credentials rejected"));
  // Checked before the token rotates, so a refused resume leaves it usable.
  if (auto ok = session->check_resumable(resume.last_event_seq); !ok) return refuse(ok.error());
  if (!take_session_slot(rt, session->principal(), request_id)) return;
  std::string token = session->rotate_resume_token();
  if (auto ok = session->resume(conn_, resume.last_event_seq, welcome_frame(rt, *session, token));
      !ok)
    return refuse(ok.error());
  rt.metrics->resumed(true);
  rt.log(LogLevel::kInfo, "session.resumed",
         json::object{{"session_id", session->id()},
                      {"principal", session->principal()},
                      {"last_event_seq", resume.last_event_seq},
                      {"peer", conn_->description()}});
  bind_session(rt, std::move(session));
}

}  // namespace arcp::runtime
