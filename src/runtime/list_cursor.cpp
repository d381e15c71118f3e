#include "runtime/list_cursor.hpp"

#include <charconv>

namespace arcp::runtime {

std::string encode_list_cursor(std::int64_t created_ms, const std::string& job_id) {
  return std::to_string(created_ms) + "." + job_id;
}

std::optional<std::pair<std::int64_t, std::string>> decode_list_cursor(std::string_view c) {
  auto dot = c.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == c.size()) return std::nullopt;
  std::int64_t ms = 0;
  auto [end, ec] = std::from_chars(c.data(), c.data() + dot, ms);
  if (ec != std::errc() || end != c.data() + dot) return std::nullopt;
  return std::make_pair(ms, std::string(c.substr(dot + 1)));
}

}  // namespace arcp::runtime
