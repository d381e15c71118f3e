// Internal: registered agents by name and version, and §7.5 resolution.
#pragma once

#include <arcp/agent.hpp>
#include <arcp/agent_ref.hpp>
#include <arcp/session_messages.hpp>
#include <map>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

namespace arcp::runtime {

/// A blocking or a coroutine agent body.
using AgentBody = std::variant<AgentHandler, AsyncAgentHandler>;

struct ResolvedAgent {
  std::string name;
  std::string version;
  AgentBody body;
  bool is_coroutine() const { return body.index() == 1; }
  std::string ref() const { return name + "@" + version; }
};

class AgentRegistry {
 public:
  Result<void> add(const std::string& name, AgentBody body, const AgentOptions& options);
  /// AGENT_NOT_AVAILABLE for an unknown name, AGENT_VERSION_NOT_AVAILABLE for
  /// a known name without the pinned version.
  Result<ResolvedAgent> resolve(const AgentRef& ref) const;
  std::vector<AgentInfo> inventory() const;

 private:
  struct Entry {
    std::vector<std::pair<std::string, AgentBody>> versions;  // registration order
    std::string default_version;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry> agents_;
};

}  // namespace arcp::runtime
