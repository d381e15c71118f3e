#include <arcp/json.hpp>
#include <cmath>

namespace arcp {

std::optional<json::value> parse_json(std::string_view text) {
  // One parser per thread: its internal stack is reused across frames. Each
  // document gets its own monotonic arena, so a frame's many small strings and
  // objects cost a couple of allocations instead of one each; the arena lives
  // as long as any value parsed into it.
  thread_local json::parser parser = [] {
    json::parse_options opts;
    opts.numbers = json::number_precision::precise;
    opts.max_depth = 64;
    return json::parser(json::storage_ptr(), opts);
  }();
  parser.reset(json::make_shared_resource<json::monotonic_resource>());
  boost::system::error_code ec;
  parser.write(text.data(), text.size(), ec);
  if (ec) {
    parser.reset();
    return std::nullopt;
  }
  return parser.release();
}

const json::string* get_string(const json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  return (it != obj.end() && it->value().is_string()) ? &it->value().get_string() : nullptr;
}

const json::object* get_object(const json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  return (it != obj.end() && it->value().is_object()) ? &it->value().get_object() : nullptr;
}

const json::array* get_array(const json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  return (it != obj.end() && it->value().is_array()) ? &it->value().get_array() : nullptr;
}

std::optional<std::int64_t> get_int(const json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end()) return std::nullopt;
  const auto& v = it->value();
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v.get_uint64());
  if (v.is_double()) {
    double d = v.get_double();
    // Range first: casting an out-of-range double to int64 is undefined behaviour.
    if (d >= -9.2e18 && d <= 9.2e18 && d == std::trunc(d)) return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

std::optional<double> as_number(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  return std::nullopt;
}

std::optional<double> get_number(const json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end()) return std::nullopt;
  return as_number(it->value());
}

std::optional<bool> get_bool(const json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->value().is_bool()) return std::nullopt;
  return it->value().get_bool();
}

}  // namespace arcp
