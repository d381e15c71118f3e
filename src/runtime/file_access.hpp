// Internal: the blocking file-system side of the fs.* helpers. The lease is
// checked by the caller, on the lexical path and again on the path with its
// symlinks resolved; these functions then open exactly that path and refuse
// any symlink on the way, so one swapped in between check and use fails.
#pragma once

#include <arcp/error.hpp>
#include <arcp/job_context.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace arcp::runtime {

/// The canonical absolute path with its symlinks resolved: of the whole
/// path when it exists, else of its longest existing prefix with the rest
/// appended. Never reads beyond what the caller may check.
std::string resolve_symlinks(const std::string& canonical);

Result<std::string> read_whole_file(const std::string& resolved, std::size_t max_bytes);
Result<void> write_whole_file(const std::string& resolved, std::string_view data);
Result<std::vector<DirEntry>> read_directory(const std::string& resolved, std::size_t max_entries);

}  // namespace arcp::runtime
