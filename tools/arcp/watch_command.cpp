// `arcp watch JOB_ID`: subscribe with history (§7.6) and render the job live —
// its authority (lease, expiry, budget), events with a progress bar, outcome.
#include <fmt/core.h>

#include <arcp/client.hpp>

#include "client_flags.hpp"
#include "commands.hpp"
#include "event_printer.hpp"
#include "json_text.hpp"
#include "option_checks.hpp"

namespace arcp::cli {
namespace {

struct WatchArgs {
  ClientFlags conn;
  std::string job_id;
  std::int64_t from_seq = 0;
  std::int64_t resume_timeout = 60;
  bool no_history = false;
  bool json_lines = false;
};

int watch(const WatchArgs& a) {
  auto options = client_options("watch", a.conn);
  if (!options) return kExitUsage;
  options->resume_give_up_after = std::chrono::seconds(a.resume_timeout);
  int open_code = kExitSuccess;
  auto client = open_session("watch", a.conn.url, std::move(*options), open_code);
  if (!client) return open_code;
  if (a.json_lines) {
    client->on_envelope([](const Envelope&, const std::string& raw) {
      fmt::print("{}\n", json_text(std::string_view(raw)));
      std::fflush(stdout);
    });
  }
  SubscribeOptions so;
  so.history = !a.no_history;
  if (so.history) so.from_event_seq = a.from_seq;
  auto job = client->subscribe(a.job_id, so);
  if (!job) {
    fmt::print(stderr, "arcp watch: {}\n", job.error().describe());
    if (job.error().code == ErrorCode::kJobNotFound) return kExitNotFound;
    if (connection_lost_message(*client, job.error())) return kExitConnection;
    return kExitJobError;
  }
  EventPrinter printer(stdout);
  if (!a.json_lines) {
    const auto& acc = job->accepted();
    fmt::print("watching {} ({}, trace {})\n", job->job_id(), acc.agent, acc.trace_id);
    fmt::print("  lease: {}\n", json_text(acc.lease));
    if (acc.lease_constraints) fmt::print("  constraints: {}\n", json_text(*acc.lease_constraints));
    if (acc.budget) fmt::print("  budget: {}\n", json_text(*acc.budget));
    job->on_event([&printer](const JobEvent& ev) { printer.print(ev); });
  }
  auto outcome = job->result();
  int code = kExitSuccess;
  std::optional<std::string> lost;
  if (!outcome && job->status() == JobStatus::kError)
    lost = connection_lost_message(*client, outcome.error());
  if (lost) {
    printer.finish_progress();
    fmt::print(stderr, "arcp watch: job {}: {} (last error: {})\n", job->job_id(), *lost,
               outcome.error().describe());
    return kExitConnection;
  }
  code = a.json_lines ? exit_code_of(job->status()) : printer.print_outcome(*job, outcome);
  (void)client->close();
  return code;
}

}  // namespace

void add_watch_command(CLI::App& app, std::function<int()>& run) {
  auto a = std::make_shared<WatchArgs>();
  auto* cmd = app.add_subcommand(
      "watch", "Subscribe to a job and follow it live, to its outcome (no cancel authority)");
  cmd->add_option("job_id", a->job_id, "The job to watch")->required();
  add_client_flags(cmd, a->conn);
  cmd->add_option("--from-seq", a->from_seq, "Replay the job's events after this seq")
      ->capture_default_str();
  cmd->add_flag("--no-history", a->no_history,
                "Live events only (a finished job still reports its outcome)");
  cmd->add_option("--resume-timeout", a->resume_timeout,
                  "After a lost connection, try to resume for this many seconds")
      ->check(seconds_check(24 * 3600))
      ->capture_default_str();
  cmd->add_flag("--json", a->json_lines, "Print every received envelope as one JSON line");
  cmd->callback([a, &run] { run = [a] { return watch(*a); }; });
}

}  // namespace arcp::cli
