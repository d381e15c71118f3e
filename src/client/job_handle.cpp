#include <arcp/job_handle.hpp>

#include "client/job_state.hpp"
#include "core/base64.hpp"

namespace arcp {
namespace client {

void JobState::push_event(JobEvent ev) {
  std::function<void(const JobEvent&)> cb;
  std::function<void()> wake;
  {
    std::lock_guard lock(mu);
    if (status == JobStatus::kPending) status = JobStatus::kRunning;  // its agent emits: started
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

void JobState::observe_status(JobStatus reported) {
  std::lock_guard lock(mu);
  if (!done) status = reported;
}

void JobState::on_result_chunk(const json::object& body) {
  std::function<Result<void>(std::string_view)> sink;
  std::string bytes;
  {
    std::lock_guard lock(mu);
    auto& st = streamed;
    if (st.error) return;
    auto fail = [&](std::string why) {
      st.error = Error(ErrorCode::kInternalError, "streamed result: " + why);
      st.data.clear();
      st.data.shrink_to_fit();
    };
    const auto* id = get_string(body, "result_id");
    auto seq = get_int(body, "chunk_seq");
    const auto* data = get_string(body, "data");
    const auto* enc = get_string(body, "encoding");
    auto more = get_bool(body, "more");
    if (!id || !seq || !data || !enc || !more) return fail("malformed result_chunk");
    if (st.result_id.empty()) st.result_id = std::string(*id);
    if (*id != st.result_id) return fail("chunks of two result ids");
    if (st.final_seen) return fail("a chunk after the final one");
    if (*seq != st.next_seq)
      return fail("expected chunk_seq " + std::to_string(st.next_seq) + ", got " +
                  std::to_string(*seq) + (st.next_seq == 0 ? " (subscribed mid-stream?)" : ""));
    if (*enc == "base64") {
      auto decoded = core::base64_decode(*data);
      if (!decoded) return fail("chunk " + std::to_string(*seq) + " is not valid base64");
      bytes = std::move(*decoded);
    } else {
      bytes.assign(data->data(), data->size());
    }
    ++st.next_seq;
    st.final_seen = !*more;
    st.size += static_cast<std::int64_t>(bytes.size());
    if (!st.sink) {
      if (st.data.size() + bytes.size() > st.cap)
        return fail("larger than the client's cap of " + std::to_string(st.cap) +
                    " bytes (ClientOptions::max_result_bytes; stream it with "
                    "JobHandle::stream_result_to)");
      st.data += bytes;
      return;
    }
    sink = st.sink;
  }
  // The sink runs outside the lock, on the reader thread, in chunk order.
  if (auto r = sink(bytes); !r) {
    std::lock_guard lock(mu);
    streamed.error = r.error();
  }
}

void JobState::finish_streamed(const std::string& result_id, std::optional<std::int64_t> size,
                               json::value reference) {
  {
    std::lock_guard lock(mu);
    auto& st = streamed;
    result_size = size;
    if (!st.error) {
      if (st.result_id != result_id)
        st.error = Error(ErrorCode::kInternalError,
                         "streamed result: job.result names a result whose chunks never came");
      else if (!st.final_seen)
        st.error = Error(ErrorCode::kInternalError, "streamed result: no final chunk");
      else if (size && *size != st.size)
        st.error = Error(ErrorCode::kInternalError, "streamed result: result_size " +
                                                        std::to_string(*size) + " but " +
                                                        std::to_string(st.size) + " bytes arrived");
    }
  }
  finish(JobStatus::kSuccess, std::move(reference), std::nullopt);
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
    span.set("arcp.job.status", to_string(s));
    if (error) span.set_error(to_string(error->code));
    span.end();
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

Result<std::string> JobHandle::result_bytes(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mu);
  if (!state_->cv.wait_for(lock, timeout, [&] { return state_->done; }))
    return Error(ErrorCode::kTimeout, "timed out waiting for the job's result");
  if (state_->error) return *state_->error;
  auto& st = state_->streamed;
  if (!state_->result_size && st.result_id.empty())
    return Error(ErrorCode::kInvalidRequest, "the job's result was inline, not streamed");
  if (st.error) return *st.error;
  if (st.sink) return Error(ErrorCode::kInvalidRequest, "the result went to stream_result_to");
  return st.data;
}

void JobHandle::stream_result_to(std::function<Result<void>(std::string_view)> sink) {
  // What was assembled goes first, outside the lock; chunks that race in
  // meanwhile are appended to `data` and taken by the next round, until the
  // sink is installed with nothing left behind.
  for (;;) {
    std::string backlog;
    {
      std::lock_guard lock(state_->mu);
      if (state_->streamed.error) return;
      if (state_->streamed.data.empty()) {
        state_->streamed.sink = std::move(sink);
        return;
      }
      backlog.swap(state_->streamed.data);
    }
    if (auto r = sink(backlog); !r) {
      std::lock_guard lock(state_->mu);
      state_->streamed.error = r.error();
      return;
    }
  }
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

std::vector<JobHandle> JobHandle::children() const {
  std::lock_guard lock(state_->mu);
  return state_->children;
}

void JobHandle::on_child(std::function<void(JobHandle)> f) {
  std::vector<JobHandle> known;
  {
    std::lock_guard lock(state_->mu);
    state_->child_callback = f;
    known = state_->children;
  }
  for (auto& child : known) f(child);
}

Result<void> JobHandle::cancel(const std::string& reason) {
  return cancel_(reason);
}

}  // namespace arcp
