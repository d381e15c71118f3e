// list_jobs with filters, then a second session of the same principal
// subscribing to a job the first session submitted, while it runs.
//
// A principal's jobs outlive the session that submitted them: any session
// of that principal may list them (session.list_jobs, filtered and paged)
// and subscribe to one (job.subscribe), with its history replayed, then
// follow it live. A subscriber gets the events but no cancel authority.
#include <arcp/client.hpp>
#include <arcp/job_context.hpp>
#include <arcp/runtime.hpp>
#include <condition_variable>
#include <iostream>
#include <mutex>

using namespace std::chrono_literals;

// Lets the long job finish once the subscriber is watching.
struct Gate {
  std::mutex mu;
  std::condition_variable_any cv;
  bool open = false;
  void release() {
    std::lock_guard lock(mu);
    open = true;
    cv.notify_all();
  }
  bool wait(std::stop_token stop) {
    std::unique_lock lock(mu);
    return cv.wait(lock, stop, [&] { return open; });
  }
};

// Every job this client's principal may see that matches `filter`, page by page.
int print_jobs(arcp::Client& client, const std::string& title, arcp::ListJobsFilter filter) {
  int count = 0;
  auto pages = client.list_jobs(std::move(filter), /*page_size=*/10);
  while (auto page = pages.next()) {
    if (!*page) return -1;
    for (const auto& job : (*page)->jobs) {
      ++count;
      std::cout << "  " << title << ": " << job.agent << " " << arcp::to_string(job.status) << "\n";
    }
  }
  return count;
}

int main() {
  arcp::RuntimeOptions options;
  options.tokens = {{"example-token", "alice"}};
  options.log_level = arcp::LogLevel::kWarn;
  options.audit_log = [](const std::string&) {};  // subscribe decisions are audited
  Gate gate;  // declared first: it must outlive the runtime's jobs
  arcp::Runtime runtime(options);
  (void)runtime.register_agent(
      "quick",
      [](arcp::JobContext& ctx) -> arcp::Result<arcp::json::value> { return ctx.input(); });
  (void)runtime.register_agent("report",
                               [&gate](arcp::JobContext& ctx) -> arcp::Result<arcp::json::value> {
                                 (void)ctx.log("info", "collecting");
                                 if (!gate.wait(ctx.stop_token()))
                                   return arcp::Error(arcp::ErrorCode::kCancelled, "stopped");
                                 (void)ctx.log("info", "writing");
                                 return arcp::json::object{{"pages", 3}};
                               });
  auto url = runtime.listen({.listen_url = "ws://127.0.0.1:0/arcp"});
  if (!url) return 1;

  // Two sessions of one principal (the same token), e.g. a CLI and a dashboard.
  arcp::ClientOptions client_options;
  client_options.token = "example-token";
  auto submitter = arcp::Client::connect(*url, client_options);
  auto watcher = arcp::Client::connect(*url, client_options);
  if (!submitter || !watcher) return 1;

  for (int i = 0; i < 2; ++i) {
    auto quick = (*submitter)->submit({.agent = "quick", .input = i});
    if (!quick || !quick->result()) return 1;
  }
  auto report = (*submitter)->submit({.agent = "report"});
  if (!report || !report->next_event(30s)) return 1;  // its first event: it is running

  std::cout << "watcher lists the principal's jobs:\n";
  int running = print_jobs(**watcher, "running", {.status = {"running"}});
  int quick = print_jobs(**watcher, "agent quick", {.agent = "quick"});
  std::cout << "running: " << running << ", quick: " << quick << "\n";
  if (running != 1 || quick != 2) return 1;

  // Subscribe with history: the events so far are replayed, then live ones follow.
  auto pages = (*watcher)->list_jobs({.status = {"running"}});
  auto page = pages.next();
  if (!page || !*page || (*page)->jobs.empty()) return 1;
  auto followed = (*watcher)->subscribe((*page)->jobs.front().job_id, {.history = true});
  if (!followed) {
    std::cerr << followed.error().describe() << "\n";
    return 1;
  }
  std::cout << "subscribed to the " << followed->accepted().agent << " job\n";
  gate.release();  // now let the job finish
  while (auto event = followed->next_event(30s))
    std::cout << "  watcher sees " << event->kind << ": "
              << arcp::json::serialize(event->body.at("message")) << "\n";
  auto result = followed->result();
  if (!result) return 1;
  std::cout << "watcher result: " << arcp::json::serialize(*result) << "\n";
  auto submitter_result = report->result();  // the submitter still gets its own copy
  if (!submitter_result) return 1;
  std::cout << "submitter result: " << arcp::json::serialize(*submitter_result) << "\n";
  runtime.shutdown();
  return 0;
}
