#include <arcp/agent_ref.hpp>
#include <arcp/job_messages.hpp>
#include <arcp/lease.hpp>
#include <array>

#include "core/payload_fields.hpp"

namespace arcp {
namespace {
using core::invalid;
using core::str_or;
constexpr std::int64_t kMaxRuntimeSecLimit = 366LL * 24 * 3600;

struct StatusName {
  JobStatus status;
  std::string_view name;
};
constexpr std::array<StatusName, 6> kStatuses{{{JobStatus::kPending, "pending"},
                                               {JobStatus::kRunning, "running"},
                                               {JobStatus::kSuccess, "success"},
                                               {JobStatus::kError, "error"},
                                               {JobStatus::kCancelled, "cancelled"},
                                               {JobStatus::kTimedOut, "timed_out"}}};
}  // namespace

std::string_view to_string(JobStatus status) {
  for (const auto& s : kStatuses)
    if (s.status == status) return s.name;
  return "error";
}

std::optional<JobStatus> job_status_from_string(std::string_view text) {
  for (const auto& s : kStatuses)
    if (s.name == text) return s.status;
  return std::nullopt;
}

json::object SubmitRequest::to_json() const {
  json::object p{{"agent", agent}, {"input", input}};
  if (!lease_request.empty()) p["lease_request"] = lease_request;
  if (lease_constraints) p["lease_constraints"] = *lease_constraints;
  if (!idempotency_key.empty()) p["idempotency_key"] = idempotency_key;
  if (max_runtime_sec) p["max_runtime_sec"] = *max_runtime_sec;
  return p;
}

Result<SubmitRequest> SubmitRequest::from_json(const json::object& payload, SystemTime now) {
  SubmitRequest s;
  const auto* agent = get_string(payload, "agent");
  if (!agent) return invalid("job.submit needs a string 'agent'");
  if (auto ok = check_identifier("job.submit agent", *agent); !ok) return ok.error();
  auto ref = parse_agent_ref(*agent);
  if (!ref) return ref.error();
  s.agent = std::string(*agent);
  if (auto it = payload.find("input"); it != payload.end()) s.input = it->value();
  if (payload.contains("lease_request")) {
    const auto* lease = get_object(payload, "lease_request");
    if (!lease) return invalid("lease_request must be an object");
    if (auto r = validate_lease(*lease); !r) return r.error();
    s.lease_request = *lease;
  }
  if (payload.contains("lease_constraints") && !payload.at("lease_constraints").is_null()) {
    const auto* lc = get_object(payload, "lease_constraints");
    if (!lc) return invalid("lease_constraints must be an object");
    if (auto r = validate_lease_constraints(*lc, now); !r) return r.error();
    s.lease_constraints = *lc;
  }
  if (payload.contains("idempotency_key") && !payload.at("idempotency_key").is_null()) {
    const auto* key = get_string(payload, "idempotency_key");
    if (!key || key->empty()) return invalid("idempotency_key must be a non-empty string");
    if (auto ok = check_identifier("job.submit idempotency_key", *key); !ok) return ok.error();
    s.idempotency_key = std::string(*key);
  }
  if (payload.contains("max_runtime_sec") && !payload.at("max_runtime_sec").is_null()) {
    auto secs = get_int(payload, "max_runtime_sec");
    if (!secs || *secs <= 0 || *secs > kMaxRuntimeSecLimit)
      return invalid("max_runtime_sec must be a positive integer (≤ one year)");
    s.max_runtime_sec = secs;
  }
  return s;
}

json::object Accepted::to_json() const {
  json::object p{{"job_id", job_id}, {"agent", agent}, {"lease", lease}};
  if (lease_constraints) p["lease_constraints"] = *lease_constraints;
  if (budget) p["budget"] = *budget;
  p["accepted_at"] = accepted_at;
  if (!parent_job_id.empty()) p["parent_job_id"] = parent_job_id;
  if (!delegate_id.empty()) p["delegate_id"] = delegate_id;
  if (!trace_id.empty()) p["trace_id"] = trace_id;
  if (!credentials.empty()) {
    json::array creds;
    for (const auto& c : credentials) creds.push_back(c.to_json());
    p["credentials"] = std::move(creds);
  }
  return p;
}

Result<Accepted> Accepted::from_json(const json::object& payload) {
  Accepted a;
  a.job_id = str_or(payload, "job_id");
  if (a.job_id.empty()) return invalid("job.accepted needs job_id");
  a.agent = str_or(payload, "agent");
  if (const auto* l = get_object(payload, "lease")) a.lease = *l;
  if (const auto* lc = get_object(payload, "lease_constraints")) a.lease_constraints = *lc;
  if (const auto* b = get_object(payload, "budget")) a.budget = *b;
  a.accepted_at = str_or(payload, "accepted_at");
  a.trace_id = str_or(payload, "trace_id");
  a.parent_job_id = str_or(payload, "parent_job_id");
  a.delegate_id = str_or(payload, "delegate_id");
  // §9.8.1: a credential of an unknown shape is skipped, not fatal.
  if (const auto* creds = get_array(payload, "credentials"))
    for (const auto& c : *creds)
      if (c.is_object())
        if (auto cred = Credential::from_json(c.get_object())) a.credentials.push_back(*cred);
  return a;
}

json::object EventPayload::to_json() const {
  return {{"kind", kind}, {"ts", ts}, {"body", body}};
}

Result<EventPayload> EventPayload::from_json(const json::object& payload) {
  EventPayload e;
  e.kind = str_or(payload, "kind");
  if (e.kind.empty()) return invalid("job.event needs a string kind");
  e.ts = str_or(payload, "ts");
  if (const auto* b = get_object(payload, "body")) e.body = *b;
  return e;
}

json::object JobResult::to_json() const {
  json::object p{{"final_status", "success"}};
  if (!result_id.empty()) {
    p["result_id"] = result_id;
    if (result_size) p["result_size"] = *result_size;
    if (!summary.empty()) p["summary"] = summary;
  } else {
    p["result"] = result;
    if (!summary.empty()) p["summary"] = summary;
  }
  return p;
}

Result<JobResult> JobResult::from_json(const json::object& payload) {
  JobResult r;
  r.result_id = str_or(payload, "result_id");
  for (std::string_view key : {"result", "output", "value"}) {
    if (auto it = payload.find(key); it != payload.end()) {
      r.result = it->value();
      break;
    }
  }
  r.result_size = get_int(payload, "result_size");
  r.summary = str_or(payload, "summary");
  return r;
}

json::object JobError::to_json() const {
  json::object p = error.to_json();
  p["final_status"] = to_string(final_status);
  return p;
}

Result<JobError> JobError::from_json(const json::object& payload) {
  JobError e;
  e.error = Error::from_json(payload);
  auto status = job_status_from_string(str_or(payload, "final_status"));
  e.final_status = status && is_terminal(*status) && *status != JobStatus::kSuccess
                       ? *status
                       : JobStatus::kError;
  return e;
}

}  // namespace arcp

