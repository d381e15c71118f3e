// A user's runtime program: its own agent behind every flag of `arcp serve`.
#include <arcp/job_context.hpp>
#include <arcp/serve.hpp>

int main(int argc, char** argv) {
  return arcp::serve_main(argc, argv,
                          {.program = "serve_consumer",
                           .description = "A consumer's own runtime",
                           .register_agents = [](arcp::Runtime& rt) {
                             return rt.register_agent(
                                 "hello", [](arcp::JobContext&) -> arcp::Result<arcp::json::value> {
                                   return arcp::json::value("hello");
                                 });
                           }});
}
