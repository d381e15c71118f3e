// The CLI's saved sessions: `arcp submit` records how to resume the session
// that owns a job, so `arcp cancel` (the only way to cancel is from that
// session, §7.4) can resume it from another process. Files are 0600: they
// hold resume tokens, which are credentials.
#pragma once

#include <arcp/client.hpp>
#include <optional>
#include <string>

namespace arcp::cli {

struct SavedSession {
  std::string url;
  ResumeState state;
};

/// `--state-dir` default: $XDG_STATE_HOME/arcp, else ~/.local/state/arcp.
std::string default_state_dir();
/// Atomically replaces the record of `job_id`'s session. False on I/O errors.
bool save_session(const std::string& dir, const std::string& job_id, const SavedSession& s);
std::optional<SavedSession> load_session(const std::string& dir, const std::string& job_id);
void forget_session(const std::string& dir, const std::string& job_id);

}  // namespace arcp::cli
