#include <arcp/client.hpp>
#include <arcp/ids.hpp>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "client/job_state.hpp"

namespace arcp {

struct Client::Core : std::enable_shared_from_this<Client::Core> {
  struct PendingSubmit {
    std::string request_id;
    bool done = false;
    std::optional<Error> error;
    std::shared_ptr<client::JobState> state;
    std::function<void(Result<JobHandle>)> on_done;  // async submit
  };

  JobHandle make_handle(const std::shared_ptr<client::JobState>& state) {
    std::weak_ptr<Core> weak = weak_from_this();
    std::string job_id = state->job_id;
    return JobHandle(state, [weak, job_id](const std::string& reason) -> Result<void> {
      auto core = weak.lock();
      if (!core) return Error(ErrorCode::kInternalError, "client is gone");
      core->send_cancel(job_id, reason);
      return {};
    });
  }

  /// `job.cancel` with the target in the envelope's job_id (§7.4).
  void send_cancel(const std::string& job_id, const std::string& reason) {
    Envelope c;
    c.type = std::string(msg::kCancel);
    c.job_id = job_id;
    if (!reason.empty()) c.payload["reason"] = reason;
    send(std::move(c));
  }

  /// Runs an async submit's callback (outside `mu`).
  void notify(const std::shared_ptr<PendingSubmit>& p) {
    if (!p->on_done) return;
    auto done = std::move(p->on_done);
    p->on_done = nullptr;
    if (p->error)
      done(*p->error);
    else
      done(make_handle(p->state));
  }

  ClientOptions opts;
  std::shared_ptr<Connection> conn;

  std::mutex mu;
  std::condition_variable cv;
  bool welcomed = false;
  std::optional<Error> connect_error;
  Welcome welcome;
  std::string session_id;
  FeatureSet features;
  std::deque<std::shared_ptr<PendingSubmit>> pending;
  std::map<std::string, std::shared_ptr<client::JobState>> jobs;
  std::deque<Error> session_errors;
  std::int64_t last_seq = 0;
  bool closed_ack = false;
  bool transport_closed = false;
  std::function<void(const Envelope&, const std::string&)> observer;
  std::atomic<bool> has_observer{false};

  void send(Envelope env) {
    if (env.id.empty()) env.id = new_id("msg");
    {
      std::lock_guard lock(mu);
      if (env.session_id.empty()) env.session_id = session_id;
    }
    conn->send(make_frame(encode_envelope(env)));
  }

  void on_closed() {
    std::vector<std::shared_ptr<PendingSubmit>> failed;
    {
      std::lock_guard lock(mu);
      transport_closed = true;
      if (!welcomed && !connect_error)
        connect_error =
            Error(ErrorCode::kInternalError, "connection closed before session.welcome");
      for (auto& p : pending) {
        if (!p->done) {
          p->done = true;
          p->error = Error(ErrorCode::kInternalError, "connection closed before job.accepted");
          failed.push_back(p);
        }
      }
      cv.notify_all();
    }
    for (auto& p : failed) notify(p);
  }

  void on_frame(const std::string& text) {
    auto decoded = decode_envelope(text);
    if (!decoded) {
      std::lock_guard lock(mu);
      session_errors.push_back(decoded.error());
      cv.notify_all();
      return;
    }
    Envelope& env = decoded.value();
    if (has_observer.load(std::memory_order_acquire)) {
      std::function<void(const Envelope&, const std::string&)> obs;
      {
        std::lock_guard lock(mu);
        obs = observer;
      }
      if (obs) obs(env, text);
    }
    const std::string& t = env.type;
    if (t == msg::kEvent || t == msg::kResult || t == msg::kJobError) return on_job_message(env);
    if (t == msg::kWelcome) return on_welcome(env);
    if (t == msg::kSessionError) return on_session_error(env);
    if (t == msg::kAccepted) return on_accepted(env);
    if (t == msg::kPing) {
      auto ping = Ping::from_json(env.payload);
      if (ping) {
        Envelope pong;
        pong.type = std::string(msg::kPong);
        pong.payload = Pong{ping->nonce, now_rfc3339()}.to_json();
        send(std::move(pong));
      }
      return;
    }
    if (t == msg::kClosed) {
      std::lock_guard lock(mu);
      closed_ack = true;
      cv.notify_all();
    }
    // job.cancelled, session.pong and vendor messages need no action here.
  }

