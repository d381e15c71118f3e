// A client that streams a job's events and prints each one as it arrives.
//
// Everything an agent emits while it runs — status, log, thought, tool calls
// and results, metrics, progress, vendor kinds — reaches the submitting
// client as a `job.event` with a session-wide `event_seq`, in order, before
// the job's terminal message.
#include <arcp/client.hpp>
#include <arcp/job_context.hpp>
#include <arcp/runtime.hpp>
#include <iostream>

using namespace std::chrono_literals;

// An agent that narrates what it does; each step is a little simulated work.
arcp::Result<arcp::json::value> researcher(arcp::JobContext& ctx) {
  (void)ctx.status("planning", "splitting the question");
  (void)ctx.thought("two sources should be enough");
  for (int i = 1; i <= 2; ++i) {
    if (!ctx.sleep_for(20ms)) return arcp::Error(arcp::ErrorCode::kCancelled, "stopped");
    std::string call_id = "call_" + std::to_string(i);
    (void)ctx.tool_call("search", arcp::json::object{{"page", i}}, call_id);
    (void)ctx.tool_result(call_id, arcp::json::object{{"hits", 10 * i}});
    (void)ctx.progress(i, 2, "sources");
  }
  (void)ctx.metric("tokens.used", 1234, "tokens");
  (void)ctx.log("info", "writing the answer");
  // Vendor kinds pass through untouched (clients that do not know them skip them).
  (void)ctx.emit("x-vendor.acme.citation", arcp::json::object{{"source", "page 2"}});
  return arcp::json::object{{"answer", 42}};
}

// One line per event: what a console UI would show.
std::string describe(const arcp::JobEvent& e) {
  const auto& b = e.body;
  auto str = [&](const char* key) {
    const auto* s = arcp::get_string(b, key);
    return s ? std::string(*s) : std::string();
  };
  if (e.kind == "status") return str("phase") + " - " + str("message");
  if (e.kind == "log") return str("level") + ": " + str("message");
  if (e.kind == "thought") return str("text");
  if (e.kind == "tool_call") return str("tool") + " " + arcp::json::serialize(b.at("args"));
  if (e.kind == "tool_result")
    return str("call_id") + " -> " + arcp::json::serialize(b.at("result"));
  if (e.kind == "progress")
    return arcp::json::serialize(b.at("current")) + "/" + arcp::json::serialize(b.at("total"));
  if (e.kind == "metric")
    return str("name") + " = " + arcp::json::serialize(b.at("value")) + " " + str("unit");
  return arcp::json::serialize(b);  // vendor and other kinds: the raw body
}

int main() {
  arcp::RuntimeOptions options;
  options.tokens = {{"example-token", "alice"}};
  options.log_level = arcp::LogLevel::kWarn;
  arcp::Runtime runtime(options);
  if (!runtime.register_agent("researcher", researcher)) return 1;
  auto url = runtime.listen({.listen_url = "ws://127.0.0.1:0/arcp"});
  if (!url) return 1;

  arcp::ClientOptions client_options;
  client_options.token = "example-token";
  auto client = arcp::Client::connect(*url, client_options);
  if (!client) {
    std::cerr << client.error().describe() << "\n";
    return 1;
  }
  auto job = (*client)->submit({.agent = "researcher"});
  if (!job) return 1;

  // next_event() blocks until the next event; nullopt once the job has ended
  // and every event was read. (JobHandle::on_event pushes them to a callback
  // instead; async.hpp's async_next_event co_awaits them.)
  int count = 0;
  while (auto event = job->next_event(30s)) {
    ++count;
    std::cout << "[" << event->event_seq << "] " << event->kind << ": " << describe(*event)
              << std::endl;  // flushed: each line appears as its event arrives
  }
  auto result = job->result();
  if (!result) {
    std::cerr << result.error().describe() << "\n";
    return 1;
  }
  std::cout << "events: " << count << "\n";
  std::cout << "result: " << arcp::json::serialize(*result) << "\n";
  runtime.shutdown();
  return 0;
}
