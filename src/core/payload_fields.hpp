// Internal: small readers shared by the typed payload decoders.
#pragma once

#include <arcp/envelope.hpp>
#include <arcp/error.hpp>
#include <arcp/json.hpp>
#include <string>
#include <string_view>

namespace arcp::core {

inline Error invalid(std::string msg) {
  return Error(ErrorCode::kInvalidRequest, std::move(msg));
}

/// The string at `key`, or "" when absent or not a string.
inline std::string str_or(const json::object& o, std::string_view key) {
  const auto* s = get_string(o, key);
  return s ? std::string(*s) : std::string();
}

}  // namespace arcp::core
