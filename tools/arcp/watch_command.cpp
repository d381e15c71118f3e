// `arcp watch JOB_ID`: subscribe with history (§7.6) and render the job live —
// its authority (lease, expiry, budget), events with a progress bar, outcome.
#include <fmt/core.h>

#include <arcp/client.hpp>

#include "commands.hpp"
#include "event_printer.hpp"
#include "tls_client_flags.hpp"

namespace arcp::cli {
namespace {

struct WatchArgs {
  std::string url;
  std::string token;
  TlsClientFlags tls;
  std::string job_id;
  std::int64_t from_seq = 0;
  bool no_history = false;
  bool json_lines = false;
};

int watch(const WatchArgs& a) {
  ClientOptions co;
  co.token = a.token;
  apply_tls_client_flags(a.tls, co.websocket);
  auto client = Client::connect(a.url, co);
  if (!client) {
    fmt::print(stderr, "arcp watch: cannot open session: {}\n", client.error().describe());
    return kExitUsage;
  }
  if (a.json_lines) {
    (*client)->on_envelope([](const Envelope&, const std::string& raw) {
      std::fwrite(raw.data(), 1, raw.size(), stdout);
      std::fputc('\n', stdout);
      std::fflush(stdout);
    });
  }
  SubscribeOptions so;
  so.history = !a.no_history;
  if (so.history) so.from_event_seq = a.from_seq;
  auto job = (*client)->subscribe(a.job_id, so);
  if (!job) {
    fmt::print(stderr, "arcp watch: {}\n", job.error().describe());
    return job.error().code == ErrorCode::kJobNotFound ? kExitJobError : kExitUsage;
  }
  EventPrinter printer(stdout);
  if (!a.json_lines) {
    const auto& acc = job->accepted();
    fmt::print("watching {} ({}, trace {})\n", job->job_id(), acc.agent, acc.trace_id);
    fmt::print("  lease: {}\n", json::serialize(acc.lease));
    if (acc.lease_constraints)
      fmt::print("  constraints: {}\n", json::serialize(*acc.lease_constraints));
    if (acc.budget) fmt::print("  budget: {}\n", json::serialize(*acc.budget));
    job->on_event([&printer](const JobEvent& ev) { printer.print(ev); });
  }
  auto outcome = job->result();
  int code = a.json_lines ? kExitSuccess : printer.print_outcome(*job, outcome);
  (void)(*client)->close();
  return code;
}

}  // namespace

void add_watch_command(CLI::App& app, std::function<int()>& run) {
  auto a = std::make_shared<WatchArgs>();
  auto* cmd = app.add_subcommand("watch", "Subscribe to a job and follow it live (no cancel)");
  cmd->add_option("job_id", a->job_id, "The job to watch")->required();
  cmd->add_option("--url", a->url, "Runtime URL: ws://, wss:// or stdio:<command>")->required();
  cmd->add_option("--token", a->token, "Bearer token");
  add_tls_client_flags(cmd, a->tls);
  cmd->add_option("--from-seq", a->from_seq, "Replay the job's events after this seq")
      ->capture_default_str();
  cmd->add_flag("--no-history", a->no_history, "Live events only");
  cmd->add_flag("--json", a->json_lines, "Print every received envelope as one JSON line");
  cmd->callback([a, &run] { run = [a] { return watch(*a); }; });
}

}  // namespace arcp::cli
