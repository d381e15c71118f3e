#include "session_state.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace arcp::cli {
namespace {

namespace fs = std::filesystem;

fs::path file_of(const std::string& dir, const std::string& job_id) {
  // Job ids are ours (job_ + ULID); anything else cannot name a file here.
  std::string safe;
  for (char c : job_id)
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') safe.push_back(c);
  return fs::path(dir) / "sessions" / (safe + ".json");
}

}  // namespace

std::string default_state_dir() {
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg)
    return (fs::path(xdg) / "arcp").string();
  if (const char* home = std::getenv("HOME"); home && *home)
    return (fs::path(home) / ".local" / "state" / "arcp").string();
  return (fs::temp_directory_path() / "arcp-state").string();
}

bool save_session(const std::string& dir, const std::string& job_id, const SavedSession& s) {
  std::error_code ec;
  fs::path file = file_of(dir, job_id);
  fs::create_directories(file.parent_path(), ec);
  if (ec) return false;
  fs::permissions(file.parent_path(), fs::perms::owner_all, ec);
  json::object o{{"url", s.url},
                 {"session_id", s.state.session_id},
                 {"resume_token", s.state.resume_token},
                 {"last_event_seq", s.state.last_event_seq}};
  fs::path tmp = file;
  tmp += ".tmp";
  {
    mode_t old = ::umask(077);  // created 0600: the file holds a credential
    std::ofstream out(tmp, std::ios::trunc);
    ::umask(old);
    if (!out) return false;
    out << json::serialize(o) << '\n';
    if (!out) return false;
  }
  fs::rename(tmp, file, ec);
  return !ec;
}

std::optional<SavedSession> load_session(const std::string& dir, const std::string& job_id) {
  std::ifstream in(file_of(dir, job_id));
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  auto v = parse_json(text.str());
  if (!v || !v->is_object()) return std::nullopt;
  const auto& o = v->get_object();
  const auto* url = get_string(o, "url");
  const auto* sid = get_string(o, "session_id");
  const auto* token = get_string(o, "resume_token");
  if (!url || !sid || !token) return std::nullopt;
  return SavedSession{std::string(*url), ResumeState{std::string(*sid), std::string(*token),
                                                     get_int(o, "last_event_seq").value_or(0)}};
}

void forget_session(const std::string& dir, const std::string& job_id) {
  std::error_code ec;
  fs::remove(file_of(dir, job_id), ec);
}

}  // namespace arcp::cli
