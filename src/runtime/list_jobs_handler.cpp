// session.list_jobs (§6.6): filters, keyset pagination, principal scoping.
#include <arcp/job_messages.hpp>

#include "runtime/connection_handler.hpp"
#include "runtime/job_view.hpp"
#include "runtime/list_cursor.hpp"

namespace arcp::runtime {
namespace {

constexpr std::int64_t kDefaultLimit = 100;
constexpr std::int64_t kMaxLimit = 1000;

std::int64_t to_ms(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

void ConnectionHandler::handle_list_jobs(Runtime::Impl& rt, Envelope& env) {
  if (!session_->features().has(feature::kListJobs))
    return session_->send_error(Error(ErrorCode::kInvalidRequest,
                                      "the 'list_jobs' feature was not negotiated on this session"),
                                env.id);
  auto req = ListJobs::from_json(env.payload);
  if (!req) return session_->send_error(req.error(), env.id);

  store::JobQuery q;
  const std::string& me = session_->principal();
  // Default policy: the store filters by principal. A broader policy filters
  // row by row below.
  if (!rt.opts.observe_policy) q.principal = me;
  q.statuses = req->filter.status;
  q.agent = req->filter.agent;
  if (!req->filter.created_after.empty())
    q.created_after_ms = to_ms(*parse_rfc3339(req->filter.created_after));
  if (!req->filter.created_before.empty())
    q.created_before_ms = to_ms(*parse_rfc3339(req->filter.created_before));
  if (!req->cursor.empty()) {
    q.after = decode_list_cursor(req->cursor);
    if (!q.after)
      return session_->send_error(
          Error(ErrorCode::kInvalidRequest, "cursor is not one this runtime issued"), env.id);
  }
  auto limit = static_cast<std::size_t>(
      std::clamp(req->limit.value_or(kDefaultLimit), std::int64_t{1}, kMaxLimit));

  // Fetch one row more than the page to know whether another page exists.
  std::vector<store::JobRecord> page;
  q.limit = limit + 1;
  for (;;) {
    auto rows = rt.store->list_jobs(q);
    for (auto& r : rows)
      if (page.size() <= limit && rt.may_observe(me, r.principal)) page.push_back(std::move(r));
    if (page.size() > limit || rows.size() < q.limit) break;
    q.after = std::make_pair(rows.back().created_ms, rows.back().id);
  }

  Jobs out;
  out.request_id = env.id;
  bool more = page.size() > limit;
  if (more) page.resize(limit);
  for (auto& r : page) {
    // Running jobs: status and last seq move faster than the record.
    std::shared_ptr<Job> live;
    {
      std::lock_guard lock(rt.mu);
      if (auto it = rt.jobs.find(r.id); it != rt.jobs.end()) live = it->second;
    }
    out.jobs.push_back(job_list_entry(live ? live->record() : r));
  }
  if (more) out.next_cursor = encode_list_cursor(page.back().created_ms, page.back().id);
  session_->send_control(msg::kJobs, out.to_json());
}

}  // namespace arcp::runtime
