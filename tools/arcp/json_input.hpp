// JSON typed on the command line (submit's INPUT_JSON, --lease, …): parsed as
// the client sends it, and when it is not valid, an error that says where.
#pragma once

#include <arcp/error.hpp>
#include <arcp/json.hpp>
#include <string_view>

namespace arcp::cli {

/// The parsed value, or INVALID_REQUEST "`what` is not valid JSON: <reason>
/// at line L, column C (byte N)" with a caret excerpt for one-line input.
Result<json::value> parse_json_input(std::string_view text, std::string_view what);

}  // namespace arcp::cli
