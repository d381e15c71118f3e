// A user's program built against the installed arcp package: runtime and
// client in one process over the in-memory transport.
#include <arcp/client.hpp>
#include <arcp/conformance_agents.hpp>
#include <arcp/runtime.hpp>
#include <arcp/version.hpp>
#include <iostream>

int main() {
  arcp::RuntimeOptions ro;
  ro.tokens = {{"t", "me"}};
  arcp::Runtime runtime(ro);
  if (!arcp::register_conformance_agents(runtime)) return 1;
  auto [client_end, runtime_end] = arcp::make_memory_pair();
  runtime.serve(runtime_end);
  arcp::ClientOptions co;
  co.token = "t";
  auto client = arcp::Client::connect(client_end, co);
  if (!client) return 2;
  auto job =
      (*client)->submit({.agent = "echo", .input = arcp::json::object{{"hello", "installed"}}});
  if (!job) return 3;
  const auto result = job->result();
  if (!result) return 4;
  std::cout << "arcp " << ARCP_VERSION_STRING << " (" << ARCP_VERSION_MAJOR << "."
            << ARCP_VERSION_MINOR << "." << ARCP_VERSION_PATCH << ")\n";
  const auto& value = *result;  // Result<T>::operator* on a const Result
  std::cout << "result: " << arcp::json::serialize(value) << "\n";
  return 0;
}
