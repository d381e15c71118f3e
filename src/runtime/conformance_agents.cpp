#include <arcp/conformance_agents.hpp>
#include <arcp/job_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>

#include "runtime/agent_input.hpp"

namespace arcp {
namespace runtime {
Result<void> register_authority_agents(Runtime& rt);  // authority_agents.cpp
Result<void> register_delegator_agent(Runtime& rt);   // delegator_agent.cpp
Result<void> register_artifact_agents(Runtime& rt);   // artifact_agents.cpp
}  // namespace runtime
namespace {

using runtime::input_object;
using runtime::int_param;

Result<json::value> echo(JobContext& ctx) {
  return ctx.input();
}

Result<void> emit_one(JobContext& ctx, std::string_view kind, std::int64_t i, std::int64_t n,
                      const std::string& pad) {
  std::string text = "event " + std::to_string(i + 1) + "/" + std::to_string(n) + pad;
  if (kind == "log") return ctx.log("info", text);
  if (kind == "thought") return ctx.thought(text);
  if (kind == "status") return ctx.status("working", text);
  if (kind == "metric") return ctx.metric("tick", static_cast<double>(i + 1), "count");
  if (kind == "progress")
    return ctx.progress(static_cast<double>(i + 1), static_cast<double>(n), "events", text);
  static constexpr std::string_view kMixed[] = {"log", "thought", "status", "metric", "progress"};
  std::string_view pick = kMixed[static_cast<std::size_t>(i) % 5];
  if (pick == "progress" && !ctx.has_feature("progress")) pick = "log";
  return emit_one(ctx, pick, i, n, pad);
}

struct ChattyParams {
  std::int64_t n = 10;
  std::int64_t delay_ms = 0;
  std::string kind = "log";
  std::string pad;
};

Result<ChattyParams> chatty_params(JobContext& ctx) {
  const auto& in = input_object(ctx);
  auto n = int_param(in, "n", 10, 100'000'000);
  auto delay = int_param(in, "delay_ms", 0, 60'000);
  auto body_bytes = int_param(in, "body_bytes", 0, 1'000'000);
  if (!n) return n.error();
  if (!delay) return delay.error();
  if (!body_bytes) return body_bytes.error();
  ChattyParams p{*n, *delay};
  if (const auto* k = get_string(in, "kind")) p.kind = std::string(*k);
  if (p.kind != "log" && p.kind != "metric" && p.kind != "progress" && p.kind != "status" &&
      p.kind != "thought" && p.kind != "mixed")
    return Error(ErrorCode::kInvalidRequest,
                 "input.kind must be log|metric|progress|status|thought|mixed");
  p.pad.assign(static_cast<std::size_t>(*body_bytes), 'x');
  if (!p.pad.empty()) p.pad.insert(0, " ");
  return p;
}

// Emits in bursts: between two bursts it waits for the session to take more
// (back-pressure) and lets the other work of its I/O thread run.
constexpr std::int64_t kChattyBurst = 64;

Awaitable<Result<json::value>> chatty(JobContext& ctx) {
  auto p = chatty_params(ctx);
  if (!p) co_return p.error();
  for (std::int64_t i = 0; i < p->n; ++i) {
    if (i % kChattyBurst == 0 && i > 0) {
      if (!co_await ctx.async_writable()) co_return Error(ErrorCode::kCancelled, "cancelled");
      if (i % (kChattyBurst * 64) == 0)
        co_await boost::asio::post(co_await boost::asio::this_coro::executor,
                                   boost::asio::use_awaitable);
    }
    if (ctx.cancelled()) co_return Error(ErrorCode::kCancelled, "cancelled");
    if (auto r = emit_one(ctx, p->kind, i, p->n, p->pad); !r) co_return r.error();
    if (p->delay_ms > 0 && !co_await ctx.async_sleep_for(std::chrono::milliseconds(p->delay_ms)))
      co_return Error(ErrorCode::kCancelled, "cancelled");
  }
  co_return json::object{{"emitted", p->n}};
}

struct SlowParams {
  std::int64_t ms = 5000;
  std::int64_t tick_ms = 100;
};

Result<SlowParams> slow_params(JobContext& ctx) {
  const auto& in = input_object(ctx);
  auto ms = int_param(in, "ms", 5000, 86'400'000);
  auto tick = int_param(in, "tick_ms", 100, 86'400'000);
  if (!ms) return ms.error();
  if (!tick) return tick.error();
  return SlowParams{*ms, std::max<std::int64_t>(1, *tick)};
}

// `slow` and `slow_blocking` behave alike: a `log` per tick, then the totals.
Awaitable<Result<json::value>> slow(JobContext& ctx) {
  auto p = slow_params(ctx);
  if (!p) co_return p.error();
  std::int64_t slept = 0;
  std::int64_t ticks = 0;
  while (slept < p->ms) {
    std::int64_t step = std::min(p->tick_ms, p->ms - slept);
    if (!co_await ctx.async_sleep_for(std::chrono::milliseconds(step)))
      co_return Error(ErrorCode::kCancelled, "cancelled");
    slept += step;
    ++ticks;
    if (auto r = ctx.log("debug", "tick " + std::to_string(ticks)); !r) co_return r.error();
  }
  co_return json::object{{"slept_ms", slept}, {"ticks", ticks}};
}

Result<json::value> slow_blocking(JobContext& ctx) {
  auto p = slow_params(ctx);
  if (!p) return p.error();
  std::int64_t slept = 0;
  std::int64_t ticks = 0;
  while (slept < p->ms) {
    std::int64_t step = std::min(p->tick_ms, p->ms - slept);
    if (!ctx.sleep_for(std::chrono::milliseconds(step)))
      return Error(ErrorCode::kCancelled, "cancelled");
    slept += step;
    ++ticks;
    if (auto r = ctx.log("debug", "tick " + std::to_string(ticks)); !r) return r.error();
  }
  return json::object{{"slept_ms", slept}, {"ticks", ticks}};
}

AgentHandler versioned(std::string version) {
  return [version](JobContext& ctx) -> Result<json::value> {
    return json::object{{"version", version}, {"input", ctx.input()}};
  };
}

Result<json::value> failing(JobContext& ctx) {
  const auto& in = input_object(ctx);
  ErrorCode code = ErrorCode::kInternalError;
  if (const auto* c = get_string(in, "code")) {
    auto parsed = error_code_from_string(*c);
    if (!parsed) return Error(ErrorCode::kInvalidRequest, "input.code is not an ARCP error code");
    code = *parsed;
  }
  std::string message = "failing agent failed as asked";
  if (const auto* m = get_string(in, "message")) message = std::string(*m);
  return Error(code, message);
}

Awaitable<Result<json::value>> progress(JobContext& ctx) {
  const auto& in = input_object(ctx);
  auto total = int_param(in, "total", 5, 10'000'000);
  auto tick = int_param(in, "tick_ms", 0, 60'000);
  if (!total) co_return total.error();
  if (!tick) co_return tick.error();
  for (std::int64_t i = 1; i <= *total; ++i) {
    if (*tick > 0 && !co_await ctx.async_sleep_for(std::chrono::milliseconds(*tick)))
      co_return Error(ErrorCode::kCancelled, "cancelled");
    if (*tick == 0 && i % kChattyBurst == 0 && !co_await ctx.async_writable())
      co_return Error(ErrorCode::kCancelled, "cancelled");
    Result<void> r =
        ctx.has_feature("progress")
            ? ctx.progress(static_cast<double>(i), static_cast<double>(*total), "steps",
                           "step " + std::to_string(i))
            : ctx.log("info", "step " + std::to_string(i) + "/" + std::to_string(*total));
    if (!r) co_return r.error();
  }
  co_return json::object{{"steps", *total}};
}

}  // namespace

Result<void> register_conformance_agents(Runtime& rt) {
  for (auto r : {rt.register_agent("echo", echo), rt.register_agent("chatty", chatty),
                 rt.register_agent("slow", slow), rt.register_agent("slow_blocking", slow_blocking),
                 rt.register_agent("versioned", versioned("1.0.0"), {"1.0.0", false}),
                 rt.register_agent("versioned", versioned("2.0.0"), {"2.0.0", true}),
                 rt.register_agent("failing", failing), rt.register_agent("progress", progress)})
    if (!r) return r;
  if (auto r = runtime::register_artifact_agents(rt); !r) return r;
  if (auto r = runtime::register_authority_agents(rt); !r) return r;
  return runtime::register_delegator_agent(rt);
}

}  // namespace arcp
