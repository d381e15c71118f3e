// Internal: bearer tokens for `serve` from places that do not show in `ps`:
// --token-file files and the ARCP_TOKENS environment variable.
#pragma once

#include <arcp/error.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace arcp::serving {

/// TOKEN:PRINCIPAL split at the last colon; nullopt when either side is empty.
std::optional<std::pair<std::string, std::string>> split_token_entry(std::string_view entry);

/// The TOKEN:PRINCIPAL lines of `path` (trimmed; '#' comments and blank lines
/// skipped; at most 1 MiB). An error names the file and line, never a token.
Result<std::vector<std::string>> read_token_file(const std::string& path);

/// The entries of an ARCP_TOKENS value, separated by commas or newlines.
/// An error names the entry's position, never its text.
Result<std::vector<std::string>> parse_token_list(std::string_view value);

}  // namespace arcp::serving
