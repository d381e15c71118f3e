// RFC 3339 timestamps: emitted as UTC with milliseconds and `Z`.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace arcp {

using SystemTime = std::chrono::system_clock::time_point;

/// "2026-05-13T19:42:13.842Z"
std::string format_rfc3339(SystemTime t);
std::string now_rfc3339();

/// Parses any RFC 3339 date-time with `Z` or a numeric offset (normalised to UTC).
std::optional<SystemTime> parse_rfc3339(std::string_view text);
/// True when the text ends in `Z`/`z` (UTC designator), as §9.5 requires for expires_at.
bool is_utc_designator(std::string_view text);

}  // namespace arcp
