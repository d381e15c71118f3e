// A job's provisioned credentials (§9.8): held from acceptance, shown only
// to the submitting session, rotated on the agent's request, and revoked
// before anyone sees the job's outcome.
#include "runtime/job_credentials.hpp"

#include <algorithm>
#include <arcp/event.hpp>
#include <arcp/ids.hpp>
#include <arcp/job_context.hpp>
#include <arcp/session_messages.hpp>

#include "core/thread_role.hpp"
#include "runtime/offload.hpp"

namespace arcp::runtime {

std::vector<BudgetAmount> budget_amounts(const BudgetCounters& counters) {
  std::vector<BudgetAmount> out;
  // What is free to spend: a running child's carved budget and other
  // reservations are not the job's to spend through this credential.
  for (const auto& [currency, value] : counters.to_json())
    if (auto left = counters.available(currency))
      out.push_back(BudgetAmount{std::string(currency), std::max<std::int64_t>(*left, 0)});
  return out;
}

CredentialRequest credential_request(const JobSpec& spec, std::string credential_id,
                                     std::vector<BudgetAmount> remaining) {
  CredentialRequest r;
  r.issuance_id = credential_id;
  r.credential_id = std::move(credential_id);
  r.job_id = spec.id;
  r.principal = spec.principal;
  r.agent = spec.agent_ref;
  r.lease = spec.lease;
  r.expires_at = spec.expires_at;
  r.budget_remaining = std::move(remaining);
  if (const auto* models = get_array(spec.lease, "model.use"))
    for (const auto& m : *models)
      if (m.is_string()) r.models.emplace_back(m.get_string());
  r.trace_id = spec.trace_id;
  r.traceparent = spec.span.traceparent();
  return r;
}

namespace {

json::array credentials_json(const std::vector<HeldCredential>& held, bool redact) {
  json::array out;
  for (const auto& h : held)
    out.push_back(redact ? h.credential.redacted().to_json() : h.credential.to_json());
  return out;
}

std::string status_payload(const json::object& body) {
  return json::serialize(
      json::object{{"kind", event_kind::kStatus}, {"ts", now_rfc3339()}, {"body", body}});
}

json::object rotated_body(const Credential& c) {
  json::object body{
      {"phase", kCredentialRotatedPhase},
      {"credential_id", c.id},
      {"value", c.value},
      {"message", "credential " + c.id + " was rotated; the previous value is revoked"}};
  if (!c.constraints.empty()) body["constraints"] = c.constraints;
  return body;
}

}  // namespace

void Job::take_credentials() {
  credentials_ = std::move(spec_.credentials);
  spec_.credentials.clear();
  // What every view but the submitter's shows (§14): id, endpoint, constraints.
  if (!credentials_.empty()) accepted_["credentials"] = credentials_json(credentials_, true);
}

json::object Job::accepted_payload_for(const Session& session) const {
  std::lock_guard lock(mu_);
  if (credentials_.empty() || !is_submitter(session)) return accepted_;
  json::object out = accepted_;
  out["credentials"] = credentials_json(credentials_, false);
  return out;
}

std::vector<Credential> Job::credentials() const {
  std::lock_guard lock(mu_);
  std::vector<Credential> out;
  for (const auto& h : credentials_) out.push_back(h.credential);
  return out;
}

void Job::fan_out_secret_locked(const json::object& secret, const json::object& redacted) {
  std::string live = status_payload(secret);
  std::string stored = status_payload(redacted);
  for (auto it = observers_.begin(); it != observers_.end();) {
    auto s = it->lock();
    if (!s) {
      it = observers_.erase(it);
      continue;
    }
    if (s->id() == submitter_id_)
      last_event_seq_ =
          s->deliver_secret_event(msg::kEvent, spec_.id, spec_.trace_id, live, stored);
    else
      s->deliver_event(msg::kEvent, spec_.id, spec_.trace_id, stored);
    ++it;
  }
}

void Job::revoke_then_publish_locked() {
  if (!rotating_.empty()) {
    revoke_when_rotated_ = true;  // the rotation's end picks this up
    return;
  }
  auto manager = spec_.services->credentials;
  std::vector<HeldCredential> held = std::move(credentials_);
  credentials_.clear();
  if (!manager || held.empty()) return publish_when_ready_locked();
  manager->revoke_async(spec_.principal, std::move(held), [self = shared_from_this()] {
    std::lock_guard lock(self->mu_);
    if (auto s = self->submitter_.lock()) s->forget_secrets(self->spec_.id);
    self->publish_when_ready_locked();
  });
}

void Job::end_rotation_locked(const std::string& id) {
  if (auto it = std::find(rotating_.begin(), rotating_.end(), id); it != rotating_.end())
    rotating_.erase(it);
  if (rotating_.empty() && revoke_when_rotated_) {
    revoke_when_rotated_ = false;
    revoke_then_publish_locked();
  }
}

Result<Credential> Job::rotate_credential(std::string_view id) {
  auto manager = spec_.services->credentials;
  HeldCredential current;
  CredentialRequest request;
  {
    std::lock_guard lock(mu_);
    if (auto ok = may_act_locked(); !ok) return ok.error();
    auto it = std::find_if(credentials_.begin(), credentials_.end(),
                           [&](const HeldCredential& h) { return h.credential.id == id; });
    if (!manager || it == credentials_.end())
      return Error(ErrorCode::kInvalidRequest,
                   "this job holds no credential '" + std::string(id.substr(0, 128)) + "'");
    if (std::find(rotating_.begin(), rotating_.end(), id) != rotating_.end())
      return Error(ErrorCode::kInvalidRequest,
                   "credential '" + std::string(id) + "' is already being rotated");
    current = *it;
    request = credential_request(spec_, current.credential.id, budget_amounts(budget_));
    rotating_.emplace_back(id);
  }
  const std::string cred_id(id);
  auto next = manager->reissue(current, std::move(request));  // network: no lock held
  std::unique_lock lock(mu_);
  if (!next) {
    end_rotation_locked(cred_id);
    return next.error();
  }
  if (is_terminal(status_)) {
    // Ended meanwhile: the new value is never handed out, and is revoked
    // with the rest before the outcome is published.
    credentials_.push_back(std::move(*next));
    end_rotation_locked(cred_id);
    return Error(ErrorCode::kCancelled, "job ended while its credential was being rotated");
  }
  auto it = std::find_if(credentials_.begin(), credentials_.end(),
                         [&](const HeldCredential& h) { return h.credential.id == cred_id; });
  if (it == credentials_.end()) it = credentials_.insert(credentials_.end(), *next);
  *it = *next;
  Credential fresh = next->credential;
  // §9.8.2: the new value to the submitter; every other observer (and the
  // log on disk) learns only that a rotation happened.
  fan_out_secret_locked(rotated_body(fresh), rotated_body(fresh.redacted()));
  lock.unlock();
  manager->revoke(current);  // promptly; a failure stays in the ledger and is retried
  lock.lock();
  end_rotation_locked(cred_id);
  return fresh;
}

}  // namespace arcp::runtime

namespace arcp {

std::vector<Credential> JobContext::credentials() const {
  return job_->credentials();
}

Result<Credential> JobContext::rotate_credential(std::string_view id) {
  if (core::on_event_loop_thread()) return runtime::blocking_on_io_thread("rotate_credential");
  return job_->rotate_credential(id);
}

Awaitable<Result<Credential>> JobContext::async_rotate_credential(std::string id) {
  // Named first: GCC 12 destroys temporaries inside a co_await expression twice.
  std::function<Result<Credential>()> work = [job = job_, id] {
    return job->rotate_credential(id);
  };
  auto rotating = runtime::offload<Result<Credential>>(*job_, std::move(work));
  auto r = co_await std::move(rotating);
  co_return r;
}

}  // namespace arcp
