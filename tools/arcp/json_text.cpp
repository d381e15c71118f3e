#include "json_text.hpp"

#include <fmt/core.h>

#include <cmath>

namespace arcp::cli {
namespace {

constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53

void append(std::string& out, const json::value& v);

void append_object(std::string& out, const json::object& o) {
  out += '{';
  bool first = true;
  for (const auto& [key, value] : o) {
    if (!first) out += ',';
    first = false;
    out += json::serialize(json::string(key));
    out += ':';
    append(out, value);
  }
  out += '}';
}

void append(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::double_:
      out += number_text(v.get_double());
      return;
    case json::kind::object:
      append_object(out, v.get_object());
      return;
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += ',';
        first = false;
        append(out, item);
      }
      out += ']';
      return;
    }
    default:
      out += json::serialize(v);  // strings, integers, booleans, null
  }
}

}  // namespace

std::string number_text(double value) {
  if (!std::isfinite(value)) return "null";  // JSON has no NaN or infinity
  if (value == std::trunc(value) && std::fabs(value) <= kMaxExactInteger)
    return fmt::format("{}", static_cast<std::int64_t>(value));
  return fmt::format("{}", value);  // shortest round-trip form: 0.6, 1e-07
}

std::string json_text(const json::value& value) {
  std::string out;
  append(out, value);
  return out;
}

std::string json_text(const json::object& value) {
  std::string out;
  append_object(out, value);
  return out;
}

std::string json_text(std::string_view raw) {
  auto parsed = parse_json(raw);
  if (!parsed) return std::string(raw);
  return json_text(*parsed);
}

}  // namespace arcp::cli
