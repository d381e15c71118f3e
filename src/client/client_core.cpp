// The client's inbound side: handshake, routing of job messages, gap
// detection (§8.3), and what a lost session means for pending work.
#include "client/client_core.hpp"

#include <arcp/event.hpp>
#include <arcp/ids.hpp>
#include <arcp/job_messages.hpp>

namespace arcp {

std::int64_t client_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

namespace {
bool is_liveness_or_ack(std::string_view type) {
  return type == msg::kPing || type == msg::kPong || type == msg::kAck;
}
}  // namespace

void Client::Core::attach(std::shared_ptr<Connection> c) {
  std::uint64_t gen = 0;
  {
    std::lock_guard lock(mu);
    conn = c;
    gen = ++generation;
    awaiting_welcome = true;
    handshake_error.reset();
  }
  last_inbound_ms = client_now_ms();
  std::weak_ptr<Core> weak = weak_from_this();
  ConnectionHandlers h;
  h.on_frame = [weak, gen](std::string text) {
    if (auto core = weak.lock()) core->on_frame(gen, text);
  };
  h.on_oversize = [weak](std::size_t n) {
    if (auto core = weak.lock()) {
      std::lock_guard lock(core->mu);
      core->session_errors.push_back(
          Error(ErrorCode::kInvalidRequest,
                "runtime sent an oversize frame (" + std::to_string(n) + " bytes)"));
      core->cv.notify_all();
    }
  };
  h.on_closed = [weak, gen] {
    if (auto core = weak.lock()) core->on_closed(gen);
  };
  c->start(std::move(h));
}

void Client::Core::send_hello() {
  Hello hello;
  hello.client_name = opts.client_name;
  hello.client_version = opts.client_version;
  hello.token = opts.token;
  hello.features = opts.features;
  {
    std::lock_guard lock(mu);
    if (!session_id.empty()) hello.resume = ResumeRequest{session_id, resume_token, last_seq};
  }
  Envelope env;
  env.id = new_id("msg");
  env.type = std::string(msg::kHello);
  env.payload = hello.to_json();
  send_frame_now(make_frame(encode_envelope(env)));
}

void Client::Core::send_frame_now(const Frame& frame) {
  std::shared_ptr<Connection> c;
  {
    std::lock_guard lock(mu);
    c = conn;
  }
  if (c) c->send(frame);
  last_outbound_ms = client_now_ms();
}

void Client::Core::send(Envelope env) {
  if (env.id.empty()) env.id = new_id("msg");
  std::shared_ptr<Connection> c;
  {
    std::lock_guard lock(mu);
    if (env.session_id.empty()) env.session_id = session_id;
    if (link == Link::kResuming) {
      // Held until the session is back; liveness and acks are re-derived then.
      if (!is_liveness_or_ack(env.type)) outbox.push_back(make_frame(encode_envelope(env)));
      return;
    }
    c = conn;
  }
  if (c) c->send(make_frame(encode_envelope(env)));
  last_outbound_ms = client_now_ms();
}

JobHandle Client::Core::make_handle(const std::shared_ptr<client::JobState>& state,
                                    bool can_cancel) {
  std::weak_ptr<Core> weak = weak_from_this();
  std::string job_id = state->job_id;
  if (!can_cancel)
    return JobHandle(state, [](const std::string&) -> Result<void> {
      return Error(ErrorCode::kPermissionDenied,
                   "a subscription carries no cancel authority (§7.6)");
    });
  return JobHandle(state, [weak, job_id](const std::string& reason) -> Result<void> {
    auto core = weak.lock();
    if (!core) return Error(ErrorCode::kInternalError, "client is gone");
    core->send_cancel(job_id, reason);
    return {};
  });
}

void Client::Core::send_cancel(const std::string& job_id, const std::string& reason) {
  {
    std::lock_guard lock(mu);
    cancels_in_flight[job_id] = reason;
    if (link == Link::kResuming) return;  // sent with the other in-flight cancels on resume
  }
  Envelope c;
  c.type = std::string(msg::kCancel);
  c.job_id = job_id;
  if (!reason.empty()) c.payload["reason"] = reason;
  send(std::move(c));
}

void Client::Core::notify(const std::shared_ptr<PendingSubmit>& p) {
  if (!p->on_done) return;
  auto done = std::move(p->on_done);
  p->on_done = nullptr;
  if (p->error)
    done(*p->error);
  else
    done(make_handle(p->state));
}

void Client::Core::on_closed(std::uint64_t gen) {
  std::vector<std::shared_ptr<PendingSubmit>> failed;
  bool lost = false;
  {
    std::lock_guard lock(mu);
    if (gen != generation) return;  // an old transport, already replaced
    closed_generation = gen;
    if (link == Link::kResuming) {
      // The new transport died before its welcome: the resume loop retries.
      if (awaiting_welcome && !handshake_error)
        handshake_error =
            Error(ErrorCode::kInternalError, "connection closed before session.welcome");
      cv.notify_all();
      return;
    }
    bool resumable = welcomed && !closing && link == Link::kUp && opts.auto_resume &&
                     static_cast<bool>(opts.reconnect) && !bye_reason;
    if (!resumable) {
      if (!welcomed && !handshake_error)
        handshake_error =
            Error(ErrorCode::kInternalError, "connection closed before session.welcome");
      lost = welcomed && !closing && link == Link::kUp;
      if (link == Link::kUp) link = Link::kClosed;
      for (auto& p : pending) {
        if (!p->done) {
          p->done = true;
          p->error = Error(ErrorCode::kInternalError, "connection closed before job.accepted");
          failed.push_back(p);
        }
      }
      cv.notify_all();
    } else {
      failed = begin_resume_locked();
    }
  }
  for (auto& p : failed) notify(p);
  if (!lost) return;
  std::optional<std::string> bye;
  {
    std::lock_guard lock(mu);
    bye = bye_reason;
  }
  if (bye)
    lose(Error(ErrorCode::kInternalError,
               "the runtime ended the session (session.bye: " + *bye + ")",
               json::object{{"bye_reason", *bye}}));
  else
    lose(Error(ErrorCode::kInternalError, "connection lost and auto-resume is off"));
}

std::vector<std::shared_ptr<Client::Core::PendingSubmit>> Client::Core::begin_resume_locked() {
  std::vector<std::shared_ptr<PendingSubmit>> failed;
  link = Link::kResuming;
  resume_requested = true;
  // Submits without an idempotency key cannot be re-sent safely: the runtime
  // may have accepted them. Keyed ones are re-sent after the resume.
  for (auto& p : pending) {
    if (!p->done && !p->env.payload.contains("idempotency_key")) {
      p->done = true;
      p->error = Error(ErrorCode::kInternalError,
                       "connection lost before job.accepted; resubmit with an idempotency_key "
                       "to make retries safe");
      failed.push_back(p);
    }
  }
  cv.notify_all();
  return failed;
}

void Client::Core::lose(const Error& error) {
  std::vector<std::shared_ptr<PendingSubmit>> failed;
  std::vector<std::shared_ptr<client::JobState>> unfinished;
  {
    std::lock_guard lock(mu);
    link = Link::kLost;
    for (auto& p : pending) {
      if (!p->done) {
        p->done = true;
        p->error = error;
        failed.push_back(p);
      }
    }
    for (auto& [id, r] : requests) {
      if (!r->done) {
        r->done = true;
        r->error = error;
      }
    }
    for (auto& [id, s] : jobs) unfinished.push_back(s);
    session_errors.push_back(error);
    outbox.clear();
    cv.notify_all();
  }
  for (auto& p : failed) notify(p);
  for (auto& s : unfinished) s->finish(JobStatus::kError, {}, error);  // no-op when done
}

void Client::Core::on_frame(std::uint64_t gen, const std::string& text) {
  last_inbound_ms = client_now_ms();
  {
    std::lock_guard lock(mu);
    if (gen != generation || gen == ignore_generation) return;
  }
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
  if (t == msg::kEvent || t == msg::kResult || t == msg::kJobError) return on_job_message(gen, env);
  if (t == msg::kWelcome) return on_welcome(env);
  if (t == msg::kSessionError) return on_session_error(env);
  if (t == msg::kAccepted) return on_accepted(env);
  if (t == msg::kSubscribed) return on_subscribed(env);
  if (t == msg::kJobs) return on_jobs(env);
  // Vendor replies (e.g. x-vendor.arcp.artifact.*) name their request the
  // same way session.jobs does.
  if (is_vendor_name(t) && env.payload.contains("request_id")) return on_jobs(env);
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
  if (t == msg::kBye) {
    // The runtime ends the session (shutdown, idle timeout): resuming at
    // once would only undo its decision.
    std::lock_guard lock(mu);
    bye_reason = env.payload.contains("reason") && env.payload.at("reason").is_string()
                     ? std::string(env.payload.at("reason").get_string())
                     : std::string("unspecified");
    cv.notify_all();
  }
  if (t == msg::kCancelled) {
    std::lock_guard lock(mu);
    cancels_in_flight.erase(env.job_id);
  }
  // job.cancelled, session.pong and vendor messages need no action here.
}

void Client::Core::on_welcome(const Envelope& env) {
  auto w = Welcome::from_json(env.payload);
  std::unique_lock lock(mu);
  if (!w) {
    handshake_error = w.error();
  } else {
    welcome = std::move(w.value());
    session_id = env.session_id;
    resume_token = welcome.resume_token;
    features = opts.features.intersect(welcome.features);
    awaiting_welcome = false;
    if (welcomed) ++resumes;  // counted before any replayed event is delivered
    welcomed = true;
  }
  cv.notify_all();
  if (w && opts.on_resume_state) {
    ResumeState state{session_id, resume_token, last_seq};
    lock.unlock();
    opts.on_resume_state(state);
  }
}

void Client::Core::on_session_error(const Envelope& env) {
  Error err = Error::from_json(env.payload);
  std::string request_id;
  if (auto it = err.details.find("request_id"); it != err.details.end() && it->value().is_string())
    request_id = std::string(it->value().get_string());
  std::shared_ptr<PendingSubmit> rejected;
  {
    std::lock_guard lock(mu);
    if (awaiting_welcome) {
      handshake_error = err;
      cv.notify_all();
      return;
    }
    if (closing && (request_id.empty() || request_id == close_request_id)) {
      // A runtime that does not know session.close answers it with an error
      // (interop): the session is over either way. Another request's error
      // still reaches that request.
      closed_ack = true;
      cv.notify_all();
      return;
    }
    for (auto& p : pending) {
      if (!p->done && !request_id.empty() && p->env.id == request_id) {
        p->done = true;
        p->error = err;
        rejected = p;
        break;
      }
    }
    if (auto it = requests.find(request_id); !rejected && it != requests.end()) {
      it->second->done = true;
      it->second->error = err;
    } else if (!rejected) {
      session_errors.push_back(std::move(err));
    }
    cv.notify_all();
  }
  if (rejected) notify(rejected);
}

void Client::Core::on_accepted(const Envelope& env) {
  auto acc = Accepted::from_json(env.payload);
  if (!acc) return;
  if (!acc->parent_job_id.empty()) return on_child_accepted(std::move(acc.value()));
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
      state->streamed.cap = opts.max_result_bytes;
      state->job_id = acc->job_id;
      state->accepted = std::move(acc.value());
    }
    if (p->span) {
      p->span.set("arcp.job_id", state->job_id);
      state->span = std::move(p->span);
    }
    p->state = state;
    p->done = true;
    cv.notify_all();
  }
  notify(p);
}

