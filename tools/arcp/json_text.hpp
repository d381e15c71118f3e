// JSON as the CLI prints it: numbers the way people write them (0.6, not
// 6E-1; 1000000, not 1E6, for an integral double) and nothing else changed.
#pragma once

#include <arcp/json.hpp>
#include <string>
#include <string_view>

namespace arcp::cli {

/// A number as people write it: integral values without a fraction or an
/// exponent (up to 2^53), others in the shortest form that reads back exactly.
std::string number_text(double value);

/// Compact JSON (as json::serialize) with number_text() for doubles.
std::string json_text(const json::value& value);
std::string json_text(const json::object& value);

/// Re-serialises JSON text with json_text(); text that does not parse is
/// returned unchanged.
std::string json_text(std::string_view raw);

}  // namespace arcp::cli
