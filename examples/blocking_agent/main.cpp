// A blocking agent served by an in-process runtime over ws://, and a client
// that submits a job to it and prints the result.
//
// A blocking agent is an ordinary function: the runtime runs each job on a
// thread of its own (an elastic pool), so the agent may call blocking code —
// a file read, a database driver, a long computation — without stalling
// other jobs or the runtime's I/O.
#include <arcp/client.hpp>
#include <arcp/job_context.hpp>
#include <arcp/runtime.hpp>
#include <iostream>
#include <string>

namespace {

// Counts the words of `input.text`. Returning an Error instead would end the
// job with `job.error`; an exception becomes INTERNAL_ERROR.
arcp::Result<arcp::json::value> word_count(arcp::JobContext& ctx) {
  const auto* input = ctx.input().if_object();
  const auto* text = input ? arcp::get_string(*input, "text") : nullptr;
  if (!text) return arcp::Error(arcp::ErrorCode::kInvalidRequest, "input.text must be a string");
  (void)ctx.log("info", "counting words");  // a `log` event on the job's stream
  std::int64_t words = 0;
  bool in_word = false;
  for (char c : *text) {
    bool letter = c != ' ' && c != '\n' && c != '\t';
    if (letter && !in_word) ++words;
    in_word = letter;
  }
  return arcp::json::object{{"words", words}};
}

int fail(const std::string& what, const arcp::Error& error) {
  std::cerr << "blocking_agent: " << what << ": " << error.describe() << "\n";
  return 1;
}

}  // namespace

int main() {
  // A runtime accepting one bearer token; its principal owns the jobs.
  arcp::RuntimeOptions options;
  options.tokens = {{"example-token", "alice"}};
  options.log_level = arcp::LogLevel::kWarn;  // keep the operator log quiet
  arcp::Runtime runtime(options);
  if (auto r = runtime.register_agent("word-count", word_count); !r)
    return fail("register_agent", r.error());

  // Port 0: the system picks a free port; listen() returns the real URL.
  auto url = runtime.listen({.listen_url = "ws://127.0.0.1:0/arcp"});
  if (!url) return fail("listen", url.error());

  arcp::ClientOptions client_options;
  client_options.token = "example-token";
  auto client = arcp::Client::connect(*url, client_options);
  if (!client) return fail("connect", client.error());

  // submit() returns once the runtime has answered job.accepted.
  auto job = (*client)->submit(
      {.agent = "word-count",
       .input = arcp::json::object{{"text", "the quick brown fox jumps over the lazy dog"}}});
  if (!job) return fail("submit", job.error());
  std::cout << "accepted " << job->accepted().agent << "\n";

  // result() waits for job.result (or returns the job's error).
  auto result = job->result();
  if (!result) return fail("job", result.error());
  std::cout << "status: " << arcp::to_string(job->status()) << "\n";
  std::cout << "result: " << arcp::json::serialize(*result) << "\n";

  if (auto r = (*client)->close(); !r) return fail("close", r.error());
  runtime.shutdown();
  return 0;
}
