// A client whose TCP connection drops mid-job resumes its session and still
// receives every event exactly once.
//
// The client reaches the runtime through a TCP relay (tcp_cutter.hpp) that
// the program cuts after the third event: a real network failure, which the
// client notices by itself. With auto_resume (the default) it reconnects and
// sends session.resume with the last event_seq it processed; the runtime
// replays what came after — events emitted while nobody was attached
// included — and the job's stream goes on. No event is lost or repeated.
#include <arcp/client.hpp>
#include <arcp/job_context.hpp>
#include <arcp/runtime.hpp>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <vector>

#include "tcp_cutter.hpp"

using namespace std::chrono_literals;

// Opened by main once the connection is cut, so that the second half of the
// job's events is emitted while the client is away.
struct Gate {
  std::mutex mu;
  std::condition_variable_any cv;
  bool open = false;
  void release() {
    std::lock_guard lock(mu);
    open = true;
    cv.notify_all();
  }
  bool wait(std::stop_token stop) {  // false when the job was stopped first
    std::unique_lock lock(mu);
    return cv.wait(lock, stop, [&] { return open; });
  }
};

int main() {
  arcp::RuntimeOptions options;
  options.tokens = {{"example-token", "alice"}};
  options.log_level = arcp::LogLevel::kError;  // the dropped connection is logged as a warning
  Gate gate;                                   // declared first: it must outlive the runtime's jobs
  arcp::Runtime runtime(options);
  auto six_steps = [&gate](arcp::JobContext& ctx) -> arcp::Result<arcp::json::value> {
    for (int step = 1; step <= 6; ++step) {
      if (step == 4 && !gate.wait(ctx.stop_token()))
        return arcp::Error(arcp::ErrorCode::kCancelled, "stopped");
      (void)ctx.log("info", "step " + std::to_string(step));
    }
    return arcp::json::object{{"steps", 6}};
  };
  if (!runtime.register_agent("six-steps", six_steps)) return 1;
  auto url = runtime.listen({.listen_url = "ws://127.0.0.1:0/arcp"});
  if (!url) return 1;

  // The relay in front of the runtime's port; the client only knows the relay.
  int runtime_port = std::stoi(url->substr(url->rfind(':') + 1));
  TcpCutter relay(runtime_port);
  std::string relay_url = "ws://127.0.0.1:" + std::to_string(relay.port()) + "/arcp";

  arcp::ClientOptions client_options;
  client_options.token = "example-token";
  client_options.auto_resume = true;  // the default; the URL form sets `reconnect`
  auto client = arcp::Client::connect(relay_url, client_options);
  if (!client) {
    std::cerr << client.error().describe() << "\n";
    return 1;
  }
  std::string session_before = (*client)->session_id();
  auto job = (*client)->submit({.agent = "six-steps"});
  if (!job) return 1;

  std::vector<std::int64_t> seqs;
  while (auto event = job->next_event(30s)) {
    seqs.push_back(event->event_seq);
    std::cout << "event " << event->event_seq << ": "
              << arcp::json::serialize(event->body.at("message")) << "\n";
    if (seqs.size() == 3) {
      relay.cut();  // the network fails under the client...
      std::cout << "connection cut\n";
      gate.release();  // ...and the job goes on meanwhile
    }
  }
  auto result = job->result();
  if (!result) {
    std::cerr << result.error().describe() << "\n";
    return 1;
  }

  bool exactly_once = seqs.size() == 6;
  for (std::size_t i = 0; i < seqs.size(); ++i)
    exactly_once = exactly_once && seqs[i] == static_cast<std::int64_t>(i + 1);
  std::cout << "result: " << arcp::json::serialize(*result) << "\n";
  std::cout << "every event exactly once, in order: " << (exactly_once ? "yes" : "no") << "\n";
  std::cout << "same session after resume: "
            << ((*client)->session_id() == session_before ? "yes" : "no") << "\n";
  std::cout << "resumed: " << ((*client)->resume_count() >= 1 ? "yes" : "no") << "\n";
  runtime.shutdown();
  return exactly_once && (*client)->resume_count() >= 1 ? 0 : 1;
}