// A delegated child (§10) answers no submit of ours: it joins its parent.
void Client::Core::on_child_accepted(Accepted acc) {
  std::shared_ptr<client::JobState> parent;
  std::optional<JobHandle> handle;
  {
    std::lock_guard lock(mu);
    auto& state = jobs[acc.job_id];
    if (state) return;  // seen already (a resumed session's replay)
    state = std::make_shared<client::JobState>();
    state->streamed.cap = opts.max_result_bytes;
    state->job_id = acc.job_id;
    auto it = jobs.find(acc.parent_job_id);
    if (it != jobs.end()) parent = it->second;
    state->accepted = std::move(acc);
    handle = make_handle(state);
  }
  if (!parent) return;
  std::function<void(JobHandle)> callback;
  {
    std::lock_guard lock(parent->mu);
    parent->children.push_back(*handle);
    callback = parent->child_callback;
  }
  if (callback) callback(*handle);
}

void Client::Core::on_subscribed(const Envelope& env) {
  auto sub = Subscribed::from_json(env.payload);
  if (!sub) return;
  std::shared_ptr<client::JobState> finished;
  std::lock_guard lock(mu);
  auto it = subscribe_requests.find(sub->job_id);
  if (it == subscribe_requests.end()) return;
  auto req = requests.find(it->second);
  subscribe_requests.erase(it);
  if (req == requests.end()) return;
  auto& state = jobs[sub->job_id];
  if (!state) {
    state = std::make_shared<client::JobState>();
    state->streamed.cap = opts.max_result_bytes;
    state->job_id = sub->job_id;
    state->accepted.job_id = sub->job_id;
    state->accepted.agent = sub->agent;
    state->accepted.lease = sub->lease;
    state->accepted.lease_constraints = sub->lease_constraints;
    state->accepted.budget = sub->budget;
    state->accepted.trace_id = sub->trace_id;
    state->accepted.parent_job_id = sub->parent_job_id;
  }
  // The runtime's view; a finished job's outcome (job.result/job.error) follows.
  state->observe_status(sub->current_status);
  req->second->reply = env;
  req->second->done = true;
  cv.notify_all();
}

