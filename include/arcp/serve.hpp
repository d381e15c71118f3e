// Serving your own agents behind every flag of `arcp serve`: write a main()
// that registers agents and hands over to serve_main(). Link arcp::serve.
//
//   int main(int argc, char** argv) {
//     return arcp::serve_main(argc, argv, {
//         .program = "my-runtime",
//         .register_agents = [](arcp::Runtime& rt) { return rt.register_agent("hello", hello); }});
//   }
//
// Chosen over loading agents into `arcp serve` from a shared library: the
// agents and the runtime are one ordinary binary — no C++ ABI contract
// between separately built objects, no dlopen of code named on a command
// line, and it debugs, sanitizes and packages like any other program.
#pragma once

#include <arcp/error.hpp>
#include <arcp/runtime.hpp>
#include <functional>
#include <string>

namespace arcp {

struct ServeMainOptions {
  /// The program name `--help` and messages show.
  std::string program = "arcp-serve";
  /// One line for `--help`.
  std::string description = "An ARCP runtime";
  /// Also registers the conformance agent pack (what `arcp serve` hosts).
  bool conformance_agents = false;
  /// Registers the program's agents, tools and extensions on the runtime the
  /// flags built, before it listens. An error stops the program (exit 2).
  std::function<Result<void>(Runtime&)> register_agents;
};

/// Parses the flags of `arcp serve` (all of them: --listen, --token,
/// --token-file, --data-dir, TLS and mTLS, JWT, caps, logs, --config FILE,
/// --stdio …; `--help` lists them with their defaults), builds the Runtime,
/// calls `register_agents`, listens, and serves until SIGINT or SIGTERM, then
/// shuts down gracefully. Returns the process exit code: 0 after a signal or
/// the end of --stdio input, 2 for a usage or startup error.
///
/// Tokens stay off the command line with `--token-file FILE` (one
/// TOKEN:PRINCIPAL per line) or the ARCP_TOKENS environment variable
/// (TOKEN:PRINCIPAL entries separated by commas or newlines).
int serve_main(int argc, char** argv, ServeMainOptions options = {});

}  // namespace arcp
