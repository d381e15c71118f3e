// `arcp tail --data-dir DIR`: reads a runtime's SQLite event log offline (or
// beside a live runtime: WAL lets readers in), filtered by session/job/seq.
#include <fmt/core.h>

#include <arcp/envelope.hpp>
#include <arcp/session_messages.hpp>

#include "commands.hpp"
#include "json_text.hpp"
#include "store/store.hpp"

namespace arcp::cli {
namespace {

struct TailArgs {
  std::string data_dir;
  std::string session;
  std::string job;
  std::int64_t after_seq = 0;
  bool json_lines = false;
};

/// One line per event: session, seq, job, type, and what the event says.
std::string summary(const Envelope& env) {
  const auto& p = env.payload;
  if (env.type == msg::kEvent) {
    std::string kind = p.contains("kind") && p.at("kind").is_string()
                           ? std::string(p.at("kind").as_string())
                           : "?";
    std::string body = p.contains("body") ? json_text(p.at("body")) : "{}";
    return kind + " " + body;
  }
  if (env.type == msg::kResult) return "result " + json_text(p);
  return "error " + json_text(p);
}

int tail(const TailArgs& a) {
  store::SqliteOptions so;
  so.read_only = true;
  auto st = store::open_sqlite_store(a.data_dir, so);
  if (!st) {
    fmt::print(stderr, "arcp tail: {}\n", st.error().describe());
    return kExitUsage;
  }
  store::EventScan scan;
  scan.session_id = a.session;
  scan.job_id = a.job;
  scan.after_seq = a.after_seq;
  std::size_t count = 0;
  for (;;) {
    auto batch = (*st)->scan_events(scan);
    for (const auto& r : batch) {
      ++count;
      if (a.json_lines) {
        fmt::print("{}\n", json_text(std::string_view(*r.frame)));
        continue;
      }
      auto env = decode_envelope(*r.frame);
      fmt::print("{} {:>8} {} {}\n", r.session_id, r.seq, r.job_id,
                 env ? summary(*env) : std::string("<unreadable frame>"));
    }
    if (batch.size() < scan.limit) break;
    scan.after = std::make_pair(batch.back().session_id, batch.back().seq);
  }
  if (!a.json_lines) fmt::print(stderr, "{} event(s)\n", count);
  return kExitSuccess;
}

}  // namespace

void add_tail_command(CLI::App& app, std::function<int()>& run) {
  auto a = std::make_shared<TailArgs>();
  auto* cmd = app.add_subcommand("tail", "Print events from a runtime's --data-dir event log");
  cmd->add_option("--data-dir", a->data_dir, "The runtime's data directory")->required();
  cmd->add_option("--session", a->session, "Only this session");
  cmd->add_option("--job", a->job, "Only this job");
  cmd->add_option("--after-seq", a->after_seq, "Only events with a higher seq")
      ->capture_default_str();
  cmd->add_flag("--json", a->json_lines, "Print each stored envelope as one JSON line");
  cmd->callback([a, &run] { run = [a] { return tail(*a); }; });
}

}  // namespace arcp::cli
