// §7.5 agent references: `name` or `name@version`.
#pragma once

#include <arcp/error.hpp>
#include <string>
#include <string_view>

namespace arcp {

struct AgentRef {
  std::string name;
  std::string version;  // empty = not pinned

  std::string to_string() const { return version.empty() ? name : name + "@" + version; }
};

/// Parses `name ::= [a-z0-9][a-z0-9._-]*`, `version ::= [a-zA-Z0-9.+_-]+`.
/// Violations → INVALID_REQUEST.
Result<AgentRef> parse_agent_ref(std::string_view text);

}  // namespace arcp
