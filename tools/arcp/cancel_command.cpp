// `arcp cancel JOB_ID`: only the session that submitted a job may cancel it
// (§7.4), so this resumes that session from the record `arcp submit` left,
// sends job.cancel, hands the rotated token back, and detaches.
#include <fmt/core.h>

#include <arcp/client.hpp>
#include <condition_variable>
#include <mutex>

#include "commands.hpp"
#include "session_state.hpp"
#include "tls_client_flags.hpp"

namespace arcp::cli {
namespace {

struct CancelArgs {
  std::string url;
  std::string token;
  TlsClientFlags tls;
  std::string job_id;
  std::string reason;
  std::string state_dir = default_state_dir();
};

int cancel(const CancelArgs& a) {
  auto saved = load_session(a.state_dir, a.job_id);
  ClientOptions co;
  co.token = a.token;
  apply_tls_client_flags(a.tls, co.websocket);
  co.auto_resume = false;
  std::string url = a.url;
  if (saved) {
    if (url.empty()) url = saved->url;
    co.resume = saved->state;
    // Each welcome rotates the token: hand it back to the submitting process.
    co.on_resume_state = [&](const ResumeState& st) {
      save_session(a.state_dir, a.job_id, {url, st});
    };
  }
  if (url.empty()) {
    fmt::print(stderr, "arcp cancel: no --url and no recorded session for {}\n", a.job_id);
    return kExitUsage;
  }
  // Declared before the client: its reader thread may still call the
  // observer below until the client is destroyed.
  std::mutex mu;
  std::condition_variable cv;
  std::optional<std::string> answer;
  auto client = Client::connect(url, co);
  if (!client) {
    fmt::print(stderr, "arcp cancel: cannot open session: {}\n", client.error().describe());
    return kExitUsage;
  }
  (*client)->on_envelope([&](const Envelope& env, const std::string&) {
    if (env.job_id != a.job_id && env.type != msg::kSessionError) return;
    std::string outcome;
    if (env.type == msg::kCancelled) outcome = "cancelled";
    if (env.type == msg::kResult || env.type == msg::kJobError) outcome = "ended";
    if (env.type == msg::kSessionError) outcome = "error";
    if (outcome.empty()) return;
    std::lock_guard lock(mu);
    if (!answer) answer = outcome;
    cv.notify_all();
  });
  (void)(*client)->cancel(a.job_id, a.reason);
  {
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return answer.has_value(); });
  }
  int code = kExitSuccess;
  if (answer == "cancelled") {
    fmt::print("cancel requested for {}\n", a.job_id);
  } else if (auto err = (*client)->next_session_error(
                 // The observer can see a session.error before the client
                 // has queued it: when one came, wait for it.
                 answer == "error" ? std::chrono::milliseconds(5000)
                                   : std::chrono::milliseconds(0))) {
    fmt::print(stderr, "arcp cancel: {}\n", err->describe());
    if (err->code == ErrorCode::kPermissionDenied && !saved)
      fmt::print(stderr,
                 "  only the submitting session may cancel; no record of it in {} "
                 "(was the job submitted with `arcp submit` on this machine?)\n",
                 a.state_dir);
    code = kExitJobError;
  } else if (answer == "ended") {
    fmt::print("{} had already ended\n", a.job_id);
  } else {
    fmt::print(stderr, "arcp cancel: no answer from the runtime\n");
    code = kExitJobError;
  }
  // Detach without closing anything server-side; the submitter resumes.
  Envelope bye;
  bye.type = std::string(msg::kBye);
  (*client)->send(std::move(bye));
  return code;
}

}  // namespace

void add_cancel_command(CLI::App& app, std::function<int()>& run) {
  auto a = std::make_shared<CancelArgs>();
  auto* cmd = app.add_subcommand("cancel", "Cancel a job submitted with `arcp submit`");
  cmd->add_option("job_id", a->job_id, "The job to cancel")->required();
  cmd->add_option("--url", a->url, "Runtime URL (default: the one the job was submitted to)");
  cmd->add_option("--token", a->token, "Bearer token");
  add_tls_client_flags(cmd, a->tls);
  cmd->add_option("--reason", a->reason, "Why (sent to the agent)");
  cmd->add_option("--state-dir", a->state_dir, "Where `arcp submit` recorded its sessions")
      ->capture_default_str();
  cmd->callback([a, &run] { run = [a] { return cancel(*a); }; });
}

}  // namespace arcp::cli
