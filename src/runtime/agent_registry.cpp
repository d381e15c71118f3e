#include "runtime/agent_registry.hpp"

namespace arcp::runtime {

Result<void> AgentRegistry::add(const std::string& name, AgentBody handler,
                                const AgentOptions& options) {
  auto ref = parse_agent_ref(name + "@" + options.version);
  if (!ref || ref->name != name)
    return Error(ErrorCode::kInvalidRequest, "invalid agent name or version");
  if (std::visit([](const auto& h) { return !h; }, handler))
    return Error(ErrorCode::kInvalidRequest, "agent handler is empty");
  std::lock_guard lock(mu_);
  auto& entry = agents_[name];
  // A second registration of one name@version is a mistake (two agents
  // claiming one identity); replacing silently would hide which one runs.
  for (const auto& [v, h] : entry.versions)
    if (v == options.version)
      return Error(ErrorCode::kInvalidRequest,
                   "agent '" + name + "@" + v + "' is already registered",
                   json::object{{"agent", name}, {"version", v}});
  entry.versions.emplace_back(options.version, std::move(handler));
  if (options.make_default || entry.default_version.empty())
    entry.default_version = options.version;
  return {};
}

Result<ResolvedAgent> AgentRegistry::resolve(const AgentRef& ref) const {
  std::lock_guard lock(mu_);
  auto it = agents_.find(ref.name);
  if (it == agents_.end())
    return Error(ErrorCode::kAgentNotAvailable, "agent '" + ref.name + "' is not registered",
                 json::object{{"agent", ref.name}});
  const auto& entry = it->second;
  const std::string& want = ref.version.empty() ? entry.default_version : ref.version;
  for (const auto& [v, h] : entry.versions)
    if (v == want) return ResolvedAgent{ref.name, v, h};
  json::array available;
  for (const auto& [v, h] : entry.versions) available.emplace_back(v);
  return Error(
      ErrorCode::kAgentVersionNotAvailable,
      "agent '" + ref.name + "' has no version '" + ref.version + "'",
      json::object{{"agent", ref.name}, {"version", ref.version}, {"available", available}});
}

std::vector<AgentInfo> AgentRegistry::inventory() const {
  std::lock_guard lock(mu_);
  std::vector<AgentInfo> out;
  for (const auto& [name, entry] : agents_) {
    AgentInfo info{name, {}, entry.default_version};
    for (const auto& [v, h] : entry.versions) info.versions.push_back(v);
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace arcp::runtime