  void on_welcome(const Envelope& env) {
    auto w = Welcome::from_json(env.payload);
    std::lock_guard lock(mu);
    if (!w) {
      connect_error = w.error();
    } else {
      welcome = std::move(w.value());
      session_id = env.session_id;
      features = opts.features.intersect(welcome.features);
      welcomed = true;
    }
    cv.notify_all();
  }

  void on_session_error(const Envelope& env) {
    Error err = Error::from_json(env.payload);
    std::string request_id;
    if (auto it = err.details.find("request_id");
        it != err.details.end() && it->value().is_string())
      request_id = std::string(it->value().get_string());
    std::shared_ptr<PendingSubmit> rejected;
    {
      std::lock_guard lock(mu);
      if (!welcomed) {
        connect_error = err;
        cv.notify_all();
        return;
      }
      for (auto& p : pending) {
        if (!p->done && !request_id.empty() && p->request_id == request_id) {
          p->done = true;
          p->error = std::move(err);
          rejected = p;
          break;
        }
      }
      if (!rejected) session_errors.push_back(std::move(err));
      cv.notify_all();
    }
    if (rejected) notify(rejected);
  }

  void on_accepted(const Envelope& env) {
    auto acc = Accepted::from_json(env.payload);
    if (!acc) return;
    std::shared_ptr<PendingSubmit> p;
    {
      std::lock_guard lock(mu);
      // The runtime answers submits in order, so the oldest open one is ours.
      while (!pending.empty() && pending.front()->done) pending.pop_front();
      if (pending.empty()) return;
      p = pending.front();
      pending.pop_front();
      auto& state = jobs[acc->job_id];
      if (!state) {
        state = std::make_shared<client::JobState>();
        state->job_id = acc->job_id;
        state->accepted = std::move(acc.value());
      }
      p->state = state;
      p->done = true;
      cv.notify_all();
    }
    notify(p);
  }

  void on_job_message(Envelope& env) {
    std::shared_ptr<client::JobState> state;
    {
      std::lock_guard lock(mu);
      if (env.event_seq) {
        // §8.3: a gap means the stream is broken; surface it (resume comes with durable sessions).
        if (*env.event_seq != last_seq + 1 && last_seq != 0)
          session_errors.push_back(Error(ErrorCode::kInternalError,
                                         "event_seq gap: expected " + std::to_string(last_seq + 1) +
                                             ", got " + std::to_string(*env.event_seq)));
        last_seq = std::max(last_seq, *env.event_seq);
      }
      auto it = jobs.find(env.job_id);
      if (it == jobs.end()) return;
      state = it->second;
    }
    if (env.type == msg::kEvent) {
      // Move the body out of the decoded envelope: no copy on the hot path.
      auto& p = env.payload;
      const auto* kind = get_string(p, "kind");
      if (!kind || kind->empty()) return;
      const auto* ts = get_string(p, "ts");
      auto it = p.find("body");
      bool has_body = it != p.end() && it->value().is_object();
      // Constructed in place so the body keeps the decoder's arena (no copy).
      JobEvent ev{env.event_seq.value_or(0), std::string(*kind),
                  ts ? std::string(*ts) : std::string(),
                  has_body ? json::object(std::move(it->value().get_object())) : json::object()};
      state->push_event(std::move(ev));
    } else if (env.type == msg::kResult) {
      auto r = JobResult::from_json(env.payload);
      state->finish(JobStatus::kSuccess, r ? r->result : json::value(), std::nullopt);
    } else {
      auto e = JobError::from_json(env.payload);
      state->finish(e->final_status, {}, e->error);
    }
  }
};

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

}  // namespace

