// Internal: reading the conformance agents' JSON input parameters.
#pragma once

#include <arcp/job_context.hpp>
#include <string>

namespace arcp::runtime {

inline const json::object& input_object(JobContext& ctx) {
  static const json::object kEmpty;
  return ctx.input().is_object() ? ctx.input().get_object() : kEmpty;
}

/// Reads an optional non-negative integer parameter.
inline Result<std::int64_t> int_param(const json::object& in, std::string_view key,
                                      std::int64_t def, std::int64_t max) {
  if (!in.contains(key)) return def;
  auto v = get_int(in, key);
  if (!v || *v < 0 || *v > max)
    return Error(
        ErrorCode::kInvalidRequest,
        "input." + std::string(key) + " must be an integer in [0, " + std::to_string(max) + "]");
  return *v;
}

inline std::string string_param(const json::object& in, std::string_view key, std::string def) {
  if (const auto* s = get_string(in, key)) return std::string(*s);
  return def;
}

}  // namespace arcp::runtime
