// Internal: the `arcp.job` span of a job's life, submit to terminal (§11).
#pragma once

#include <arcp/budget.hpp>
#include <arcp/job_messages.hpp>
#include <arcp/json.hpp>
#include <string_view>

#include "otel/tracing.hpp"

namespace arcp::runtime {

struct JobSpec;

/// Starts the span of `spec` (id, agent, lease and trace id set) in the
/// trace of `parent` (a traceparent, or the job's own 32-hex trace id),
/// with the §11 attributes. Never an input payload or a credential.
otel::Span start_job_span(const JobSpec& spec, std::string_view session_id,
                          std::string_view parent);
/// Records the outcome on the span: status, error code, budget left.
void record_job_outcome(const otel::Span& span, JobStatus status, std::string_view terminal_type,
                        const json::object& terminal_payload, const BudgetCounters& budget);

}  // namespace arcp::runtime
