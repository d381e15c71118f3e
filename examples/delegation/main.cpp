// Delegation (§10): a parent job starts a child job with a narrower lease.
//
// The child's authority must be a subset of the parent's (§9.4): the runtime
// refuses a wider request with LEASE_SUBSET_VIOLATION (the parent goes on),
// and the child can only touch what its own, narrowed lease covers, even
// where the parent could. The child's job.accepted and events reach the
// parent's submitter, linked by `parent_job_id`.
#include <unistd.h>  // getpid

#include <arcp/client.hpp>
#include <arcp/job_context.hpp>
#include <arcp/runtime.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace fs = std::filesystem;
using arcp::json::array;
using arcp::json::object;

int main() {
  fs::path dir = fs::temp_directory_path() / ("arcp-delegation-" + std::to_string(getpid()));
  fs::create_directories(dir / "public");
  fs::create_directories(dir / "private");
  std::ofstream(dir / "public" / "notes.txt") << "meeting at noon\n";
  std::ofstream(dir / "private" / "salaries.txt") << "confidential\n";
  std::string public_glob = (dir / "public").string() + "/**";

  arcp::RuntimeOptions options;
  options.tokens = {{"example-token", "alice"}};
  options.log_level = arcp::LogLevel::kWarn;
  arcp::Runtime runtime(options);

  // The child: reads what its lease allows, and tries one file it does not.
  auto summarizer = [dir](arcp::JobContext& ctx) -> arcp::Result<arcp::json::value> {
    auto notes = ctx.read_file((dir / "public" / "notes.txt").string());
    auto salaries = ctx.read_file((dir / "private" / "salaries.txt").string());
    return object{{"notes_bytes", notes ? static_cast<std::int64_t>(notes->size()) : -1},
                  {"salaries", salaries ? "read" : arcp::to_string(salaries.error().code)}};
  };
  // The parent: may read everything under `dir`, hands the child less.
  auto coordinator = [dir, public_glob](arcp::JobContext& ctx) -> arcp::Result<arcp::json::value> {
    auto own = ctx.read_file((dir / "private" / "salaries.txt").string());
    auto wider = ctx.delegate({.agent = "summarizer",
                               .lease_request = object{{"fs.read", array{"/**"}}},
                               .delegate_id = "too-wide"});
    auto child = ctx.delegate({.agent = "summarizer",
                               .lease_request = object{{"fs.read", array{public_glob}}},
                               .delegate_id = "narrow"});
    if (!child) return child.error();
    auto child_result = child->wait();  // the child's result (or its error)
    if (!child_result) return child_result.error();
    return object{{"parent_read_salaries", own.ok()},
                  {"wider_delegation", wider ? "granted" : arcp::to_string(wider.error().code)},
                  {"child", *child_result}};
  };
  if (!runtime.register_agent("summarizer", summarizer) ||
      !runtime.register_agent("coordinator", coordinator))
    return 1;
  auto url = runtime.listen({.listen_url = "ws://127.0.0.1:0/arcp"});
  if (!url) return 1;

  arcp::ClientOptions client_options;
  client_options.token = "example-token";
  auto client = arcp::Client::connect(*url, client_options);
  if (!client) return 1;
  // agent.delegate names the agents the parent may start.
  auto parent =
      (*client)->submit({.agent = "coordinator",
                         .lease_request = object{{"agent.delegate", array{"summarizer"}},
                                                 {"fs.read", array{(dir).string() + "/**"}}}});
  if (!parent) return 1;
  auto result = parent->result();
  fs::remove_all(dir);
  if (!result) {
    std::cerr << result.error().describe() << "\n";
    return 1;
  }

  auto children = parent->children();  // the accepted delegations, in order
  if (children.size() != 1) return 1;
  const auto& accepted = children.front().accepted();
  std::cout << "child " << accepted.agent << " delegate_id " << accepted.delegate_id
            << ", parent_job_id matches: "
            << (accepted.parent_job_id == parent->job_id() ? "yes" : "no") << "\n";
  bool narrowed = arcp::json::serialize(accepted.lease) ==
                  arcp::json::serialize(object{{"fs.read", array{public_glob}}});
  std::cout << "child lease is the narrowed one: " << (narrowed ? "yes" : "no") << "\n";
  const auto& r = result->as_object();
  std::cout << "parent read private/salaries.txt: " << r.at("parent_read_salaries") << "\n";
  std::cout << "wider delegation: " << std::string(r.at("wider_delegation").as_string()) << "\n";
  std::cout << "child read public/notes.txt: " << r.at("child").at("notes_bytes") << " bytes\n";
  std::cout << "child read private/salaries.txt: "
            << std::string(r.at("child").at("salaries").as_string()) << "\n";
  runtime.shutdown();
  return narrowed ? 0 : 1;
}
