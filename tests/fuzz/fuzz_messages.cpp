// parse_json, then every typed payload reader and validator on the object:
// nothing may crash, and what is accepted must survive to_json → from_json.
#include <arcp/envelope.hpp>
#include <arcp/event.hpp>
#include <arcp/job_messages.hpp>
#include <arcp/lease.hpp>
#include <arcp/session_messages.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"

namespace {

using namespace arcp;

const SystemTime kNow = SystemTime(std::chrono::seconds(1778700000));  // 2026-05-13T19:20:00Z

FeatureSet all_features_set() {
  FeatureSet s;
  for (const auto& f : all_features()) s.add(f);
  return s;
}

void check_event_body(std::string_view kind, const json::object& body) {
  static const FeatureSet kAll = all_features_set();
  static const FeatureSet kNone;
  for (const FeatureSet* features : {&kAll, &kNone}) {
    json::object copy = body;
    auto r = validate_event_body(kind, copy, *features);
    if (!r.ok()) {
      FUZZ_CHECK(r.error().code == ErrorCode::kInvalidRequest);
      continue;
    }
    if (kind == event_kind::kMetric)
      FUZZ_CHECK(!copy.contains("dims") || copy.contains("dimensions"));
    if (is_vendor_name(kind)) FUZZ_CHECK(copy == body);
    // Validation normalises once; a second pass accepts the result unchanged.
    json::object twice = copy;
    FUZZ_CHECK(validate_event_body(kind, twice, *features).ok());
    FUZZ_CHECK(twice == copy);
  }
}

void check_budget_amount(std::string_view text) {
  auto a = parse_budget_amount(text);
  if (!a) return;
  FUZZ_CHECK(!a->currency.empty() && a->nano_units >= 0);
  std::string frac = std::to_string(a->nano_units % 1000000000LL);
  std::string canonical = a->currency + ":" + std::to_string(a->nano_units / 1000000000LL) + "." +
                          std::string(9 - frac.size(), '0') + frac;
  auto again = parse_budget_amount(canonical);
  FUZZ_CHECK(again && again->currency == a->currency && again->nano_units == a->nano_units);
}

void check_lease(const json::object& lease) {
  auto r = validate_lease(lease);
  if (!r.ok()) FUZZ_CHECK(r.error().code == ErrorCode::kInvalidRequest);
  for (const auto& [key, value] : lease) {
    if (!value.is_array()) continue;
    for (const auto& p : value.get_array())
      if (p.is_string()) check_budget_amount(p.get_string());
  }
  auto c = validate_lease_constraints(lease, kNow);
  if (!c.ok()) FUZZ_CHECK(c.error().code == ErrorCode::kInvalidRequest);
}

void check_object(const json::object& obj) {
  if (auto h = Hello::from_json(obj); h.ok()) {
    auto again = Hello::from_json(h->to_json());
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->token == h->token && again->client_name == h->client_name);
    FUZZ_CHECK(again->features.has_value() == h->features.has_value());
    FUZZ_CHECK(again->resume.has_value() == h->resume.has_value());
  }
  if (auto w = Welcome::from_json(obj); w.ok()) {
    auto again = Welcome::from_json(w->to_json());
    FUZZ_CHECK(again.ok() && again->agents.size() == w->agents.size());
    FUZZ_CHECK(again->features.to_json() == w->features.to_json());
  }
  if (auto a = Ack::from_json(obj); a.ok())
    FUZZ_CHECK(Ack::from_json(a->to_json())->last_processed_seq == a->last_processed_seq);
  if (auto l = ListJobs::from_json(obj); l.ok()) FUZZ_CHECK(ListJobs::from_json(l->to_json()).ok());
  if (auto j = Jobs::from_json(obj); j.ok()) FUZZ_CHECK(Jobs::from_json(j->to_json()).ok());
  if (auto c = Cancel::from_json(obj, ""); c.ok()) FUZZ_CHECK(!c->job_id.empty());
  if (auto sub = Subscribe::from_json(obj); sub.ok())
    FUZZ_CHECK(Subscribe::from_json(sub->to_json()).ok());
  if (auto sd = Subscribed::from_json(obj); sd.ok())
    FUZZ_CHECK(Subscribed::from_json(sd->to_json()).ok());
  (void)Unsubscribe::from_json(obj);
  (void)Bye::from_json(obj);
  (void)Cancelled::from_json(obj);
  (void)Ping::from_json(obj);
  (void)Pong::from_json(obj);
  (void)ResumeRequest::from_json(obj);

  if (auto s = SubmitRequest::from_json(obj, kNow); s.ok()) {
    auto again = SubmitRequest::from_json(s->to_json(), kNow);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->agent == s->agent && again->input == s->input);
    FUZZ_CHECK(again->lease_request == s->lease_request);
    FUZZ_CHECK(again->idempotency_key == s->idempotency_key);
    FUZZ_CHECK(again->max_runtime_sec == s->max_runtime_sec);
  } else {
    FUZZ_CHECK(s.error().code == ErrorCode::kInvalidRequest);
  }
  if (auto a = Accepted::from_json(obj); a.ok()) {
    auto again = Accepted::from_json(a->to_json());
    FUZZ_CHECK(again.ok() && again->job_id == a->job_id && again->lease == a->lease);
  }
  if (auto r = JobResult::from_json(obj); r.ok()) {
    auto again = JobResult::from_json(r->to_json());
    FUZZ_CHECK(again.ok() && again->result_id == r->result_id);
  }
  if (auto e = JobError::from_json(obj); e.ok()) {
    FUZZ_CHECK(is_terminal(e->final_status) && e->final_status != JobStatus::kSuccess);
    auto again = JobError::from_json(e->to_json());
    FUZZ_CHECK(again.ok() && again->error.code == e->error.code &&
               again->final_status == e->final_status && again->error.message == e->error.message);
  }
  Error err = Error::from_json(obj);
  FUZZ_CHECK(Error::from_json(err.to_json()).code == err.code);

  if (auto ev = EventPayload::from_json(obj); ev.ok()) {
    check_event_body(ev->kind, ev->body);
    check_event_body(event_kind::kMetric, ev->body);
  }
  for (std::string_view kind : {"log", "thought", "tool_call", "tool_result", "status", "metric",
                                "artifact_ref", "delegate", "progress", "result_chunk"})
    check_event_body(kind, obj);

  check_lease(obj);
  for (std::string_view key : {"lease_request", "lease", "lease_constraints", "body"})
    if (const auto* inner = get_object(obj, key)) check_lease(*inner);
  if (const auto* amount = get_string(obj, "amount")) check_budget_amount(*amount);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto v = parse_json(text);
  if (!v) return 0;
  // Precise numbers: serialising and re-parsing gives the same value.
  auto again = parse_json(json::serialize(*v));
  FUZZ_CHECK(again && *again == *v);
  if (v->is_object()) check_object(v->get_object());
  if (v->is_string()) check_budget_amount(v->get_string());
  if (v->is_array())
    for (const auto& item : v->get_array())
      if (item.is_object()) check_object(item.get_object());
  return 0;
}
