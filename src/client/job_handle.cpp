#include <arcp/job_handle.hpp>

#include "client/job_state.hpp"

namespace arcp {
namespace client {

void JobState::push_event(JobEvent ev) {
  std::function<void(const JobEvent&)> cb;
  std::function<void()> wake;
  {
    std::lock_guard lock(mu);
    if (!callback) {
      events.push_back(std::move(ev));
      cv.notify_all();
      wake = take_waiter_locked();
    } else {
      cb = callback;
    }
  }
  if (wake) wake();
  if (cb) cb(ev);
}

void JobState::finish(JobStatus s, json::value r, std::optional<Error> e) {
  std::function<void()> wake;
  std::vector<std::function<void()>> finished;
  {
    std::lock_guard lock(mu);
    if (done) return;  // an idempotent replay of the terminal event changes nothing
    status = s;
    result = std::move(r);
    error = std::move(e);
    done = true;
    cv.notify_all();
    wake = take_waiter_locked();
    finished.swap(done_waiters);
  }
  if (wake) wake();
  for (auto& f : finished) f();
}

}  // namespace client

JobHandle::JobHandle(std::shared_ptr<client::JobState> state,
                     std::function<Result<void>(const std::string&)> cancel)
    : state_(std::move(state)), cancel_(std::move(cancel)) {}

const std::string& JobHandle::job_id() const {
  return state_->job_id;
}
const Accepted& JobHandle::accepted() const {
  return state_->accepted;
}

JobStatus JobHandle::status() const {
  std::lock_guard lock(state_->mu);
  return state_->status;
}

std::optional<JobEvent> JobHandle::next_event(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mu);
  state_->cv.wait_for(lock, timeout, [&] { return !state_->events.empty() || state_->done; });
  if (state_->events.empty()) return std::nullopt;
  JobEvent ev = std::move(state_->events.front());
  state_->events.pop_front();
  return ev;
}

void JobHandle::on_event(std::function<void(const JobEvent&)> callback) {
  std::deque<JobEvent> backlog;
  {
    std::lock_guard lock(state_->mu);
    backlog.swap(state_->events);
  }
  for (const auto& ev : backlog) callback(ev);
  std::lock_guard lock(state_->mu);
  // Events that raced in while the backlog drained go first, in order.
  for (const auto& ev : state_->events) callback(ev);
  state_->events.clear();
  state_->callback = std::move(callback);
}

Result<json::value> JobHandle::result(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mu);
  if (!state_->cv.wait_for(lock, timeout, [&] { return state_->done; }))
    return Error(ErrorCode::kTimeout, "timed out waiting for the job's result");
  if (state_->error) return *state_->error;
  return state_->result;
}

std::optional<JobEvent> JobHandle::try_next_event() {
  std::lock_guard lock(state_->mu);
  if (state_->events.empty()) return std::nullopt;
  JobEvent ev = std::move(state_->events.front());
  state_->events.pop_front();
  return ev;
}

bool JobHandle::done() const {
  std::lock_guard lock(state_->mu);
  return state_->done;
}

std::optional<Result<json::value>> JobHandle::try_result() const {
  std::lock_guard lock(state_->mu);
  if (!state_->done) return std::nullopt;
  if (state_->error) return Result<json::value>(*state_->error);
  return Result<json::value>(state_->result);
}

void JobHandle::when_ready(std::function<void()> f) {
  {
    std::lock_guard lock(state_->mu);
    if (state_->events.empty() && !state_->done) {
      state_->waiter = std::move(f);
      return;
    }
  }
  f();
}

void JobHandle::when_done(std::function<void()> f) {
  {
    std::lock_guard lock(state_->mu);
    if (!state_->done) {
      state_->done_waiters.push_back(std::move(f));
      return;
    }
  }
  f();
}

Result<void> JobHandle::cancel(const std::string& reason) {
  return cancel_(reason);
}

}  // namespace arcp
