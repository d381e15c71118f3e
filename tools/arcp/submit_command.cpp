#include <fmt/core.h>

#include <arcp/client.hpp>
#include <arcp/ids.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>

#include "client_flags.hpp"
#include "commands.hpp"
#include "event_printer.hpp"
#include "json_input.hpp"
#include "json_text.hpp"
#include "option_checks.hpp"
#include "session_state.hpp"

namespace arcp::cli {
namespace {

struct SubmitArgs {
  ClientFlags conn;
  std::string agent;
  std::string input = "{}";
  std::string lease;
  std::string lease_constraints;
  std::string idempotency_key;
  std::string trace_id;
  std::int64_t max_runtime = 0;
  std::int64_t resume_timeout = 60;
  bool json_lines = false;
  std::string output;  // streamed result (§8.4) destination; "-" = stdout
  std::string state_dir = default_state_dir();
};

std::optional<json::object> parse_object_arg(const std::string& text, const char* what) {
  auto v = parse_json_input(text, what);
  if (!v) {
    fmt::print(stderr, "arcp submit: {}\n", v.error().message);
    return std::nullopt;
  }
  if (!v->is_object()) {
    fmt::print(stderr, "arcp submit: {} must be a JSON object\n", what);
    return std::nullopt;
  }
  return v->get_object();
}

int submit(const SubmitArgs& a) {
  SubmitOptions so;
  so.agent = a.agent;
  auto input = parse_json_input(a.input, "INPUT_JSON");
  if (!input) {
    fmt::print(stderr, "arcp submit: {}\n", input.error().message);
    return kExitUsage;
  }
  so.input = *input;
  if (!a.lease.empty()) {
    auto l = parse_object_arg(a.lease, "--lease");
    if (!l) return kExitUsage;
    so.lease_request = *l;
  }
  if (!a.lease_constraints.empty()) {
    auto l = parse_object_arg(a.lease_constraints, "--lease-constraints");
    if (!l) return kExitUsage;
    so.lease_constraints = *l;
  }
  // Always keyed: a submit in flight when the connection drops is re-sent
  // after the resume and cannot start the job twice (§7.2).
  so.idempotency_key = a.idempotency_key.empty() ? new_id("cli") : a.idempotency_key;
  so.trace_id = a.trace_id;
  if (a.max_runtime > 0) so.max_runtime_sec = a.max_runtime;

  auto options = client_options("submit", a.conn);
  if (!options) return kExitUsage;
  ClientOptions& co = *options;
  co.resume_give_up_after = std::chrono::seconds(a.resume_timeout);
  // No auto-ack: acked events may be freed, and `arcp cancel` resumes from
  // the seq recorded below, which trails what this process has seen.
  co.ack_every_events = 0;
  // The session's resume state is shared through a 0600 file so that
  // `arcp cancel` can act for this session from another process; both sides
  // pick up the token the other rotated.
  auto job_id = std::make_shared<std::string>();
  auto mu = std::make_shared<std::mutex>();
  co.on_resume_state = [a, job_id, mu](const ResumeState& st) {
    std::lock_guard lock(*mu);
    if (!job_id->empty()) save_session(a.state_dir, *job_id, {a.conn.url, st});
  };
  co.load_resume_state = [a, job_id, mu]() -> std::optional<ResumeState> {
    std::lock_guard lock(*mu);
    if (job_id->empty()) return std::nullopt;
    auto saved = load_session(a.state_dir, *job_id);
    if (!saved) return std::nullopt;
    return saved->state;
  };
  int open_code = kExitSuccess;
  auto client = open_session("submit", a.conn.url, co, open_code);
  if (!client) return open_code;
  if (a.json_lines) {
    client->on_envelope([](const Envelope&, const std::string& raw) {
      fmt::print("{}\n", json_text(std::string_view(raw)));
      std::fflush(stdout);
    });
  }
  auto job = client->submit(so);
  if (!job) {
    const Error& e = job.error();
    fmt::print(stderr, "arcp submit: rejected: {}\n", e.describe());
    if (e.code == ErrorCode::kAgentNotAvailable || e.code == ErrorCode::kAgentVersionNotAvailable)
      print_available_agents("submit", client->welcome());
    if (auto lost = connection_lost_message(*client, e)) {
      fmt::print(stderr, "arcp submit: {}\n", *lost);
      return kExitConnection;
    }
    return kExitJobError;
  }
  {
    std::lock_guard lock(*mu);
    *job_id = job->job_id();
    save_session(a.state_dir, *job_id, {a.conn.url, client->resume_state()});
  }
  // A streamed result (§8.4) is written as its chunks arrive, never held whole.
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> out_file(nullptr, &std::fclose);
  if (!a.output.empty()) {
    std::FILE* f = stdout;
    if (a.output != "-") {
      out_file.reset(std::fopen(a.output.c_str(), "wb"));
      if (!out_file) {
        fmt::print(stderr, "arcp submit: cannot write {}: {}\n", a.output, std::strerror(errno));
        (void)job->cancel("the client cannot write its --output file");
        return kExitUsage;
      }
      f = out_file.get();
    }
    job->stream_result_to([f](std::string_view bytes) -> Result<void> {
      if (std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size())
        return Error(ErrorCode::kInternalError, "cannot write the result: short write");
      return {};
    });
  }
  // Shared with the children's callbacks, which may outlive this frame (a
  // child's revocation can finish after its parent's outcome, §9.8.2).
  auto shared_printer = std::make_shared<EventPrinter>(stdout);
  EventPrinter& printer = *shared_printer;
  auto last_save = std::chrono::steady_clock::now();
  if (!a.json_lines) {
    fmt::print("→ job {} accepted as {} (trace {})\n", job->job_id(), job->accepted().agent,
               job->accepted().trace_id);
    follow_children(shared_printer, *job);
    job->on_event([&](const JobEvent& ev) {
      printer.print(ev);
      // Keep the record's seq recent so `arcp cancel` replays little.
      auto now = std::chrono::steady_clock::now();
      if (now - last_save > std::chrono::milliseconds(500)) {
        last_save = now;
        std::lock_guard lock(*mu);
        save_session(a.state_dir, *job_id, {a.conn.url, client->resume_state()});
      }
    });
  }
  auto outcome = job->result();
  if (outcome && !a.output.empty() && outcome->is_object() &&
      outcome->get_object().contains("result_id")) {
    if (out_file && std::fflush(out_file.get()) != 0)
      outcome = Error(ErrorCode::kInternalError, "cannot write " + a.output);
    else if (auto bytes = job->result_bytes();
             !bytes && bytes.error().code != ErrorCode::kInvalidRequest)
      outcome = bytes.error();  // the assembly failed: incomplete result
  } else if (outcome && a.output.empty() && !a.json_lines && outcome->is_object() &&
             outcome->get_object().contains("result_id")) {
    // No --output: a streamed text result is shown like an inline one.
    if (auto bytes = job->result_bytes())
      outcome = json::value(json::string(*bytes));
    else
      outcome = bytes.error();
  }
  int code = kExitSuccess;
  std::optional<std::string> lost;
  if (!outcome && job->status() == JobStatus::kError)
    lost = connection_lost_message(*client, outcome.error());
  if (lost) {
    printer.finish_progress();
    fmt::print(stderr, "arcp submit: job {}: {} (last error: {})\n", job->job_id(), *lost,
               outcome.error().describe());
    code = kExitConnection;
  } else if (a.json_lines) {
    code = exit_code_of(job->status());
  } else {
    code = printer.print_outcome(*job, outcome);
  }
  if (lost) return code;  // the session may still be resumed: keep its record
  (void)client->close();
  forget_session(a.state_dir, job->job_id());
  return code;
}

}  // namespace

void add_submit_command(CLI::App& app, std::function<int()>& run) {
  auto a = std::make_shared<SubmitArgs>();
  auto* cmd = app.add_subcommand("submit", "Submit a job and stream its events");
  add_client_flags(cmd, a->conn);
  cmd->add_option("agent", a->agent, "Agent name or name@version")->required();
  cmd->add_option("input", a->input, "Job input as JSON")->capture_default_str();
  cmd->add_option("--lease", a->lease, "lease_request as a JSON object");
  cmd->add_option("--lease-constraints", a->lease_constraints,
                  "lease_constraints as a JSON object");
  cmd->add_option("--idempotency-key", a->idempotency_key,
                  "Idempotency key (default: a fresh one, so a submit re-sent after a resume "
                  "cannot start the job twice)");
  cmd->add_option("--max-runtime", a->max_runtime, "max_runtime_sec (default: the runtime's)")
      ->check(seconds_check(365LL * 24 * 3600));
  cmd->add_option("--trace-id", a->trace_id,
                  "W3C trace id (32 lowercase hex, not all zero) or traceparent")
      ->check(trace_id_check());
  cmd->add_option("--resume-timeout", a->resume_timeout,
                  "After a lost connection, try to resume for this many seconds")
      ->check(seconds_check(24 * 3600))
      ->capture_default_str();
  cmd->add_option("--output", a->output,
                  "Write a streamed result (result_chunk, §8.4) to FILE as it arrives ('-': "
                  "stdout); without it a streamed result is printed when the job ends");
  cmd->add_flag("--json", a->json_lines, "Print every received envelope as one JSON line");
  cmd->add_option("--state-dir", a->state_dir,
                  "Where the session is recorded for `arcp cancel` (files are 0600)")
      ->capture_default_str();
  cmd->callback([a, &run] { run = [a] { return submit(*a); }; });
}

}  // namespace arcp::cli
