#include <arcp/canonical.hpp>
#include <arcp/lease.hpp>

#include "runtime/job_services.hpp"

namespace arcp::runtime {

Result<void> ToolRegistry::add(const std::string& name, ToolBody body, ToolOptions options) {
  if (auto ok = canonical_name(name); !ok)
    return Error(ErrorCode::kInvalidRequest, "bad tool name: " + ok.error().message);
  // The needs must be patterns the lease engine understands, checked once here.
  json::object needs;
  for (const auto& [capability, pattern] : options.needs) {
    if (!glob_kind_of(capability))
      return Error(ErrorCode::kInvalidRequest,
                   "tool '" + name + "' needs '" + capability + "', which takes no patterns");
    auto& list = needs[capability];
    if (!list.is_array()) list = json::array();
    list.get_array().emplace_back(pattern);
  }
  if (auto ok = validate_lease(needs); !ok) return ok.error();
  auto compiled = CompiledLease::compile(needs);
  if (!compiled) return compiled.error();
  std::lock_guard lock(mu_);
  if (tools_.contains(name))
    return Error(ErrorCode::kInvalidRequest, "tool '" + name + "' is already registered");
  tools_.emplace(name,
                 std::make_shared<const RegisteredTool>(RegisteredTool{
                     name, std::move(body), std::move(options), std::move(compiled.value())}));
  return {};
}

std::shared_ptr<const RegisteredTool> ToolRegistry::find(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = tools_.find(name);
  return it == tools_.end() ? nullptr : it->second;
}

}  // namespace arcp::runtime