namespace arcp {

json::object Cancel::to_json() const {
  json::object p;
  if (!reason.empty()) p["reason"] = reason;
  return p;
}

Result<Cancel> Cancel::from_json(const json::object& payload, const std::string& envelope_job_id) {
  Cancel c{envelope_job_id, core::str_or(payload, "reason")};
  if (c.job_id.empty()) c.job_id = core::str_or(payload, "job_id");
  if (c.job_id.empty()) return core::invalid("job.cancel needs a job_id");
  if (auto ok = check_identifier("job.cancel job_id", c.job_id); !ok) return ok.error();
  if (c.reason.size() > kMaxCancelReasonBytes)
    return Error(ErrorCode::kInvalidRequest,
                 "job.cancel reason is " + std::to_string(c.reason.size()) +
                     " bytes; a reason is limited to " + std::to_string(kMaxCancelReasonBytes) +
                     " bytes",
                 json::object{{"field", "job.cancel reason"},
                              {"max_bytes", static_cast<std::int64_t>(kMaxCancelReasonBytes)}});
  return c;
}

json::object Cancelled::to_json() const {
  return {{"reason", reason}};
}

Result<Cancelled> Cancelled::from_json(const json::object& payload) {
  return Cancelled{core::str_or(payload, "reason")};
}

json::object Subscribe::to_json() const {
  json::object p{{"job_id", job_id}, {"history", history}};
  if (from_event_seq) p["from_event_seq"] = *from_event_seq;
  return p;
}

Result<Subscribe> Subscribe::from_json(const json::object& payload) {
  Subscribe s;
  s.job_id = core::str_or(payload, "job_id");
  if (s.job_id.empty()) return core::invalid("job.subscribe needs a job_id");
  if (auto ok = check_identifier("job.subscribe job_id", s.job_id); !ok) return ok.error();
  if (payload.contains("from_event_seq") && !payload.at("from_event_seq").is_null()) {
    auto seq = get_int(payload, "from_event_seq");
    if (!seq || *seq < 0) return core::invalid("from_event_seq must be a non-negative integer");
    s.from_event_seq = seq;
  }
  if (payload.contains("history")) {
    auto h = get_bool(payload, "history");
    if (!h) return core::invalid("history must be a boolean");
    s.history = *h;
  }
  return s;
}

json::object Subscribed::to_json() const {
  json::object p{{"job_id", job_id},
                 {"current_status", to_string(current_status)},
                 {"agent", agent},
                 {"lease", lease}};
  if (lease_constraints) p["lease_constraints"] = *lease_constraints;
  if (budget) p["budget"] = *budget;
  p["parent_job_id"] = parent_job_id.empty() ? json::value(nullptr) : json::value(parent_job_id);
  p["trace_id"] = trace_id;
  p["subscribed_from"] = subscribed_from;
  p["replayed"] = replayed;
  return p;
}

Result<Subscribed> Subscribed::from_json(const json::object& payload) {
  Subscribed s;
  s.job_id = core::str_or(payload, "job_id");
  if (s.job_id.empty()) return core::invalid("job.subscribed needs a job_id");
  auto status = job_status_from_string(core::str_or(payload, "current_status"));
  if (!status) return core::invalid("job.subscribed needs a known current_status");
  s.current_status = *status;
  s.agent = core::str_or(payload, "agent");
  if (const auto* l = get_object(payload, "lease")) s.lease = *l;
  if (const auto* lc = get_object(payload, "lease_constraints")) s.lease_constraints = *lc;
  if (const auto* b = get_object(payload, "budget")) s.budget = *b;
  s.parent_job_id = core::str_or(payload, "parent_job_id");
  s.trace_id = core::str_or(payload, "trace_id");
  s.subscribed_from = get_int(payload, "subscribed_from").value_or(0);
  s.replayed = get_bool(payload, "replayed").value_or(false);
  return s;
}

json::object Unsubscribe::to_json() const {
  return {{"job_id", job_id}};
}

Result<Unsubscribe> Unsubscribe::from_json(const json::object& payload) {
  Unsubscribe u{core::str_or(payload, "job_id")};
  if (u.job_id.empty()) return core::invalid("job.unsubscribe needs a job_id");
  if (auto ok = check_identifier("job.unsubscribe job_id", u.job_id); !ok) return ok.error();
  return u;
}

}  // namespace arcp
