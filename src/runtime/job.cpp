#include "runtime/job.hpp"

#include <arcp/canonical.hpp>
#include <arcp/event.hpp>
#include <arcp/job_context.hpp>
#include <arcp/session_messages.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <exception>

#include "core/envelope_writer.hpp"
#include "observability/metrics.hpp"
#include "runtime/job_history.hpp"
#include "runtime/job_span.hpp"

namespace arcp::runtime {

void stamp_created(JobSpec& spec) {
  auto created =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  spec.created_at = format_rfc3339(created);
  spec.created_ms = created.time_since_epoch().count();
}

Job::Job(JobSpec spec, std::shared_ptr<Session> submitter, std::shared_ptr<store::Store> store,
         std::shared_ptr<boost::asio::io_context> io, OnTerminal release_slot,
         OnTerminal on_terminal)
    : spec_(std::move(spec)),
      submitter_id_(submitter->id()),
      submitter_(submitter),
      store_(std::move(store)),
      io_(std::move(io)),
      release_slot_(std::move(release_slot)),
      on_terminal_(std::move(on_terminal)),
      budget_(BudgetCounters::from_lease(spec_.lease)),
      result_(spec_.services->result_limits) {
  observers_.push_back(submitter);
  accepted_ =
      json::object{{"job_id", spec_.id}, {"agent", spec_.agent_ref}, {"lease", spec_.lease}};
  if (spec_.lease_constraints) accepted_["lease_constraints"] = *spec_.lease_constraints;
  if (!budget_.empty()) accepted_["budget"] = budget_.to_json();  // §7.1, §9.6
  accepted_["accepted_at"] = spec_.created_at;
  if (!spec_.parent_job_id.empty()) {  // §10.1
    accepted_["parent_job_id"] = spec_.parent_job_id;
    accepted_["delegate_id"] = spec_.delegate_id;
  }
  accepted_["trace_id"] = spec_.trace_id;
  take_credentials();
}

template <class R>
R Job::count_budget_exhaustion_locked(R r) {
  if (!r && r.error().code == ErrorCode::kBudgetExhausted && !budget_exhaustion_counted_) {
    budget_exhaustion_counted_ = true;
    if (spec_.services->metrics) spec_.services->metrics->budget_exhaustions.add();
  }
  return r;
}

JobStatus Job::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

bool Job::finished_before(std::chrono::steady_clock::time_point cutoff) const {
  std::lock_guard lock(mu_);
  return is_terminal(status_) && finished_at_ <= cutoff;
}

void Job::arm_timers() {
  std::weak_ptr<Job> weak = weak_from_this();
  if (spec_.max_runtime) {
    runtime_timer_ = std::make_unique<boost::asio::steady_timer>(*io_, *spec_.max_runtime);
    auto secs = spec_.max_runtime->count();
    runtime_timer_->async_wait([weak, secs](boost::system::error_code ec) {
      if (ec) return;
      if (auto job = weak.lock())
        job->on_timer(JobStatus::kTimedOut, ErrorCode::kTimeout,
                      "job exceeded max_runtime_sec=" + std::to_string(secs));
    });
  }
  if (spec_.expires_at) {
    expiry_timer_ = std::make_unique<boost::asio::steady_timer>(*io_);
    expiry_timer_->expires_after(*spec_.expires_at - std::chrono::system_clock::now());
    expiry_timer_->async_wait([weak](boost::system::error_code ec) {
      if (ec) return;
      if (auto job = weak.lock()) job->on_lease_expired();
    });
  }
}

void Job::on_timer(JobStatus status, ErrorCode code, std::string message) {
  std::lock_guard lock(mu_);
  if (is_terminal(status_)) return;
  fail_locked(status, Error(code, std::move(message)));
}

Error Job::expired_error() const {
  std::string when = format_rfc3339(*spec_.expires_at);
  return Error(ErrorCode::kLeaseExpired, "lease expired at " + when,
               json::object{{"expires_at", when}});
}

// §13.4: from expiry on, no operation is authorized; the agent's next one
// gets a LEASE_EXPIRED tool_result and ends the job. One that attempts none
// is ended after a short grace.
void Job::on_lease_expired() {
  std::lock_guard lock(mu_);
  if (is_terminal(status_)) return;
  lease_expired_ = true;
  std::weak_ptr<Job> weak = weak_from_this();
  expiry_timer_->expires_after(spec_.services->lease_expiry_grace);
  expiry_timer_->async_wait([weak](boost::system::error_code ec) {
    if (ec) return;
    if (auto job = weak.lock()) job->end_lease_expired();
  });
}

void Job::end_lease_expired() {
  std::lock_guard lock(mu_);
  if (is_terminal(status_)) return;
  fail_locked(JobStatus::kError, expired_error());
}

Result<void> Job::may_act_locked() {
  if (is_terminal(status_)) return Error(ErrorCode::kCancelled, "job already ended");
  if (spec_.expires_at && std::chrono::system_clock::now() >= *spec_.expires_at)
    lease_expired_ = true;
  if (lease_expired_) return expired_error();
  return {};
}

Result<std::string> Job::authorize(std::string_view capability, std::string_view target) {
  std::lock_guard lock(mu_);
  if (auto ok = may_act_locked(); !ok) return ok.error();
  Result<std::string> canonical = std::string();
  if (capability == "model.use" && !spec_.compiled_lease.grants(capability)) {
    // §9.7: without model.use, deployment policy decides.
    if (spec_.services->model_policy != ModelPolicy::kAllowAny)
      return Error(ErrorCode::kPermissionDenied,
                   "the lease grants no model.use, and this runtime requires one",
                   json::object{{"capability", "model.use"}});
    canonical = canonical_name(target);
    if (!canonical)
      return Error(ErrorCode::kPermissionDenied, canonical.error().message,
                   json::object{{"capability", "model.use"}});
  } else {
    canonical = spec_.compiled_lease.check(capability, target);
    if (!canonical) return canonical.error();
  }
  if (auto b = count_budget_exhaustion_locked(budget_.check()); !b) return b.error();
  return canonical;
}

Result<void> Job::authorize_canonical(std::string_view capability, std::string_view canonical) {
  std::lock_guard lock(mu_);
  if (auto ok = may_act_locked(); !ok) return ok;
  if (auto r = spec_.compiled_lease.check_canonical(capability, canonical); !r) return r;
  return count_budget_exhaustion_locked(budget_.check());
}

void Job::request_stop_locked() {
  stop_.request_stop();
  sleep_cv_.notify_all();
  for (auto& [id, wake] : stop_wakers_) wake();
  stop_wakers_.clear();
  // A child never outlives its parent's run (§9.8: nor its credentials).
  // Lock order parent → child: a child never locks its parent.
  for (auto& weak : std::exchange(children_, {})) {
    auto child = weak.lock();
    if (!child) continue;
    child->end_for_parent(spec_.id);
    // A child still revoking its credential holds back this job's outcome
    // (§9.8.2: a parent's end leaves no child credential live). The wake-up
    // is posted: it runs under the child's lock, and a child never locks
    // its parent.
    std::weak_ptr<Job> self = weak_from_this();
    auto io = io_;
    if (child->add_end_waiter([self, io] {
          boost::asio::post(*io, [self] {
            if (auto job = self.lock()) job->on_child_published();
          });
        }))
      ++children_unpublished_;
  }
}

void Job::on_child_published() {
  std::lock_guard lock(mu_);
  if (children_unpublished_ > 0) --children_unpublished_;
  if (ready_to_publish_ && children_unpublished_ == 0) publish_terminal_locked();
}

void Job::publish_when_ready_locked() {
  ready_to_publish_ = true;
  if (children_unpublished_ == 0) publish_terminal_locked();
}

Result<void> Job::may_act() {
  std::lock_guard lock(mu_);
  return may_act_locked();
}

Result<void> Job::room_for_child_locked(std::size_t max_live_children) {
  if (auto ok = may_act_locked(); !ok) return ok;
  if (stop_.stop_requested()) return Error(ErrorCode::kCancelled, "the job is stopping");
  std::erase_if(children_, [](const std::weak_ptr<Job>& w) {
    auto c = w.lock();
    return !c || is_terminal(c->status());
  });
  if (children_.size() >= max_live_children)
    return Error(ErrorCode::kInternalError,
                 "delegated job limit reached (" + std::to_string(max_live_children) +
                     " running children per job)",
                 json::object{{"limit", "max_children_per_job"}, {"cap", max_live_children}});
  return {};
}

Result<void> Job::room_for_child(std::size_t max_live_children) {
  std::lock_guard lock(mu_);
  return room_for_child_locked(max_live_children);
}

Result<void> Job::adopt_child(const std::shared_ptr<Job>& child, std::size_t max_live_children) {
  std::lock_guard lock(mu_);
  if (auto room = room_for_child_locked(max_live_children); !room) return room;
  children_.push_back(child);
  return {};
}

void Job::end_for_parent(const std::string& parent_job_id, const std::string& reason) {
  std::lock_guard lock(mu_);
  if (is_terminal(status_)) return;
  fail_locked(JobStatus::kCancelled,
              Error(ErrorCode::kCancelled,
                    reason.empty() ? "the parent job " + parent_job_id + " stopped" : reason,
                    json::object{{"parent_job_id", parent_job_id}}));
}

std::optional<std::uint64_t> Job::add_end_waiter(std::function<void()> wake) {
  std::lock_guard lock(mu_);
  if (published_) return std::nullopt;
  end_waiters_.emplace_back(++next_waker_id_, std::move(wake));
  return next_waker_id_;
}

void Job::remove_end_waiter(std::uint64_t id) {
  std::lock_guard lock(mu_);
  std::erase_if(end_waiters_, [id](const auto& w) { return w.first == id; });
}

Result<json::value> Job::outcome() const {
  std::lock_guard lock(mu_);
  if (!is_terminal(status_)) return Error(ErrorCode::kCancelled, "the job is still running");
  auto parsed = parse_json(terminal_payload_);
  if (!parsed || !parsed->is_object())
    return Error(ErrorCode::kInternalError, "the job's outcome could not be read");
  auto& payload = parsed->as_object();
  if (terminal_type_ == msg::kJobError) {
    auto e = JobError::from_json(payload);
    if (!e) return e.error();
    return e->error;
  }
  auto r = JobResult::from_json(payload);
  if (!r) return r.error();
  if (r->result_id.empty()) return std::move(r->result);
  json::object reference{{"result_id", r->result_id}};
  if (r->result_size) reference["result_size"] = *r->result_size;
  if (!r->summary.empty()) reference["summary"] = r->summary;
  return json::value(std::move(reference));
}

void Job::settle_carved_budget_locked() {
  auto parent = spec_.parent.lock();
  if (!parent) return;
  for (const auto& carved : spec_.carved_budget) {
    // What the child spent, even past its share (costs already incurred
    // count, §9.6); the rest goes back to the parent.
    std::int64_t left = budget_.remaining(carved.currency).value_or(0);
    (void)parent->budget().commit(carved.hold, carved.carved - left);
  }
}

std::optional<std::uint64_t> Job::add_stop_waker(std::function<void()> wake) {
  std::lock_guard lock(mu_);
  if (stop_.stop_requested()) return std::nullopt;
  stop_wakers_.emplace_back(++next_waker_id_, std::move(wake));
  return next_waker_id_;
}

void Job::remove_stop_waker(std::uint64_t id) {
  std::lock_guard lock(mu_);
  std::erase_if(stop_wakers_, [id](const auto& w) { return w.first == id; });
}

bool Job::writable() const {
  // A slow consumer never slows an agent (its events wait in the log, §6.5);
  // only a store that cannot keep up does.
  return !store_->congested();
}

bool Job::mark_running() {
  std::lock_guard lock(mu_);
  if (is_terminal(status_)) return false;  // cancelled or timed out while queued
  status_ = JobStatus::kRunning;
  store_->save_job(record_locked());
  return true;
}

namespace {

Result<json::value> agent_threw(std::exception_ptr e) {
  try {
    std::rethrow_exception(std::move(e));
  } catch (const std::exception& ex) {
    return Error(ErrorCode::kInternalError, std::string("agent threw: ") + ex.what());
  } catch (...) {
    return Error(ErrorCode::kInternalError, "agent threw a non-standard exception");
  }
}

// The coroutine frame owns the context and a copy of the handler: a lambda
// coroutine refers to its captures through the closure object, which must
// outlive every resumption.
boost::asio::awaitable<void> run_coroutine_agent(std::shared_ptr<Job> job,
                                                 AsyncAgentHandler handler,
                                                 std::function<void(Result<json::value>)> done) {
  JobContext ctx(job);
  std::optional<Result<json::value>> outcome;
  try {
    outcome.emplace(co_await handler(ctx));
  } catch (...) {
    outcome.emplace(agent_threw(std::current_exception()));
  }
  done(std::move(*outcome));
}

}  // namespace

void Job::run_blocking() {
  if (!mark_running()) return;
  JobContext ctx(shared_from_this());
  std::optional<Result<json::value>> outcome;
  try {
    outcome.emplace(std::get<AgentHandler>(spec_.agent.body)(ctx));
  } catch (...) {
    outcome.emplace(agent_threw(std::current_exception()));
  }
  complete(std::move(*outcome));
}

void Job::start_coroutine() {
  if (!mark_running()) return;
  auto strand = boost::asio::make_strand(*io_);
  auto self = shared_from_this();
  boost::asio::co_spawn(
      strand,
      run_coroutine_agent(self, std::get<AsyncAgentHandler>(spec_.agent.body),
                          [self](Result<json::value> r) { self->complete(std::move(r)); }),
      boost::asio::detached);
}

void Job::complete(Result<json::value> outcome) {
  std::lock_guard lock(mu_);
  if (is_terminal(status_)) return;  // timed out / force-cancelled meanwhile
  if (cancel_requested_) {
    fail_locked(JobStatus::kCancelled, Error(ErrorCode::kCancelled, cancel_reason_));
    return;
  }
  if (lease_expired_) {  // whatever it returned, its authority had ended
    fail_locked(JobStatus::kError, expired_error());
    return;
  }
  if (outcome.ok() && result_.opened()) {
    // §8.4: a streamed result is never mixed with an inline one.
    if (!outcome.value().is_null()) {
      fail_locked(JobStatus::kError,
                  Error(ErrorCode::kInternalError,
                        "the agent streamed its result (" + result_.id() +
                            ") and also returned one inline; §8.4 forbids mixing them"));
      return;
    }
    if (!result_.closed() && !emit_chunk_locked("", "utf8", false)) return;  // ended the job
    JobResult r;
    r.result_id = result_.id();
    r.result_size = result_.size();
    r.summary = result_summary_;
    finish_locked(JobStatus::kSuccess, msg::kResult, r.to_json());
    return;
  }
  if (outcome.ok()) {
    JobResult r;
    r.result = std::move(outcome).value();
    finish_locked(JobStatus::kSuccess, msg::kResult, r.to_json());
  } else {
    Error err = outcome.error();
    JobStatus fs = JobStatus::kError;
    if (err.code == ErrorCode::kCancelled) fs = JobStatus::kCancelled;
    if (err.code == ErrorCode::kTimeout) fs = JobStatus::kTimedOut;
    fail_locked(fs, std::move(err));
  }
}

namespace {

// {"kind":…,"ts":…,"body":…} written directly: one serialisation per event.
std::string event_payload(std::string_view kind, const json::object& body) {
  std::string payload;
  payload.reserve(128);
  payload += "{\"kind\":";
  core::append_json_string(payload, kind);
  payload += ",\"ts\":";
  core::append_json_string(payload, now_rfc3339());
  payload += ",\"body\":";
  payload += json::serialize(body);
  payload.push_back('}');
  return payload;
}

bool is_cost_metric(std::string_view kind, const json::object& body) {
  if (kind != event_kind::kMetric) return false;
  const auto* name = get_string(body, "name");
  return name && name->starts_with("cost.");
}

constexpr std::string_view kRemainingMetric = "cost.budget.remaining";

}  // namespace

Result<void> Job::emit(std::string_view kind, json::object body) {
  if (auto r = validate_event_body(kind, body, spec_.features); !r) return r;
  const bool cost = is_cost_metric(kind, body);
  const bool chunk = kind == event_kind::kResultChunk;
  std::string payload = event_payload(kind, body);
  std::lock_guard lock(mu_);
  if (is_terminal(status_)) return Error(ErrorCode::kCancelled, "job already ended");
  if (chunk)
    if (auto r = accept_chunk_locked(body); !r) return r;
  std::optional<json::object> remaining;
  if (cost) {
    auto r = account_cost_locked(body);
    if (!r) return r.error();
    remaining = std::move(r.value());
  }
  fan_out_locked(msg::kEvent, payload);
  if (remaining) emit_locked(event_kind::kMetric, *remaining);  // after its cause (§9.6)
  return {};
}

void Job::emit_locked(std::string_view kind, const json::object& body) {
  fan_out_locked(msg::kEvent, event_payload(kind, body));
}

Result<std::optional<json::object>> Job::account_cost_locked(json::object& body) {
  std::string_view name = *get_string(body, "name");
  if (name == kRemainingMetric)
    return Error(ErrorCode::kInvalidRequest,
                 "metric 'cost.budget.remaining' is the runtime's own (§9.6)");
  double value = *get_number(body, "value");
  if (value < 0)
    return Error(ErrorCode::kInvalidRequest, "a cost metric's value must not be negative (§9.6)",
                 json::object{{"name", name}});
  const auto* unit = get_string(body, "unit");
  if (!unit || !budget_.has(*unit)) return std::optional<json::object>();
  auto nano = to_nano_units(value);
  if (!nano)
    return Error(ErrorCode::kInvalidRequest, "a cost metric's value is out of range",
                 json::object{{"name", name}});
  auto left = count_budget_exhaustion_locked(budget_.spend(*unit, *nano));
  if (!left) return left.error();
  if (*nano == 0 || !*left) return std::optional<json::object>();  // nothing material
  return std::optional<json::object>(json::object{
      {"name", kRemainingMetric}, {"value", nano_units_to_json(**left)}, {"unit", *unit}});
}

Result<void> Job::commit_cost(std::uint64_t hold, std::string_view metric_name,
                              std::int64_t actual_nano, std::string_view currency) {
  if (!metric_name.starts_with("cost.") || metric_name == kRemainingMetric) {
    budget_.release(hold);
    return Error(ErrorCode::kInvalidRequest,
                 "a cost metric's name starts with 'cost.' and is not cost.budget.remaining");
  }
  std::lock_guard lock(mu_);
  if (is_terminal(status_)) {
    budget_.release(hold);
    return Error(ErrorCode::kCancelled, "job already ended");
  }
  auto left = count_budget_exhaustion_locked(budget_.commit(hold, actual_nano));
  if (!left) return left.error();
  emit_locked(event_kind::kMetric, json::object{{"name", metric_name},
                                                {"value", nano_units_to_json(actual_nano)},
                                                {"unit", currency}});
  emit_locked(event_kind::kMetric, json::object{{"name", kRemainingMetric},
                                                {"value", nano_units_to_json(*left)},
                                                {"unit", currency}});
  return {};
}

Result<void> Job::accept_chunk_locked(const json::object& body) {
  auto r = result_.accept(body);
  if (!r && r.error().code == ErrorCode::kInternalError) {
    // Past a cap the result cannot be delivered whole: end the job now
    // rather than let it finish with a truncated result.
    fail_locked(JobStatus::kError, r.error());
  }
  return r;
}

Result<std::string> Job::open_result() {
  if (!spec_.features.has(feature::kResultChunk))
    return Error(ErrorCode::kInvalidRequest,
                 "streaming a result needs the 'result_chunk' feature on the submitting session");
  std::lock_guard lock(mu_);
  if (is_terminal(status_)) return Error(ErrorCode::kCancelled, "job already ended");
  return result_.open();
}

Result<void> Job::emit_result_chunk(std::string_view data, std::string_view encoding, bool more) {
  std::lock_guard lock(mu_);
  if (is_terminal(status_)) return Error(ErrorCode::kCancelled, "job already ended");
  return emit_chunk_locked(data, encoding, more);
}

Result<void> Job::emit_chunk_locked(std::string_view data, std::string_view encoding, bool more) {
  json::object body{{"result_id", result_.id()},
                    {"chunk_seq", result_.next_seq()},
                    {"data", data},
                    {"encoding", encoding},
                    {"more", more}};
  if (auto r = accept_chunk_locked(body); !r) return r;
  emit_locked(event_kind::kResultChunk, body);
  return {};
}

void Job::set_result_summary(std::string summary) {
  std::lock_guard lock(mu_);
  result_summary_ = std::move(summary);
}

void Job::fan_out_locked(std::string_view type, std::string_view payload,
                         std::vector<std::shared_ptr<Session>>* held) {
  for (auto it = observers_.begin(); it != observers_.end();) {
    if (auto s = it->lock()) {
      std::int64_t seq = s->deliver_event(type, spec_.id, spec_.trace_id, payload, !held);
      if (s->id() == submitter_id_) last_event_seq_ = seq;
      if (held) held->push_back(std::move(s));
      ++it;
    } else {
      it = observers_.erase(it);
    }
  }
}

void Job::fail_locked(JobStatus status, Error error) {
  finish_locked(status, msg::kJobError, JobError{status, std::move(error)}.to_json());
}

bool Job::finish_locked(JobStatus status, std::string_view type, json::object payload) {
  if (is_terminal(status_)) return false;
  status_ = status;
  finished_at_ = std::chrono::steady_clock::now();
  finished_ms_ = store::wall_ms();
  request_stop_locked();
  for (auto* t : {runtime_timer_.get(), expiry_timer_.get(), grace_timer_.get()})
    if (t) t->cancel();
  terminal_type_ = std::string(type);
  record_job_outcome(spec_.span, status, type, payload, budget_);
  terminal_payload_ = json::serialize(payload);
  if (!credentials_.empty() || !rotating_.empty()) {
    revoke_then_publish_locked();  // §9.8.2: revoked before the outcome is seen
    return true;
  }
  publish_when_ready_locked();
  return true;
}

void Job::publish_terminal_locked() {
  if (published_) return;
  published_ = true;
  // The slot is free before anyone can see the outcome and submit again.
  if (auto s = submitter_.lock()) s->release_job_slot();
  if (release_slot_) release_slot_(*this);
  settle_carved_budget_locked();
  spec_.span.end();  // before anyone sees the outcome: its trace is complete by then
  // Logged, recorded, then sent: whoever sees the outcome finds the job's
  // record (list_jobs) already saying so.
  std::vector<std::shared_ptr<Session>> observers;
  fan_out_locked(terminal_type_, terminal_payload_, &observers);
  store_->save_job(record_locked());  // queued after the terminal event: same commit order
  for (auto& s : observers) s->pump();
  for (auto& [id, wake] : std::exchange(end_waiters_, {})) wake();
  if (on_terminal_) on_terminal_(*this);
}

Result<void> Job::cancel(Session& requester, const std::string& reason) {
  std::lock_guard lock(mu_);
  if (is_terminal(status_))
    return Error(ErrorCode::kInvalidRequest, "job already ended",
                 json::object{{"job_id", spec_.id}, {"final_status", to_string(status_)}});
  if (cancel_requested_) return {};  // already on its way out
  cancel_requested_ = true;
  cancel_reason_ = reason.empty() ? "cancelled by client" : reason;
  // job.cancelled goes out before the agent can observe the stop (ordering).
  requester.send_control(msg::kCancelled, json::object{{"reason", cancel_reason_}}, spec_.id,
                         spec_.trace_id);
  request_stop_locked();
  if (status_ == JobStatus::kPending) {
    fail_locked(JobStatus::kCancelled, Error(ErrorCode::kCancelled, cancel_reason_));
    return {};
  }
  grace_timer_ = std::make_unique<boost::asio::steady_timer>(*io_, spec_.cancel_grace);
  std::weak_ptr<Job> weak = weak_from_this();
  grace_timer_->async_wait([weak](boost::system::error_code ec) {
    if (ec) return;
    auto job = weak.lock();
    if (!job) return;
    std::lock_guard lock(job->mu_);
    Error err(ErrorCode::kCancelled, job->cancel_reason_,
              json::object{{"forced", true}, {"grace_ms", job->spec_.cancel_grace.count()}});
    job->fail_locked(JobStatus::kCancelled, std::move(err));
  });
  return {};
}

void Job::abort(const std::string& reason) {
  std::lock_guard lock(mu_);
  fail_locked(JobStatus::kError, Error(ErrorCode::kInternalError, reason));
}

void Job::add_observer(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(mu_);
  for (auto& w : observers_)
    if (w.lock() == session) return;
  if (published_) {
    session->deliver_event(terminal_type_, spec_.id, spec_.trace_id, terminal_payload_);
    return;
  }
  observers_.push_back(session);
}

store::JobRecord Job::record() const {
  std::lock_guard lock(mu_);
  return record_locked();
}

store::JobRecord Job::record_locked() const {
  store::JobRecord r;
  r.id = spec_.id;
  r.principal = spec_.principal;
  r.session_id = submitter_id_;
  r.agent = spec_.agent_ref;
  r.status = std::string(to_string(status_));
  r.trace_id = spec_.trace_id;
  r.parent_job_id = spec_.parent_job_id;
  r.created_at = spec_.created_at;
  r.created_ms = spec_.created_ms;
  r.finished_ms = finished_ms_;
  r.last_event_seq = last_event_seq_;
  r.accepted = json::serialize(accepted_);
  r.terminal_type = terminal_type_;
  r.terminal_payload = terminal_payload_;
  if (!budget_.empty()) r.budget = json::serialize(budget_.to_json());
  return r;
}

void Job::subscribe(const std::shared_ptr<Session>& session, bool history, std::int64_t from_seq,
                    const std::function<void(const store::JobRecord&, std::int64_t)>& announce) {
  // Under the job lock no event of this job is emitted: history read from the
  // log and the live stream that follows meet without a gap or a duplicate.
  std::lock_guard lock(mu_);
  std::int64_t from = history ? from_seq : last_event_seq_;
  announce(record_locked(), from);
  if (history) replay_job_history(*store_, submitter_id_, spec_.id, from, *session);
  if (published_) {
    // Finished: the outcome is the job's state, not history; a subscriber
    // whose replay did not include it gets it now (§7.6).
    if (!history || from >= last_event_seq_)
      session->deliver_event(terminal_type_, spec_.id, spec_.trace_id, terminal_payload_);
    return;
  }
  for (auto& w : observers_)
    if (w.lock() == session) return;
  observers_.push_back(session);
}

bool Job::unsubscribe(const Session& session) {
  std::lock_guard lock(mu_);
  if (session.id() == submitter_id_) return false;  // the submitter's stream is not a subscription
  for (auto it = observers_.begin(); it != observers_.end(); ++it) {
    auto s = it->lock();
    if (s && s.get() == &session) {
      observers_.erase(it);
      return true;
    }
  }
  return false;
}

bool Job::sleep_for(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  auto token = stop_.get_token();
  sleep_cv_.wait_for(lock, token, d, [] { return false; });
  return !token.stop_requested();
}

}  // namespace arcp::runtime
