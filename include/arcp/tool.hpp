// Tools registered on a runtime and called by agents through
// `JobContext::call_tool` (`tool.call`, §9.2).
#pragma once

#include <arcp/agent.hpp>
#include <arcp/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace arcp {

class JobContext;

/// A blocking tool body: runs on the calling agent's thread, or on the
/// blocking pool when a coroutine agent calls it (never on an I/O thread).
using ToolHandler = std::function<Result<json::value>(JobContext& ctx, const json::value& args)>;
/// A coroutine tool body: runs on the calling job's strand.
using AsyncToolHandler =
    std::function<Awaitable<Result<json::value>>(JobContext& ctx, const json::value& args)>;

struct ToolOptions {
  /// The authority the tool itself uses: {capability, pattern} pairs that a
  /// calling job's lease must cover (e.g. {"net.fetch",
  /// "https://api.search.example/**"}), on top of `tool.call` for the
  /// tool's name. A job that cannot lend the tool this authority gets
  /// PERMISSION_DENIED before the tool runs.
  std::vector<std::pair<std::string, std::string>> needs;
  std::string description;
};

}  // namespace arcp
