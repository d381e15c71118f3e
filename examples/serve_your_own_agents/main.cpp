// Your own agents behind every flag of `arcp serve`: register them, hand the
// command line to serve_main(), and get tokens, TLS, the data directory, the
// caps, logs, metrics and a graceful SIGINT/SIGTERM shutdown for free.
//
//   ./example_serve_your_own_agents --listen ws://127.0.0.1:7777/arcp --token-file tokens
//   ./example_serve_your_own_agents --help      # every flag, with its default
#include <arcp/job_context.hpp>
#include <arcp/serve.hpp>
#include <string>

namespace {

// A blocking agent: greets whoever the input names.
arcp::Result<arcp::json::value> greeter(arcp::JobContext& ctx) {
  const auto& input = ctx.input();
  std::string name = "world";
  if (input.is_object() && input.as_object().contains("name") &&
      input.as_object().at("name").is_string())
    name = std::string(input.as_object().at("name").get_string());
  (void)ctx.log("info", "greeting " + name);
  return arcp::json::object{{"greeting", "hello, " + name}};
}

// A coroutine agent: counts down without holding a thread while it waits.
arcp::Awaitable<arcp::Result<arcp::json::value>> countdown(arcp::JobContext& ctx) {
  for (int i = 3; i > 0; --i) {
    (void)ctx.progress(3 - i, 3, "ticks");
    if (!co_await ctx.async_sleep_for(std::chrono::milliseconds(20)))
      co_return arcp::Error(arcp::ErrorCode::kCancelled, "countdown stopped");
  }
  co_return arcp::json::object{{"liftoff", true}};
}

}  // namespace

int main(int argc, char** argv) {
  return arcp::serve_main(
      argc, argv,
      {.program = "example_serve_your_own_agents",
       .description = "A runtime hosting the greeter and countdown agents",
       .register_agents = [](arcp::Runtime& rt) -> arcp::Result<void> {
         if (auto r = rt.register_agent("greeter", greeter, {.version = "1.0.0"}); !r) return r;
         return rt.register_agent("countdown", countdown);
       }});
}
