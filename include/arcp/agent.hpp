// Agents: handlers the runtime runs for jobs, and their versioned registry.
#pragma once

#include <arcp/error.hpp>
#include <arcp/json.hpp>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>

namespace arcp {

class JobContext;

/// A blocking agent body. Runs on its own thread from the runtime's elastic
/// blocking pool; blocking code is fine. Return the job's result value, or an
/// Error to end the job with `job.error`. Exceptions become INTERNAL_ERROR.
/// Long-running agents should watch `ctx.stop_token()` / `ctx.cancelled()`
/// or use `ctx.sleep_for()`.
using AgentHandler = std::function<Result<json::value>(JobContext& ctx)>;

/// A coroutine agent body: runs on the runtime's I/O threads and holds no
/// thread while it awaits, so thousands of waiting jobs cost memory, not
/// threads. It must not block: wait with the awaitable forms of JobContext
/// (`co_await ctx.async_sleep_for(d)`, `ctx.async_wait_stopped()`,
/// `ctx.async_writable()`) or any Asio operation on
/// `co_await boost::asio::this_coro::executor` (the job's strand). Return
/// and errors as for AgentHandler.
///
///   rt.register_agent("wait", [](arcp::JobContext& ctx) ->
///   arcp::Awaitable<arcp::Result<arcp::json::value>> {
///     if (!co_await ctx.async_sleep_for(std::chrono::seconds(2)))
///       co_return arcp::Error(arcp::ErrorCode::kCancelled, "stopped");
///     co_return arcp::json::object{{"waited", true}};
///   });
template <class T>
using Awaitable = boost::asio::awaitable<T>;
using AsyncAgentHandler = std::function<Awaitable<Result<json::value>>(JobContext& ctx)>;

struct AgentOptions {
  /// Version string (opaque, §7.5). Defaults to "1.0.0".
  std::string version = "1.0.0";
  /// Makes this version the one a bare `name` resolves to. The first
  /// registered version is the default until another claims it.
  bool make_default = false;
};

}  // namespace arcp
