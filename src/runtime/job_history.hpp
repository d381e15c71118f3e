// Internal: replaying a job's logged events into another session (§7.6
// history), renumbered into that session's own seq space.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/session.hpp"
#include "store/store.hpp"

namespace arcp::runtime {

/// Delivers the events of `job_id` logged in `submitter_session_id` with
/// seq > `after_seq` into `into`; returns how many were replayed.
std::size_t replay_job_history(store::Store& store, const std::string& submitter_session_id,
                               const std::string& job_id, std::int64_t after_seq, Session& into);

}  // namespace arcp::runtime
