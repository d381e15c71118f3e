// JSON value types used across the public API (Boost.JSON).
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace arcp {

namespace json = boost::json;

/// Parses text with precise number handling so numbers round-trip exactly.
/// Returns nullopt on malformed input (never throws).
std::optional<json::value> parse_json(std::string_view text);

/// Field access helpers: return nullptr/nullopt when absent or of the wrong type.
const json::string* get_string(const json::object& obj, std::string_view key);
const json::object* get_object(const json::object& obj, std::string_view key);
const json::array* get_array(const json::object& obj, std::string_view key);
std::optional<std::int64_t> get_int(const json::object& obj, std::string_view key);
std::optional<double> get_number(const json::object& obj, std::string_view key);
std::optional<bool> get_bool(const json::object& obj, std::string_view key);

/// Number → double regardless of whether Boost stored it as int64/uint64/double.
std::optional<double> as_number(const json::value& v);

}  // namespace arcp