Client::Client(std::shared_ptr<Core> core) : core_(std::move(core)) {}

Client::~Client() {
  if (core_ && core_->conn) core_->conn->close();
}

Result<std::shared_ptr<Client>> Client::connect(const std::string& url, ClientOptions options) {
  auto conn = open_transport(url, options);
  if (!conn) return conn.error();
  return connect(std::move(conn.value()), std::move(options));
}

Result<std::shared_ptr<Client>> Client::connect(std::shared_ptr<Connection> connection,
                                                ClientOptions options) {
  auto core = std::make_shared<Core>();
  core->opts = std::move(options);
  core->conn = std::move(connection);
  std::weak_ptr<Core> weak = core;
  ConnectionHandlers h;
  h.on_frame = [weak](std::string text) {
    if (auto c = weak.lock()) c->on_frame(text);
  };
  h.on_oversize = [weak](std::size_t n) {
    if (auto c = weak.lock()) {
      std::lock_guard lock(c->mu);
      c->session_errors.push_back(
          Error(ErrorCode::kInvalidRequest,
                "runtime sent an oversize frame (" + std::to_string(n) + " bytes)"));
    }
  };
  h.on_closed = [weak] {
    if (auto c = weak.lock()) c->on_closed();
  };
  core->conn->start(std::move(h));

  Hello hello;
  hello.client_name = core->opts.client_name;
  hello.client_version = core->opts.client_version;
  hello.token = core->opts.token;
  hello.features = core->opts.features;
  Envelope env;
  env.type = std::string(msg::kHello);
  env.payload = hello.to_json();
  core->send(std::move(env));

  std::unique_lock lock(core->mu);
  if (!core->cv.wait_for(lock, core->opts.connect_timeout,
                         [&] { return core->welcomed || core->connect_error; })) {
    lock.unlock();
    core->conn->close();
    return Error(ErrorCode::kInternalError, "timed out waiting for session.welcome");
  }
  if (core->connect_error) {
    Error err = *core->connect_error;
    lock.unlock();
    core->conn->close();
    return err;
  }
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

namespace {
Envelope submit_envelope(const SubmitOptions& o) {
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
  env.trace_id = o.trace_id.empty() ? std::string() : normalize_trace_id(o.trace_id);
  env.payload = req.to_json();
  return env;
}
}  // namespace

Result<JobHandle> Client::submit(const SubmitOptions& o) {
  Envelope env = submit_envelope(o);
  auto pending = std::make_shared<Core::PendingSubmit>();
  pending->request_id = env.id;
  {
    std::lock_guard lock(core_->mu);
    if (core_->transport_closed) return Error(ErrorCode::kInternalError, "not connected");
    core_->pending.push_back(pending);
  }
  core_->send(std::move(env));
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
  Envelope env = submit_envelope(o);
  auto pending = std::make_shared<Core::PendingSubmit>();
  pending->request_id = env.id;
  pending->on_done = std::move(done);
  bool closed = false;
  {
    std::lock_guard lock(core_->mu);
    closed = core_->transport_closed;
    if (!closed) core_->pending.push_back(pending);
  }
  if (closed) return pending->on_done(Error(ErrorCode::kInternalError, "not connected"));
  core_->send(std::move(env));
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
  Envelope env;
  env.type = std::string(msg::kClose);
  core_->send(std::move(env));
  std::unique_lock lock(core_->mu);
  bool ok = core_->cv.wait_for(lock, core_->opts.request_timeout,
                               [&] { return core_->closed_ack || core_->transport_closed; });
  lock.unlock();
  core_->conn->close();
  if (!ok) return Error(ErrorCode::kTimeout, "timed out waiting for session.closed");
  return {};
}

bool Client::connected() const {
  std::lock_guard lock(core_->mu);
  return !core_->transport_closed;
}

}  // namespace arcp
