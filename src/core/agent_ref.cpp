#include <arcp/agent_ref.hpp>
#include <arcp/envelope.hpp>

namespace arcp {
namespace {
bool name_char(char c, bool first) {
  if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return !first && (c == '.' || c == '_' || c == '-');
}
bool version_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '+' || c == '_' || c == '-';
}
constexpr std::size_t kMaxRefLength = kMaxIdentifierBytes;
}  // namespace

Result<AgentRef> parse_agent_ref(std::string_view text) {
  if (text.empty() || text.size() > kMaxRefLength)
    return Error(ErrorCode::kInvalidRequest, "agent must be 1-256 characters");
  auto at = text.find('@');
  std::string_view name = text.substr(0, at);
  std::string_view version =
      at == std::string_view::npos ? std::string_view{} : text.substr(at + 1);
  if (name.empty()) return Error(ErrorCode::kInvalidRequest, "agent name is empty");
  for (std::size_t i = 0; i < name.size(); ++i)
    if (!name_char(name[i], i == 0))
      return Error(ErrorCode::kInvalidRequest, "agent name must match [a-z0-9][a-z0-9._-]*");
  if (at != std::string_view::npos) {
    if (version.empty()) return Error(ErrorCode::kInvalidRequest, "agent version is empty");
    for (char c : version)
      if (!version_char(c))
        return Error(ErrorCode::kInvalidRequest, "agent version must match [a-zA-Z0-9.+_-]+");
  }
  return AgentRef{std::string(name), std::string(version)};
}

}  // namespace arcp
