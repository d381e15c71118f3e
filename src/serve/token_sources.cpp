#include "serve/token_sources.hpp"

#include <fstream>

namespace arcp::serving {
namespace {

constexpr std::size_t kMaxTokenFileBytes = 1U << 20U;

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  auto last = s.find_last_not_of(kSpace);
  return s.substr(first, last - first + 1);
}

Error bad(std::string message) {
  return Error(ErrorCode::kInvalidRequest, std::move(message));
}

}  // namespace

std::optional<std::pair<std::string, std::string>> split_token_entry(std::string_view entry) {
  auto colon = entry.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == entry.size())
    return std::nullopt;
  return std::make_pair(std::string(entry.substr(0, colon)), std::string(entry.substr(colon + 1)));
}

Result<std::vector<std::string>> read_token_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return bad("--token-file " + path + ": cannot read the file");
  std::string text(kMaxTokenFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxTokenFileBytes) return bad("--token-file " + path + ": larger than 1 MiB");
  std::vector<std::string> entries;
  std::size_t line_number = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    auto end = rest.find('\n');
    auto line = trim(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    if (!split_token_entry(line))
      return bad("--token-file " + path + " line " + std::to_string(line_number) +
                 ": expected TOKEN:PRINCIPAL");
    entries.emplace_back(line);
  }
  if (entries.empty()) return bad("--token-file " + path + ": no TOKEN:PRINCIPAL line");
  return entries;
}

Result<std::vector<std::string>> parse_token_list(std::string_view value) {
  std::vector<std::string> entries;
  std::size_t position = 0;
  while (!value.empty()) {
    auto end = value.find_first_of(",\n");
    auto entry = trim(value.substr(0, end));
    value = end == std::string_view::npos ? std::string_view{} : value.substr(end + 1);
    if (entry.empty()) continue;
    ++position;
    if (!split_token_entry(entry))
      return bad("ARCP_TOKENS entry " + std::to_string(position) + ": expected TOKEN:PRINCIPAL");
    entries.emplace_back(entry);
  }
  return entries;
}

}  // namespace arcp::serving
