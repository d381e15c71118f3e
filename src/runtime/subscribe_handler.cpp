// job.subscribe / job.unsubscribe (§7.6): observation without authority,
// audited (§14).
#include <arcp/job_messages.hpp>

#include "runtime/connection_handler.hpp"
#include "runtime/job_history.hpp"
#include "runtime/job_view.hpp"

namespace arcp::runtime {

void ConnectionHandler::handle_subscribe(Runtime::Impl& rt, Envelope& env) {
  if (!session_->features().has(feature::kSubscribe))
    return session_->send_error(Error(ErrorCode::kInvalidRequest,
                                      "the 'subscribe' feature was not negotiated on this session"),
                                env.id);
  auto req = Subscribe::from_json(env.payload);
  if (!req) return session_->send_error(req.error(), env.id);

  std::shared_ptr<Job> live;
  {
    std::lock_guard lock(rt.mu);
    if (auto it = rt.jobs.find(req->job_id); it != rt.jobs.end()) live = it->second;
  }
  std::optional<store::JobRecord> record = live ? live->record() : rt.store->load_job(req->job_id);

  json::object audit{{"subscriber", session_->principal()},
                     {"session_id", session_->id()},
                     {"job_id", req->job_id},
                     {"job_principal", record ? json::value(record->principal) : json::value()}};
  // A job this principal may not observe answers exactly like a missing one,
  // so a guessed id is never confirmed (§14). The audit keeps the real reason:
  // it goes to the operator, not the client.
  auto deny = [&](const char* reason) {
    audit["decision"] = "deny";
    audit["reason"] = reason;
    rt.audit_event("job.subscribe", std::move(audit));
    session_->send_error(
        Error(ErrorCode::kJobNotFound, "job not found", json::object{{"job_id", req->job_id}}),
        env.id);
  };
  if (!record) return deny("not_found");
  if (!rt.may_observe(session_->principal(), record->principal)) return deny("policy");
  audit["decision"] = "allow";
  audit["reason"] = record->principal == session_->principal() ? "same_principal" : "policy";
  rt.audit_event("job.subscribe", std::move(audit));

  auto announce = [&](const store::JobRecord& r, std::int64_t from) {
    json::object accepted = accepted_of(r);
    Subscribed s;
    s.job_id = r.id;
    s.current_status = job_status_from_string(r.status).value_or(JobStatus::kRunning);
    s.agent = r.agent;
    if (const auto* lease = get_object(accepted, "lease")) s.lease = *lease;
    if (const auto* lc = get_object(accepted, "lease_constraints")) s.lease_constraints = *lc;
    s.budget = budget_of(r);  // the current counters (§7.6)
    s.parent_job_id = r.parent_job_id;
    s.trace_id = r.trace_id;
    s.subscribed_from = from;
    s.replayed = req->history;
    // No credentials here: they follow the submitter only, never observers (§14).
    session_->send_control(msg::kSubscribed, s.to_json(), r.id, r.trace_id);
  };
  std::int64_t from = req->from_event_seq.value_or(0);
  if (live) return live->subscribe(session_, req->history, from, announce);
  // Finished (kept for the retention window): descriptor, then history if asked.
  announce(*record, req->history ? from : record->last_event_seq);
  if (req->history) replay_job_history(*rt.store, record->session_id, record->id, from, *session_);
  // The outcome is the job's state, not history: sent when the replay did not carry it.
  if ((!req->history || from >= record->last_event_seq) && !record->terminal_type.empty())
    session_->deliver_event(record->terminal_type, record->id, record->trace_id,
                            record->terminal_payload);
}

void ConnectionHandler::handle_unsubscribe(Runtime::Impl& rt, Envelope& env) {
  auto req = Unsubscribe::from_json(env.payload);
  if (!req) return session_->send_error(req.error(), env.id);
  std::shared_ptr<Job> live;
  {
    std::lock_guard lock(rt.mu);
    if (auto it = rt.jobs.find(req->job_id); it != rt.jobs.end()) live = it->second;
  }
  if (!live || !live->unsubscribe(*session_))
    session_->send_error(Error(ErrorCode::kInvalidRequest, "not subscribed to this job",
                               json::object{{"job_id", req->job_id}}),
                         env.id);
}

}  // namespace arcp::runtime
