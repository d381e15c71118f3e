// Internal: the observable, non-secret view of a job (§6.6 list entries and
// the §7.6 authority descriptor), built from its record.
#pragma once

#include <arcp/json.hpp>
#include <optional>

#include "store/store.hpp"

namespace arcp::runtime {

/// A `session.jobs` entry: job_id, agent, status, lease, lease_constraints?,
/// parent_job_id, created_at, trace_id, last_event_seq, budget? (live counters).
json::object job_list_entry(const store::JobRecord& record);
/// Live budget counters (§9.6), when the job has a budget and runs here.
std::optional<json::object> budget_of(const store::JobRecord& record);
/// The `job.accepted` payload a record was created with.
json::object accepted_of(const store::JobRecord& record);

}  // namespace arcp::runtime
