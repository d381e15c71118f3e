// `arcp cancel JOB_ID`: only the session that submitted a job may cancel it
// (§7.4), so this resumes that session from the record `arcp submit` left,
// sends job.cancel, hands the rotated token back, and detaches.
#include <fmt/core.h>

#include <arcp/client.hpp>
#include <condition_variable>
#include <mutex>

#include "client_flags.hpp"
#include "commands.hpp"
#include "session_state.hpp"

namespace arcp::cli {
namespace {

struct CancelArgs {
  ClientFlags conn;
  std::string job_id;
  std::string reason;
  std::string state_dir = default_state_dir();
};

/// What the runtime answered to the cancel.
struct Answer {
  enum Kind { kCancelled, kEnded, kError } kind = kError;
  std::string final_status;  // kEnded: the job's terminal status
};

int already_ended(const std::string& job_id, const std::string& status) {
  fmt::print(stderr, "arcp cancel: job {} already finished ({}); nothing to cancel\n", job_id,
             status.empty() ? "status unknown" : status);
  return kExitAlreadyEnded;
}

/// The job's status as a subscriber sees it (job.subscribed), when the
/// runtime offers subscribe; empty when it cannot be told.
std::string observed_status(Client& client, const std::string& job_id) {
  if (!client.features().has(feature::kSubscribe)) return {};
  auto job = client.subscribe(job_id, SubscribeOptions{});
  if (!job) return {};
  JobStatus status = job->status();  // job.subscribed's current_status
  (void)client.unsubscribe(job_id);
  return is_terminal(status) ? std::string(to_string(status)) : std::string();
}

int cancel(const CancelArgs& a) {
  auto saved = load_session(a.state_dir, a.job_id);
  auto options = client_options("cancel", a.conn);
  if (!options) return kExitUsage;
  ClientOptions& co = *options;
  co.auto_resume = false;
  std::string url = a.conn.url;
  if (saved) {
    if (url.empty()) url = saved->url;
    co.resume = saved->state;
    // Each welcome rotates the token: hand it back to the submitting process.
    co.on_resume_state = [&](const ResumeState& st) {
      save_session(a.state_dir, a.job_id, {url, st});
    };
  }
  if (url.empty()) {
    fmt::print(stderr, "arcp cancel: no --url and no recorded session for {} in {}\n", a.job_id,
               a.state_dir);
    return kExitUsage;
  }
  // Declared before the client: its reader thread may still call the
  // observer below until the client is destroyed.
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Answer> answer;
  int open_code = kExitSuccess;
  auto client = open_session("cancel", url, co, open_code);
  if (!client) return open_code;
  client->on_envelope([&](const Envelope& env, const std::string&) {
    if (env.job_id != a.job_id && env.type != msg::kSessionError) return;
    Answer got;
    if (env.type == msg::kCancelled) {
      got.kind = Answer::kCancelled;
    } else if (env.type == msg::kResult) {
      got = {Answer::kEnded, "success"};
    } else if (env.type == msg::kJobError) {
      const auto* status = get_string(env.payload, "final_status");
      got = {Answer::kEnded, status ? std::string(*status) : std::string("error")};
    } else if (env.type != msg::kSessionError) {
      return;
    }
    std::lock_guard lock(mu);
    if (!answer) answer = got;
    cv.notify_all();
  });
  (void)client->cancel(a.job_id, a.reason);
  {
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return answer.has_value(); });
  }
  int code = kExitSuccess;
  if (answer && answer->kind == Answer::kCancelled) {
    fmt::print("cancel requested for {}\n", a.job_id);
  } else if (auto err = client->next_session_error(
                 // The observer can see a session.error before the client
                 // has queued it: when one came, wait for it.
                 answer && answer->kind == Answer::kError ? std::chrono::milliseconds(5000)
                                                          : std::chrono::milliseconds(0))) {
    const auto* final_status = get_string(err->details, "final_status");
    if (final_status) {
      code = already_ended(a.job_id, std::string(*final_status));
    } else if (err->code == ErrorCode::kJobNotFound) {
      fmt::print(stderr, "arcp cancel: {}\n", err->describe());
      code = kExitNotFound;
    } else if (auto status = err->code == ErrorCode::kPermissionDenied
                                 ? observed_status(*client, a.job_id)
                                 : std::string();
               !status.empty()) {
      code = already_ended(a.job_id, status);
    } else {
      fmt::print(stderr, "arcp cancel: {}\n", err->describe());
      if (err->code == ErrorCode::kPermissionDenied && !saved)
        fmt::print(stderr,
                   "  only the submitting session may cancel; no record of it in {} "
                   "(was the job submitted with `arcp submit` on this machine?)\n",
                   a.state_dir);
      code = kExitJobError;
    }
  } else if (answer && answer->kind == Answer::kEnded) {
    code = already_ended(a.job_id, answer->final_status);
  } else {
    fmt::print(stderr, "arcp cancel: no answer from the runtime within 10 s\n");
    code = kExitConnection;
  }
  // Detach without closing anything server-side; the submitter resumes.
  Envelope bye;
  bye.type = std::string(msg::kBye);
  client->send(std::move(bye));
  return code;
}

}  // namespace

void add_cancel_command(CLI::App& app, std::function<int()>& run) {
  auto a = std::make_shared<CancelArgs>();
  auto* cmd = app.add_subcommand("cancel", "Cancel a job submitted with `arcp submit`");
  cmd->add_option("job_id", a->job_id, "The job to cancel")->required();
  add_client_flags(cmd, a->conn, /*url_optional=*/true);
  cmd->add_option("--reason", a->reason, "Why (sent to the agent)");
  cmd->add_option("--state-dir", a->state_dir, "Where `arcp submit` recorded its sessions")
      ->capture_default_str();
  cmd->callback([a, &run] { run = [a] { return cancel(*a); }; });
}

}  // namespace arcp::cli
