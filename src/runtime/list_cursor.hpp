// Internal: the opaque `session.list_jobs` cursor — `<created_ms>.<job_id>` of
// the last row returned, a keyset that survives inserts and deletes (§6.6).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace arcp::runtime {

std::string encode_list_cursor(std::int64_t created_ms, const std::string& job_id);
/// nullopt for anything encode_list_cursor could not have produced.
std::optional<std::pair<std::int64_t, std::string>> decode_list_cursor(std::string_view cursor);

}  // namespace arcp::runtime