void Client::Core::on_jobs(const Envelope& env) {
  const auto* request_id = get_string(env.payload, "request_id");
  std::lock_guard lock(mu);
  if (!request_id) return;
  auto it = requests.find(std::string(*request_id));
  if (it == requests.end()) return;
  it->second->reply = env;
  it->second->done = true;
  cv.notify_all();
}

void Client::Core::maybe_ack_locked(std::vector<Envelope>& out) {
  if (opts.ack_every_events == 0 || !features.has(feature::kAck) || unacked == 0) return;
  bool by_count = unacked >= opts.ack_every_events;
  bool by_time = client_now_ms() - first_unacked_ms >= opts.ack_interval.count();
  if (!by_count && !by_time) return;
  Envelope ack;
  ack.type = std::string(msg::kAck);
  ack.payload = Ack{last_seq}.to_json();
  acked_seq = last_seq;
  unacked = 0;
  out.push_back(std::move(ack));
}

void Client::Core::on_job_message(std::uint64_t gen, Envelope& env) {
  std::shared_ptr<client::JobState> state;
  std::shared_ptr<Connection> broken;
  std::vector<Envelope> acks;
  {
    std::lock_guard lock(mu);
    if (env.event_seq) {
      std::int64_t seq = *env.event_seq;
      if (seq <= last_seq) return;  // already seen (a replay overlapping what arrived)
      if (seq != last_seq + 1) {
        // §8.3: a gap means the stream is broken. Nothing past it is
        // delivered; the transport is dropped and the session resumed from
        // the last contiguous seq.
        session_errors.push_back(Error(ErrorCode::kInternalError,
                                       "event_seq gap: expected " + std::to_string(last_seq + 1) +
                                           ", got " + std::to_string(seq) + "; resuming"));
        ignore_generation = gen;
        broken = conn;
        cv.notify_all();
      } else {
        last_seq = seq;
        if (unacked++ == 0) first_unacked_ms = client_now_ms();
        maybe_ack_locked(acks);
      }
    }
    if (!broken) {
      auto it = jobs.find(env.job_id);
      if (it != jobs.end()) state = it->second;
      if (env.type != msg::kEvent) cancels_in_flight.erase(env.job_id);
    }
  }
  if (broken) return broken->close();
  for (auto& a : acks) send(std::move(a));
  if (!state) return;
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
    if (ev.kind == event_kind::kResultChunk) state->on_result_chunk(ev.body);
    state->push_event(std::move(ev));
  } else if (env.type == msg::kResult) {
    auto r = JobResult::from_json(env.payload);
    if (r && !r->result_id.empty()) {
      json::object reference{{"result_id", r->result_id}};
      if (r->result_size) reference["result_size"] = *r->result_size;
      if (!r->summary.empty()) reference["summary"] = r->summary;
      state->finish_streamed(r->result_id, r->result_size, std::move(reference));
    } else {
      state->finish(JobStatus::kSuccess, r ? r->result : json::value(), std::nullopt);
    }
  } else {
    auto e = JobError::from_json(env.payload);
    if (e)
      state->finish(e->final_status, {}, e->error);
    else
      state->finish(JobStatus::kError, {}, e.error());
  }
}

Result<Envelope> Client::Core::request(Envelope env, const std::string& subscribe_job_id) {
  if (env.id.empty()) env.id = new_id("msg");
  auto req = std::make_shared<PendingRequest>();
  std::string id = env.id;
  {
    std::lock_guard lock(mu);
    if (link == Link::kLost || link == Link::kClosed)
      return Error(ErrorCode::kInternalError, "not connected");
    requests[id] = req;
    if (!subscribe_job_id.empty()) subscribe_requests[subscribe_job_id] = id;
  }
  send(std::move(env));
  std::unique_lock lock(mu);
  bool answered = cv.wait_for(lock, opts.request_timeout, [&] { return req->done; });
  requests.erase(id);
  if (!subscribe_job_id.empty()) subscribe_requests.erase(subscribe_job_id);
  if (!answered) return Error(ErrorCode::kTimeout, "timed out waiting for the runtime's answer");
  if (req->error) return *req->error;
  return std::move(*req->reply);
}

}  // namespace arcp
