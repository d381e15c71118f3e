#include <arcp/event.hpp>
#include <arcp/job_context.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "runtime/job.hpp"

namespace arcp {
namespace {
// Whole numbers go out as integers so `3` stays `3` on the wire (not `3E0`).
json::value wire_number(double v) {
  if (v == static_cast<double>(static_cast<std::int64_t>(v)) && v < 9e15 && v > -9e15)
    return static_cast<std::int64_t>(v);
  return v;
}
}  // namespace

JobContext::JobContext(std::shared_ptr<runtime::Job> job) : job_(std::move(job)) {}

const std::string& JobContext::job_id() const {
  return job_->spec().id;
}
const std::string& JobContext::trace_id() const {
  return job_->spec().trace_id;
}
std::string JobContext::traceparent() const {
  return job_->spec().span.traceparent();
}
const std::string& JobContext::principal() const {
  return job_->spec().principal;
}
const json::value& JobContext::input() const {
  return job_->spec().input;
}
const json::object& JobContext::lease() const {
  return job_->spec().lease;
}
bool JobContext::has_feature(std::string_view f) const {
  return job_->spec().features.has(f);
}

const std::string& JobContext::agent() const {
  return job_->spec().agent_ref;
}

std::stop_token JobContext::stop_token() const {
  return job_->stop_token();
}
bool JobContext::cancelled() const {
  return job_->stop_token().stop_requested();
}
bool JobContext::sleep_for(std::chrono::milliseconds d) const {
  return job_->sleep_for(d);
}

namespace {
// Back-pressure is polled: congestion clears as the store commits, and the
// store's writer does not know the agents waiting for it.
constexpr auto kFirstWritablePoll = std::chrono::milliseconds(1);
constexpr auto kMaxWritablePoll = std::chrono::milliseconds(50);

// Waits on a timer that the job's stop cancels. The wake-up is posted to the
// timer's executor (the agent's strand), never run on another thread.
boost::asio::awaitable<void> stoppable_wait(runtime::Job& job,
                                            std::chrono::steady_clock::time_point until) {
  auto ex = co_await boost::asio::this_coro::executor;
  auto timer = std::make_shared<boost::asio::steady_timer>(ex, until);
  auto waker = job.add_stop_waker([weak = std::weak_ptr(timer)] {
    if (auto t = weak.lock()) boost::asio::post(t->get_executor(), [t] { t->cancel(); });
  });
  if (!waker) co_return;  // already stopping
  co_await timer->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  job.remove_stop_waker(*waker);
}
}  // namespace

boost::asio::awaitable<bool> JobContext::async_sleep_for(std::chrono::milliseconds d) const {
  co_await stoppable_wait(*job_, std::chrono::steady_clock::now() + d);
  co_return !cancelled();
}

void JobContext::wait_stopped() const {
  while (job_->sleep_for(std::chrono::hours(24))) {
  }
}

boost::asio::awaitable<void> JobContext::async_wait_stopped() const {
  while (!cancelled()) co_await stoppable_wait(*job_, std::chrono::steady_clock::time_point::max());
}

bool JobContext::writable() const {
  return job_->writable();
}

bool JobContext::wait_writable() const {
  auto poll = kFirstWritablePoll;
  while (!job_->writable()) {
    if (!job_->sleep_for(poll)) return false;
    poll = std::min(poll * 2, kMaxWritablePoll);
  }
  return !cancelled();
}

boost::asio::awaitable<bool> JobContext::async_writable() const {
  auto poll = kFirstWritablePoll;
  while (!job_->writable()) {
    if (!co_await async_sleep_for(poll)) co_return false;
    poll = std::min(poll * 2, kMaxWritablePoll);
  }
  co_return !cancelled();
}

Result<void> JobContext::log(std::string_view level, std::string_view message) {
  return job_->emit("log", json::object{{"level", level}, {"message", message}});
}

Result<void> JobContext::thought(std::string_view text) {
  return job_->emit("thought", json::object{{"text", text}});
}

Result<void> JobContext::status(std::string_view phase, std::string_view message) {
  json::object body{{"phase", phase}};
  if (!message.empty()) body["message"] = message;
  return job_->emit("status", std::move(body));
}

Result<void> JobContext::metric(std::string_view name, double value, std::string_view unit,
                                json::object dimensions) {
  json::object body{{"name", name}, {"value", wire_number(value)}};
  if (!unit.empty()) body["unit"] = unit;
  if (!dimensions.empty()) body["dimensions"] = std::move(dimensions);
  return job_->emit("metric", std::move(body));
}

Result<void> JobContext::tool_call(std::string_view tool, json::value args,
                                   std::string_view call_id) {
  return job_->emit("tool_call",
                    json::object{{"tool", tool}, {"args", std::move(args)}, {"call_id", call_id}});
}

Result<void> JobContext::tool_result(std::string_view call_id, json::value result) {
  return job_->emit("tool_result",
                    json::object{{"call_id", call_id}, {"result", std::move(result)}});
}

Result<void> JobContext::tool_error(std::string_view call_id, const Error& error) {
  return job_->emit("tool_result", json::object{{"call_id", call_id}, {"error", error.to_json()}});
}

Result<void> JobContext::artifact_ref(std::string_view uri, std::string_view content_type,
                                      std::optional<std::int64_t> byte_size,
                                      std::string_view sha256) {
  json::object body{{"uri", uri}, {"content_type", content_type}};
  if (byte_size) body["byte_size"] = *byte_size;
  if (!sha256.empty()) body["sha256"] = sha256;
  return job_->emit("artifact_ref", std::move(body));
}

Result<void> JobContext::progress(double current, std::optional<double> total,
                                  std::string_view units, std::string_view message) {
  json::object body;
  body["current"] = wire_number(current);
  if (total) body["total"] = wire_number(*total);
  if (!units.empty()) body["units"] = units;
  if (!message.empty()) body["message"] = message;
  return job_->emit("progress", std::move(body));
}

Result<void> JobContext::emit(std::string_view kind, json::object body) {
  // A delegate event announces a child job; one that created none would lie.
  if (kind == event_kind::kDelegate)
    return Error(ErrorCode::kInvalidRequest,
                 "a 'delegate' event is emitted by JobContext::delegate, which creates the child");
  return job_->emit(kind, std::move(body));
}

}  // namespace arcp
