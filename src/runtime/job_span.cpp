#include "runtime/job_span.hpp"

#include <arcp/session_messages.hpp>
#include <arcp/time.hpp>
#include <iomanip>
#include <sstream>

#include "runtime/job.hpp"

namespace arcp::runtime {

otel::Span start_job_span(const JobSpec& spec, std::string_view session_id,
                          std::string_view parent) {
  if (!otel::enabled()) return {};  // the attributes below cost allocations
  auto span =
      otel::start_span("arcp.job", otel::SpanKind::kServer, otel::parent_or(parent, spec.trace_id));
  span.set("arcp.session_id", session_id);
  span.set("arcp.job_id", spec.id);
  span.set("arcp.agent", spec.agent_ref);
  std::vector<std::string> caps;
  for (const auto& [name, patterns] : spec.lease) caps.emplace_back(name);
  span.set("arcp.lease.capabilities", caps);
  if (spec.expires_at) span.set("arcp.lease.expires_at", format_rfc3339(*spec.expires_at));
  if (!spec.parent_job_id.empty()) {
    span.set("arcp.parent_job_id", spec.parent_job_id);
    span.set("arcp.delegate_id", spec.delegate_id);
  }
  return span;
}

void record_job_outcome(const otel::Span& span, JobStatus status, std::string_view terminal_type,
                        const json::object& terminal_payload, const BudgetCounters& budget) {
  if (!span) return;
  span.set("arcp.job.status", to_string(status));
  if (terminal_type == msg::kJobError)
    if (const auto* code = get_string(terminal_payload, "code"))
      span.set_error(std::string_view(*code));
  // `USD:0.75,EUR:2` — the lease's own budget syntax.
  std::string left;
  for (const auto& [currency, amount] : budget.to_json()) {
    auto nano = budget.remaining(currency);
    if (!nano) continue;
    std::ostringstream o;
    o << (left.empty() ? "" : ",") << std::string_view(currency) << ':' << std::setprecision(15)
      << static_cast<double>(*nano) / 1e9;
    left += o.str();
  }
  if (!left.empty()) span.set("arcp.budget.remaining", left);
}

}  // namespace arcp::runtime
