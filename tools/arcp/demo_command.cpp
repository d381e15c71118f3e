#include <fmt/core.h>

#include <arcp/client.hpp>
#include <arcp/conformance_agents.hpp>
#include <arcp/job_context.hpp>
#include <arcp/runtime.hpp>

#include "commands.hpp"
#include "event_printer.hpp"

namespace arcp::cli {
namespace {

// The demo agent: a pretend code review showing status, logs, progress, a
// metric, an artifact and a structured result.
Result<json::value> review_agent(JobContext& ctx) {
  const char* files[] = {"src/auth/login.cpp", "src/auth/session.cpp", "src/auth/token.cpp",
                         "src/api/routes.cpp", "src/api/handlers.cpp"};
  if (auto r = ctx.status("planning", "reviewing 5 files"); !r) return r.error();
  int findings = 0;
  for (int i = 0; i < 5; ++i) {
    if (!ctx.sleep_for(std::chrono::milliseconds(120)))
      return Error(ErrorCode::kCancelled, "cancelled");
    (void)ctx.progress(i + 1, 5, "files", files[i]);
    if (i % 2 == 0) {
      ++findings;
      (void)ctx.log("info", fmt::format("{}: consider constant-time token comparison", files[i]));
    }
  }
  (void)ctx.metric("review.findings", findings, "count");
  (void)ctx.artifact_ref("arcp://artifacts/" + ctx.job_id() + "/review.md", "text/markdown", 2048);
  return json::object{
      {"files_reviewed", 5}, {"findings", findings}, {"verdict", "approve with nits"}};
}

int demo() {
  RuntimeOptions ro;
  ro.tokens = {{"demo-token", "demo-user"}};
  ro.log_level = LogLevel::kWarn;  // per-job info lines would cloud the output
  Runtime rt(ro);
  (void)register_conformance_agents(rt);
  (void)rt.register_agent("code-review", review_agent, {"1.0.0", true});
  WebSocketServerOptions wo;
  wo.listen_url = "ws://127.0.0.1:0/arcp";
  auto url = rt.listen(wo);
  if (!url) {
    fmt::print(stderr, "demo: cannot listen: {}\n", url.error().describe());
    return kExitJobError;
  }
  fmt::print("runtime listening on {}\n", url.value());
  ClientOptions co;
  co.token = "demo-token";
  auto client = Client::connect(url.value(), co);
  if (!client) {
    fmt::print(stderr, "demo: cannot connect: {}\n", client.error().describe());
    return kExitJobError;
  }
  fmt::print("session {} (principal demo-user), features: {}\n", (*client)->session_id(),
             json::serialize((*client)->features().to_json()));
  SubmitOptions so;
  so.agent = "code-review";
  so.input = json::object{{"repo", "/workspace/myapp"}};
  auto job = (*client)->submit(so);
  if (!job) {
    fmt::print(stderr, "demo: submit rejected: {}\n", job.error().describe());
    return kExitJobError;
  }
  fmt::print("job {} accepted as {}\n", job->job_id(), job->accepted().agent);
  EventPrinter printer(stdout);
  job->on_event([&printer](const JobEvent& ev) { printer.print(ev); });
  int code = printer.print_outcome(*job, job->result());
  (void)(*client)->close();
  rt.shutdown();
  return code;
}

}  // namespace

void add_demo_command(CLI::App& app, std::function<int()>& run) {
  app.add_subcommand("demo", "Run an embedded runtime and client through one job over WebSocket")
      ->callback([&run] { run = demo; });
}

}  // namespace arcp::cli
