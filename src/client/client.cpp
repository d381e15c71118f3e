// arcp::Client's public API over Client::Core.
#include <arcp/client.hpp>
#include <arcp/ids.hpp>
#include <sstream>
#include <thread>

#include "client/client_core.hpp"

namespace arcp {
namespace {

Result<std::shared_ptr<Connection>> open_transport(const std::string& url,
                                                   const ClientOptions& opts) {
  if (url.rfind("stdio:", 0) == 0) {
    std::istringstream words(url.substr(6));
    std::vector<std::string> argv;
    for (std::string w; words >> w;) argv.push_back(w);
    return spawn_stdio_child(argv, opts.websocket.max_frame_bytes);
  }
  return connect_websocket(url, opts.websocket);
}

// §11: the submit's CLIENT span continues the caller's trace (o.trace_id)
// and its traceparent is the envelope's trace_id, so that the runtime's job
// span is its child. Without a tracer the caller's trace id goes as before.
otel::Span submit_span(const SubmitOptions& o, const std::string& session_id) {
  auto span = otel::start_span("arcp.submit", otel::SpanKind::kClient, o.trace_id);
  if (span) {
    span.set("arcp.session_id", session_id);
    span.set("arcp.agent", o.agent);
  }
  return span;
}

Envelope submit_envelope(const SubmitOptions& o, const otel::Span& span) {
  SubmitRequest req;
  req.agent = o.agent;
  req.input = o.input;
  req.lease_request = o.lease_request;
  req.lease_constraints = o.lease_constraints;
  req.idempotency_key = o.idempotency_key;
  req.max_runtime_sec = o.max_runtime_sec;
  Envelope env;
  env.id = new_id("msg");
  env.type = std::string(msg::kSubmit);
  env.trace_id = span                 ? span.traceparent()
                 : o.trace_id.empty() ? std::string()
                                      : normalize_trace_id(o.trace_id);
  env.payload = req.to_json();
  return env;
}

}  // namespace

Client::Client(std::shared_ptr<Core> core) : core_(std::move(core)) {}

Client::~Client() {
  if (!core_) return;
  core_->stop_maintenance();
  std::shared_ptr<Connection> c;
  {
    std::lock_guard lock(core_->mu);
    core_->closing = true;
    c = core_->conn;
  }
  if (c) c->close();
}

Result<std::shared_ptr<Client>> Client::connect(const std::string& url, ClientOptions options) {
  auto conn = open_transport(url, options);
  if (!conn) return conn.error();
  if (!options.reconnect) {
    // Resume reopens the same URL (a stdio child is a new runtime: nothing to resume).
    if (url.rfind("stdio:", 0) != 0)
      options.reconnect = [url, opts = options]() { return open_transport(url, opts); };
  }
  return connect(std::move(conn.value()), std::move(options));
}

Result<std::shared_ptr<Client>> Client::connect(std::shared_ptr<Connection> connection,
                                                ClientOptions options) {
  auto core = std::make_shared<Core>();
  core->opts = std::move(options);
  if (core->opts.resume) {
    core->session_id = core->opts.resume->session_id;
    core->resume_token = core->opts.resume->resume_token;
    core->last_seq = core->opts.resume->last_event_seq;
    core->acked_seq = core->last_seq;
  }
  core->attach(std::move(connection));
  return start(std::move(core));
}

Result<std::shared_ptr<Client>> Client::start(std::shared_ptr<Core> core) {
  core->send_hello();
  std::unique_lock lock(core->mu);
  bool answered = core->cv.wait_for(lock, core->opts.connect_timeout, [&] {
    return !core->awaiting_welcome || core->handshake_error;
  });
  if (!answered || core->handshake_error) {
    Error err = answered
                    ? *core->handshake_error
                    : Error(ErrorCode::kInternalError, "timed out waiting for session.welcome");
    auto c = core->conn;
    core->closing = true;
    lock.unlock();
    c->close();
    return err;
  }
  lock.unlock();
  core->start_maintenance();
  return std::shared_ptr<Client>(new Client(std::move(core)));
}

const std::string& Client::session_id() const {
  return core_->session_id;
}
const Welcome& Client::welcome() const {
  return core_->welcome;
}
const FeatureSet& Client::features() const {
  return core_->features;
}

Result<JobHandle> Client::submit(const SubmitOptions& o) {
  auto pending = std::make_shared<Core::PendingSubmit>();
  pending->span = submit_span(o, core_->session_id);
  pending->env = submit_envelope(o, pending->span);
  {
    std::unique_lock lock(core_->mu);
    // A submit during a resume waits for it rather than failing at once.
    core_->cv.wait_for(lock, core_->opts.request_timeout,
                       [&] { return core_->link != Core::Link::kResuming; });
    if (core_->link != Core::Link::kUp) return Error(ErrorCode::kInternalError, "not connected");
    core_->pending.push_back(pending);
  }
  core_->send(pending->env);
  std::unique_lock lock(core_->mu);
  if (!core_->cv.wait_for(lock, core_->opts.request_timeout, [&] { return pending->done; })) {
    pending->done = true;
    return Error(ErrorCode::kTimeout, "timed out waiting for job.accepted");
  }
  if (pending->error) return *pending->error;
  lock.unlock();
  return core_->make_handle(pending->state);
}

void Client::submit(const SubmitOptions& o, std::function<void(Result<JobHandle>)> done) {
  auto pending = std::make_shared<Core::PendingSubmit>();
  pending->span = submit_span(o, core_->session_id);
  pending->env = submit_envelope(o, pending->span);
  pending->on_done = std::move(done);
  bool down = false;
  {
    std::lock_guard lock(core_->mu);
    down = core_->link == Core::Link::kLost || core_->link == Core::Link::kClosed;
    if (!down) core_->pending.push_back(pending);
  }
  if (down) return pending->on_done(Error(ErrorCode::kInternalError, "not connected"));
  core_->send(pending->env);  // queued in the outbox while a resume is under way
}

void Client::connect(const std::string& url, ClientOptions options,
                     std::function<void(Result<std::shared_ptr<Client>>)> done) {
  // Opening a socket and the handshake are blocking steps of the transport
  // layer; a short-lived helper thread keeps the caller's executor free.
  std::thread([url, options = std::move(options), done = std::move(done)]() mutable {
    done(Client::connect(url, std::move(options)));
  }).detach();
}

Result<void> Client::cancel(const std::string& job_id, const std::string& reason) {
  core_->send_cancel(job_id, reason);
  return {};
}

Result<JobHandle> Client::subscribe(const std::string& job_id, SubscribeOptions options) {
  Subscribe s;
  s.job_id = job_id;
  s.history = options.history;
  s.from_event_seq = options.from_event_seq;
  Envelope env;
  env.type = std::string(msg::kSubscribe);
  env.payload = s.to_json();
  auto reply = core_->request(std::move(env), job_id);
  if (!reply) return reply.error();
  std::shared_ptr<client::JobState> state;
  {
    std::lock_guard lock(core_->mu);
    state = core_->jobs[job_id];
  }
  if (!state) return Error(ErrorCode::kInternalError, "job.subscribed was not recorded");
  return core_->make_handle(state, /*can_cancel=*/false);
}

Result<void> Client::unsubscribe(const std::string& job_id) {
  Envelope env;
  env.type = std::string(msg::kUnsubscribe);
  env.payload = Unsubscribe{job_id}.to_json();
  core_->send(std::move(env));
  std::lock_guard lock(core_->mu);
  core_->jobs.erase(job_id);  // later stragglers of that job are dropped
  return {};
}

void Client::ack(std::int64_t last_processed_seq) {
  Envelope env;
  env.type = std::string(msg::kAck);
  env.payload = Ack{last_processed_seq}.to_json();
  core_->send(std::move(env));
}

ResumeState Client::resume_state() const {
  std::lock_guard lock(core_->mu);
  return ResumeState{core_->session_id, core_->resume_token, core_->last_seq};
}

std::size_t Client::resume_count() const {
  std::lock_guard lock(core_->mu);
  return core_->resumes;
}

void Client::drop_connection() {
  std::shared_ptr<Connection> c;
  std::vector<std::shared_ptr<Core::PendingSubmit>> failed;
  {
    std::lock_guard lock(core_->mu);
    c = core_->conn;
    // Resuming from this instant, so nothing sent after the drop is lost.
    if (core_->link == Core::Link::kUp && core_->opts.auto_resume && core_->opts.reconnect)
      failed = core_->begin_resume_locked();
  }
  for (auto& p : failed) core_->notify(p);
  if (c) c->close();
}

void Client::send(Envelope env) {
  core_->send(std::move(env));
}

void Client::on_envelope(std::function<void(const Envelope&, const std::string&)> observer) {
  std::lock_guard lock(core_->mu);
  core_->observer = std::move(observer);
  core_->has_observer = static_cast<bool>(core_->observer);
}

std::optional<Error> Client::next_session_error(std::chrono::milliseconds timeout) {
  std::unique_lock lock(core_->mu);
  if (!core_->cv.wait_for(lock, timeout, [&] { return !core_->session_errors.empty(); }))
    return std::nullopt;
  Error e = std::move(core_->session_errors.front());
  core_->session_errors.pop_front();
  return e;
}

Result<void> Client::close() {
  {
    std::lock_guard lock(core_->mu);
    core_->closing = true;
  }
  Envelope env;
  env.id = new_id("msg");
  env.type = std::string(msg::kClose);
  {
    std::lock_guard lock(core_->mu);
    core_->close_request_id = env.id;
  }
  core_->send(std::move(env));
  // session.closed, a session.error (a runtime without session.close), the
  // transport's end, or close_timeout: the session is over in every case.
  std::unique_lock lock(core_->mu);
  core_->cv.wait_for(lock, core_->opts.close_timeout,
                     [&] { return core_->closed_ack || core_->link != Core::Link::kUp; });
  auto c = core_->conn;
  lock.unlock();
  core_->stop_maintenance();
  if (c) c->close();
  return {};
}

bool Client::connected() const {
  std::lock_guard lock(core_->mu);
  return core_->link == Core::Link::kUp;
}

}  // namespace arcp
