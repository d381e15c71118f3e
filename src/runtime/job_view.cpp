#include "runtime/job_view.hpp"

namespace arcp::runtime {

json::object accepted_of(const store::JobRecord& record) {
  auto v = parse_json(record.accepted);
  if (v && v->is_object()) return std::move(v->get_object());
  return {};
}

std::optional<json::object> budget_of(const store::JobRecord& record) {
  if (record.budget.empty()) return std::nullopt;
  auto v = parse_json(record.budget);
  if (v && v->is_object()) return std::move(v->get_object());
  return std::nullopt;
}

json::object job_list_entry(const store::JobRecord& r) {
  json::object accepted = accepted_of(r);
  json::object e{{"job_id", r.id}, {"agent", r.agent}, {"status", r.status}};
  auto lease = accepted.find("lease");
  e["lease"] = lease != accepted.end() ? lease->value() : json::object{};
  if (auto lc = accepted.find("lease_constraints"); lc != accepted.end())
    e["lease_constraints"] = lc->value();
  e["parent_job_id"] =
      r.parent_job_id.empty() ? json::value(nullptr) : json::value(r.parent_job_id);
  e["created_at"] = r.created_at;
  e["trace_id"] = r.trace_id;
  e["last_event_seq"] = r.last_event_seq;
  if (auto budget = budget_of(r)) e["budget"] = std::move(*budget);
  return e;
}

}  // namespace arcp::runtime
