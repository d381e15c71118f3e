#include "runtime/job_history.hpp"

#include <arcp/envelope.hpp>

namespace arcp::runtime {

std::size_t replay_job_history(store::Store& store, const std::string& submitter_session_id,
                               const std::string& job_id, std::int64_t after_seq, Session& into) {
  store.flush();  // events appended a moment ago must be readable
  std::size_t n = 0;
  for (const auto& rec : store.read_job_events(submitter_session_id, job_id, after_seq)) {
    auto env = decode_envelope(*rec.frame);
    if (!env) continue;  // the log holds only frames we wrote; skip rather than stop
    into.deliver_event(env->type, job_id, env->trace_id, json::serialize(env->payload));
    ++n;
  }
  return n;
}

}  // namespace arcp::runtime
