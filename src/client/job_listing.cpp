// session.list_jobs from the client: one page, or every page lazily (§6.6).
#include <arcp/client.hpp>

#include "client/client_core.hpp"

namespace arcp {

Result<JobSummary> JobSummary::from_json(const json::object& e) {
  JobSummary s;
  const auto* id = get_string(e, "job_id");
  const auto* status = get_string(e, "status");
  if (!id || !status) return Error(ErrorCode::kInvalidRequest, "job entry lacks job_id or status");
  auto parsed = job_status_from_string(*status);
  if (!parsed) return Error(ErrorCode::kInvalidRequest, "job entry has an unknown status");
  s.job_id = std::string(*id);
  s.status = *parsed;
  if (const auto* v = get_string(e, "agent")) s.agent = std::string(*v);
  if (const auto* v = get_object(e, "lease")) s.lease = *v;
  if (const auto* v = get_object(e, "lease_constraints")) s.lease_constraints = *v;
  if (const auto* v = get_object(e, "budget")) s.budget = *v;
  if (const auto* v = get_string(e, "parent_job_id")) s.parent_job_id = std::string(*v);
  if (const auto* v = get_string(e, "created_at")) s.created_at = std::string(*v);
  if (const auto* v = get_string(e, "trace_id")) s.trace_id = std::string(*v);
  s.last_event_seq = get_int(e, "last_event_seq").value_or(0);
  return s;
}

Result<JobPage> Client::list_jobs_page(const ListJobs& request) {
  return core_->list_jobs_page(request);
}

Result<JobPage> Client::Core::list_jobs_page(const ListJobs& request) {
  Envelope env;
  env.type = std::string(msg::kListJobs);
  env.payload = request.to_json();
  auto reply = this->request(std::move(env));
  if (!reply) return reply.error();
  auto jobs = Jobs::from_json(reply->payload);
  if (!jobs) return jobs.error();
  JobPage page;
  page.next_cursor = jobs->next_cursor;
  for (const auto& entry : jobs->jobs) {
    if (!entry.is_object()) continue;
    auto s = JobSummary::from_json(entry.get_object());
    if (!s) return s.error();
    page.jobs.push_back(std::move(s.value()));
  }
  return page;
}

JobPages Client::list_jobs(ListJobsFilter filter, std::int64_t page_size) {
  JobPages pages;
  pages.core_ = core_;
  pages.request_.filter = std::move(filter);
  pages.request_.limit = page_size;
  return pages;
}

std::optional<Result<JobPage>> JobPages::next() {
  if (done_ || !core_) return std::nullopt;
  auto page = core_->list_jobs_page(request_);
  if (!page || page->next_cursor.empty()) done_ = true;
  if (page) request_.cursor = page->next_cursor;
  return page;
}

}  // namespace arcp
