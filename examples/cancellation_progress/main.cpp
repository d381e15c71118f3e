// An agent that reports progress and honours cancellation; the client
// cancels it midway and prints the terminal status and the progress it saw.
//
// Cancellation is cooperative: job.cancel asks the job to stop, the agent
// notices (ctx.sleep_for returns false, ctx.cancelled() turns true, the
// stop_token fires) and returns; the runtime then ends the job with
// `job.error {final_status: "cancelled", code: CANCELLED}`. An agent that
// ignores it is ended for it after RuntimeOptions::cancel_grace.
#include <arcp/client.hpp>
#include <arcp/job_context.hpp>
#include <arcp/runtime.hpp>
#include <iostream>

using namespace std::chrono_literals;

constexpr int kSteps = 100;

// 100 steps of simulated work, a `progress` event after each.
arcp::Result<arcp::json::value> slow_task(arcp::JobContext& ctx) {
  for (int step = 1; step <= kSteps; ++step) {
    // The work of one step; returns false as soon as the job is cancelled.
    if (!ctx.sleep_for(50ms))
      return arcp::Error(arcp::ErrorCode::kCancelled, "stopped at step " + std::to_string(step));
    (void)ctx.progress(step, kSteps, "steps", "step " + std::to_string(step));
  }
  return arcp::json::object{{"steps", kSteps}};
}

int main() {
  arcp::RuntimeOptions options;
  options.tokens = {{"example-token", "alice"}};
  options.log_level = arcp::LogLevel::kWarn;
  options.audit_log = [](const std::string&) {};  // cancels are audited; not needed here
  arcp::Runtime runtime(options);
  if (!runtime.register_agent("slow-task", slow_task)) return 1;
  auto url = runtime.listen({.listen_url = "ws://127.0.0.1:0/arcp"});
  if (!url) return 1;

  arcp::ClientOptions client_options;
  client_options.token = "example-token";
  auto client = arcp::Client::connect(*url, client_options);
  if (!client) {
    std::cerr << client.error().describe() << "\n";
    return 1;
  }
  auto job = (*client)->submit({.agent = "slow-task"});
  if (!job) return 1;

  // Read progress until three steps are done, then cancel.
  int progress_seen = 0;
  double last_step = 0;
  while (auto event = job->next_event(30s)) {
    if (event->kind != "progress") continue;
    ++progress_seen;
    last_step = arcp::as_number(event->body.at("current")).value_or(0);
    if (progress_seen == 3) {
      std::cout << "progress: " << last_step << "/" << kSteps << ", cancelling\n";
      if (auto r = job->cancel("the user changed their mind"); !r) return 1;
    }
  }
  // next_event() returned nullopt: the job has ended and every event was read.
  auto result = job->result();
  if (result) {
    std::cerr << "the job was not cancelled\n";
    return 1;
  }
  std::cout << "terminal status: " << arcp::to_string(job->status()) << "\n";
  std::cout << "error: " << result.error().describe() << "\n";
  // A step may finish between the cancel being sent and the agent seeing it.
  std::cout << "progress events seen: " << progress_seen << " (last step " << last_step << " of "
            << kSteps << ")\n";
  runtime.shutdown();
  return job->status() == arcp::JobStatus::kCancelled && last_step < kSteps ? 0 : 1;
}
