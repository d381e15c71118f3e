// Agents: handlers the runtime runs for jobs, and their versioned registry.
#pragma once

#include <arcp/error.hpp>
#include <arcp/json.hpp>
#include <functional>
#include <string>

namespace arcp {

class JobContext;

/// An agent body. Runs on a worker thread; blocking code is fine. Return the
/// job's result value, or an Error to end the job with `job.error`. Exceptions
/// become INTERNAL_ERROR. Long-running agents should watch
/// `ctx.stop_token()` / `ctx.cancelled()` or use `ctx.sleep_for()`.
using AgentHandler = std::function<Result<json::value>(JobContext& ctx)>;

struct AgentOptions {
  /// Version string (opaque, §7.5). Defaults to "1.0.0".
  std::string version = "1.0.0";
  /// Makes this version the one a bare `name` resolves to. The first
  /// registered version is the default until another claims it.
  bool make_default = false;
};

}  // namespace arcp
