// `arcp jobs`: the jobs this principal may see (§6.6), as a table or JSON.
#include <fmt/core.h>

#include <arcp/client.hpp>

#include "client_flags.hpp"
#include "commands.hpp"
#include "json_text.hpp"
#include "option_checks.hpp"

namespace arcp::cli {
namespace {

struct JobsArgs {
  ClientFlags conn;
  std::vector<std::string> status;
  std::string agent;
  std::string created_after;
  std::string created_before;
  std::int64_t page_size = 100;
  bool json_lines = false;
};

int list(const JobsArgs& a) {
  auto options = client_options("jobs", a.conn);
  if (!options) return kExitUsage;
  int open_code = kExitSuccess;
  auto client = open_session("jobs", a.conn.url, std::move(*options), open_code);
  if (!client) return open_code;
  if (!client->features().has(feature::kListJobs)) {
    fmt::print(stderr, "arcp jobs: the runtime does not offer list_jobs\n");
    return kExitJobError;
  }
  ListJobsFilter filter{a.status, a.agent, a.created_after, a.created_before};
  auto pages = client->list_jobs(filter, a.page_size);
  // A delegated child names its parent (§10); no trailing spaces otherwise.
  auto row = [](const std::string& line) {
    std::string out = line;
    while (!out.empty() && out.back() == ' ') out.pop_back();
    fmt::print("{}\n", out);
  };
  bool header_printed = false;
  std::size_t count = 0;
  while (auto page = pages.next()) {
    if (!*page) {
      fmt::print(stderr, "arcp jobs: {}\n", page->error().describe());
      return connection_lost_message(*client, page->error()) ? kExitConnection : kExitJobError;
    }
    if (!a.json_lines && !header_printed) {
      header_printed = true;
      row(fmt::format("{:<32} {:<22} {:<10} {:<24} {:>8}  {}", "JOB", "AGENT", "STATUS", "CREATED",
                      "LAST SEQ", "PARENT"));
    }
    for (const auto& j : (*page)->jobs) {
      ++count;
      if (a.json_lines) {
        json::object o{{"job_id", j.job_id},
                       {"agent", j.agent},
                       {"status", to_string(j.status)},
                       {"created_at", j.created_at},
                       {"trace_id", j.trace_id},
                       {"last_event_seq", j.last_event_seq},
                       {"lease", j.lease}};
        if (!j.parent_job_id.empty()) o["parent_job_id"] = j.parent_job_id;  // §10
        fmt::print("{}\n", json_text(o));
      } else {
        row(fmt::format("{:<32} {:<22} {:<10} {:<24} {:>8}  {}", j.job_id, j.agent,
                        to_string(j.status), j.created_at, j.last_event_seq, j.parent_job_id));
      }
    }
  }
  if (!a.json_lines) fmt::print("{} job(s)\n", count);
  (void)client->close();
  return kExitSuccess;
}

}  // namespace

void add_jobs_command(CLI::App& app, std::function<int()>& run) {
  auto a = std::make_shared<JobsArgs>();
  auto* cmd = app.add_subcommand("jobs", "List the jobs this principal may see");
  add_client_flags(cmd, a->conn);
  std::string statuses;
  for (const auto& n : job_status_names()) statuses += (statuses.empty() ? "" : ", ") + n;
  cmd->add_option("--status", a->status, "Only these statuses (repeatable): " + statuses)
      ->check(job_status_check());
  cmd->add_option("--agent", a->agent, "Only this agent (name, or name@version)");
  cmd->add_option("--created-after", a->created_after, "RFC 3339 time");
  cmd->add_option("--created-before", a->created_before, "RFC 3339 time");
  cmd->add_option("--page-size", a->page_size, "Jobs per session.list_jobs request")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_flag("--json", a->json_lines, "One JSON object per job");
  cmd->callback([a, &run] { run = [a] { return list(*a); }; });
}

}  // namespace arcp::cli
