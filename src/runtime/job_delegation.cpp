// JobContext::delegate (§10) and the parent's ChildJob handle.
#include <arcp/event.hpp>
#include <arcp/ids.hpp>
#include <arcp/job_context.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <mutex>

#include "core/thread_role.hpp"
#include "runtime/job.hpp"
#include "runtime/offload.hpp"

namespace arcp {
namespace {

using runtime::Job;

json::object delegate_body(const DelegateRequest& r) {
  json::object body{{"delegate_id", r.delegate_id},
                    {"agent", r.agent},
                    {"input", r.input},
                    {"lease_request", r.lease_request}};
  if (r.lease_constraints) body["lease_constraints"] = *r.lease_constraints;
  return body;
}

// The delegate event, the runtime's checks and the child's acceptance; a
// refusal is the delegate_id's tool_result error.
Result<ChildJob> run_delegation(JobContext& ctx, const std::shared_ptr<Job>& job,
                                DelegateRequest& request) {
  if (request.delegate_id.empty()) request.delegate_id = new_id("del");
  if (request.delegate_id.size() > kMaxIdentifierBytes)
    return Error(ErrorCode::kInvalidRequest,
                 "delegate_id is longer than " + std::to_string(kMaxIdentifierBytes) + " bytes");
  if (auto r = job->emit(event_kind::kDelegate, delegate_body(request)); !r) return r.error();
  auto span = otel::start_span("arcp.delegate", otel::SpanKind::kInternal, job->spec().span);
  if (span) {
    span.set("arcp.job_id", job->spec().id);
    span.set("arcp.delegate_id", request.delegate_id);
    span.set("arcp.agent", request.agent);
  }
  auto child = job->spec().services->delegate(job, request);
  if (child)
    span.set("arcp.child_job_id", child.value()->spec().id);
  else
    span.set_error(to_string(child.error().code));
  if (!child) {
    (void)ctx.tool_error(request.delegate_id, child.error());
    if (child.error().code == ErrorCode::kLeaseExpired) job->end_lease_expired();
    return child.error();
  }
  return ChildJob(job, std::move(child.value()));
}

Error parent_stopped() {
  return Error(ErrorCode::kCancelled, "the parent job was asked to stop before the child ended");
}

Error still_running(std::chrono::milliseconds waited) {
  return Error(ErrorCode::kTimeout,
               "the child job is still running after " + std::to_string(waited.count()) + " ms");
}

std::chrono::steady_clock::time_point deadline_after(std::chrono::milliseconds timeout) {
  auto now = std::chrono::steady_clock::now();
  if (timeout >= std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::time_point::max() - now))
    return std::chrono::steady_clock::time_point::max();
  return now + timeout;
}

}  // namespace

Result<ChildJob> JobContext::delegate(DelegateRequest request) {
  if (core::on_event_loop_thread()) return runtime::blocking_on_io_thread("delegate");
  return run_delegation(*this, job_, request);
}

Awaitable<Result<ChildJob>> JobContext::async_delegate(DelegateRequest request) {
  // Creating the child may wait on the store or a credential provisioner:
  // the blocking pool does it, never an I/O thread.
  auto creating = runtime::offload<Result<ChildJob>>(
      *job_, [this, &request] { return run_delegation(*this, job_, request); });
  auto created = co_await std::move(creating);
  co_return created;
}

ChildJob::ChildJob(std::shared_ptr<runtime::Job> parent, std::shared_ptr<runtime::Job> child)
    : parent_(std::move(parent)), child_(std::move(child)) {}

const std::string& ChildJob::job_id() const {
  return child_->spec().id;
}
const std::string& ChildJob::delegate_id() const {
  return child_->spec().delegate_id;
}
const json::object& ChildJob::lease() const {
  return child_->spec().lease;
}
bool ChildJob::done() const {
  return is_terminal(child_->status());
}

Result<json::value> ChildJob::wait(std::chrono::milliseconds timeout) const {
  if (core::on_event_loop_thread()) return runtime::blocking_on_io_thread("ChildJob::wait");
  // One condition for both ways the wait ends: the child ended, or the
  // parent was asked to stop (which ends the child too, a moment later).
  struct Signal {
    std::mutex mu;
    std::condition_variable cv;
    bool fired = false;
  };
  auto signal = std::make_shared<Signal>();
  auto wake = [signal] {
    std::lock_guard lock(signal->mu);
    signal->fired = true;
    signal->cv.notify_all();
  };
  auto end_waiter = child_->add_end_waiter(wake);
  if (!end_waiter) return child_->outcome();
  auto stop_waiter = parent_->add_stop_waker(wake);
  {
    std::unique_lock lock(signal->mu);
    if (stop_waiter)
      signal->cv.wait_until(lock, deadline_after(timeout), [&] { return signal->fired; });
  }
  child_->remove_end_waiter(*end_waiter);
  if (stop_waiter) parent_->remove_stop_waker(*stop_waiter);
  if (is_terminal(child_->status())) return child_->outcome();
  if (parent_->stop_token().stop_requested()) return parent_stopped();
  return still_running(timeout);
}

Awaitable<Result<json::value>> ChildJob::async_wait(std::chrono::milliseconds timeout) const {
  auto ex = co_await boost::asio::this_coro::executor;
  auto timer = std::make_shared<boost::asio::steady_timer>(ex, deadline_after(timeout));
  // Wakers run on the thread that ends the job: they only post the wake-up.
  auto wake = [weak = std::weak_ptr(timer)] {
    if (auto t = weak.lock()) boost::asio::post(t->get_executor(), [t] { t->cancel(); });
  };
  auto end_waiter = child_->add_end_waiter(wake);
  if (!end_waiter) co_return child_->outcome();
  auto stop_waiter = parent_->add_stop_waker(wake);
  if (stop_waiter) co_await timer->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  child_->remove_end_waiter(*end_waiter);
  if (stop_waiter) parent_->remove_stop_waker(*stop_waiter);
  if (is_terminal(child_->status())) co_return child_->outcome();
  if (parent_->stop_token().stop_requested()) co_return parent_stopped();
  co_return still_running(timeout);
}

void ChildJob::cancel(const std::string& reason) const {
  child_->end_for_parent(parent_->spec().id, reason);
}

}  // namespace arcp
