// Authority (§9): a job's lease says what its agent may touch, a registered
// tool is called through it, and a `cost.budget` caps what it may spend.
//
// Every lease-checked operation is checked before it happens: the lease must
// cover its target and no budget may be exhausted. A denial is not a crash:
// the agent gets PERMISSION_DENIED (or BUDGET_EXHAUSTED) back, the job's
// stream shows it as a `tool_result` error, and the agent decides what next.
#include <unistd.h>  // getpid

#include <arcp/client.hpp>
#include <arcp/job_context.hpp>
#include <arcp/runtime.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace fs = std::filesystem;

// "ok …" or the error code of one operation, for the job's report.
template <class T>
std::string outcome(const arcp::Result<T>& r, const std::string& ok) {
  return r ? ok : std::string(arcp::to_string(r.error().code));
}

// A paid lookup: each call holds USD 0.40 of the job's budget, then spends it.
arcp::Result<arcp::json::value> price_lookup(arcp::JobContext& ctx, const arcp::json::value&) {
  auto hold = ctx.reserve_budget("USD", 0.40);  // BUDGET_EXHAUSTED when < 0.40 is left
  if (!hold) return hold.error();
  if (auto r = hold->commit(0.40, "cost.lookup"); !r) return r.error();
  return arcp::json::object{{"price", 19.99}};
}

int main() {
  // Two files: one the lease covers, one it does not.
  fs::path dir = fs::temp_directory_path() / ("arcp-leases-" + std::to_string(getpid()));
  fs::create_directories(dir / "docs");
  fs::create_directories(dir / "secret");
  std::ofstream(dir / "docs" / "readme.txt") << "hello from docs\n";
  std::ofstream(dir / "secret" / "key.txt") << "do not read\n";

  arcp::RuntimeOptions options;
  options.tokens = {{"example-token", "alice"}};
  options.log_level = arcp::LogLevel::kWarn;
  arcp::Runtime runtime(options);
  if (!runtime.register_tool("price_lookup", price_lookup, {.description = "a paid API"})) return 1;
  auto agent = [dir](arcp::JobContext& ctx) -> arcp::Result<arcp::json::value> {
    arcp::json::array report;
    auto docs = ctx.read_file((dir / "docs" / "readme.txt").string());
    report.push_back(arcp::json::string(
        "fs.read docs/readme.txt: " +
        outcome(docs, "ok, " + std::to_string(docs ? docs->size() : 0) + " bytes")));
    auto secret = ctx.read_file((dir / "secret" / "key.txt").string());
    report.push_back(arcp::json::string("fs.read secret/key.txt: " + outcome(secret, "ok")));
    // authorize() checks without acting: the allowed URL is never fetched
    // (this example needs no network); fetch() of the other is refused
    // before any connection is made.
    auto api = ctx.authorize("net.fetch", "https://api.example.com/v1/prices");
    report.push_back(arcp::json::string("net.fetch api.example.com: " + outcome(api, "allowed")));
    auto evil = ctx.fetch({.url = "https://evil.example.net/upload"});
    report.push_back(arcp::json::string("net.fetch evil.example.net: " + outcome(evil, "ok")));
    for (int i = 1; i <= 3; ++i) {
      auto price = ctx.call_tool("price_lookup", arcp::json::object{});
      std::string left = std::to_string(ctx.budget_remaining("USD").value_or(-1)).substr(0, 4);
      report.push_back(arcp::json::string("tool price_lookup #" + std::to_string(i) + ": " +
                                          outcome(price, "ok, USD left " + left)));
    }
    return arcp::json::object{{"report", report}};
  };
  if (!runtime.register_agent("shopper", agent)) return 1;
  auto [client_end, runtime_end] = arcp::make_memory_pair();
  runtime.serve(runtime_end);

  arcp::ClientOptions client_options;
  client_options.token = "example-token";
  auto client = arcp::Client::connect(client_end, client_options);
  if (!client) return 1;
  // The lease the client asks for: globs per capability, and a budget.
  arcp::json::object lease{{"fs.read", arcp::json::array{(dir / "docs").string() + "/**"}},
                           {"net.fetch", arcp::json::array{"https://api.example.com/**"}},
                           {"tool.call", arcp::json::array{"price_lookup"}},
                           {"cost.budget", arcp::json::array{"USD:1.00"}}};
  auto job = (*client)->submit({.agent = "shopper", .lease_request = lease});
  if (!job) return 1;
  std::cout << "granted: tool.call " << arcp::json::serialize(job->accepted().lease.at("tool.call"))
            << ", budget " << arcp::json::serialize(*job->accepted().budget) << "\n";

  int denials = 0;  // what an observer of the stream sees: tool_result errors
  while (auto event = job->next_event())
    if (event->kind == "tool_result" && event->body.contains("error")) ++denials;
  auto result = job->result();
  fs::remove_all(dir);
  if (!result) return 1;
  for (const auto& line : result->at("report").as_array())
    std::cout << std::string(line.as_string()) << "\n";
  std::cout << "refusals on the job's stream: " << denials << "\n";
  runtime.shutdown();
  return 0;
}
