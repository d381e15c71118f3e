// `arcp serve`: serve_main() (the public arcp::serve library) with the
// conformance agent pack; every flag and its handling live there.
#include <arcp/serve.hpp>
#include <string>
#include <vector>

#include "commands.hpp"

namespace arcp::cli {

void add_serve_command(CLI::App& app, std::function<int()>& run) {
  auto* cmd = app.add_subcommand("serve",
                                 "Run an ARCP runtime hosting the conformance agent pack "
                                 "(`arcp serve --help` lists its flags)");
  // Every argument after `serve`, --help included, goes to serve_main().
  cmd->set_help_flag();
  cmd->allow_extras();
  cmd->prefix_command();
  cmd->callback([&run, cmd] {
    auto args = std::make_shared<std::vector<std::string>>(cmd->remaining());
    run = [args] {
      std::vector<char*> argv;
      std::string program = "arcp serve";
      argv.push_back(program.data());
      for (auto& a : *args) argv.push_back(a.data());
      return serve_main(static_cast<int>(argv.size()), argv.data(),
                        {.program = "arcp serve",
                         .description = "Run an ARCP runtime hosting the conformance agent pack",
                         .conformance_agents = true});
    };
  });
}

}  // namespace arcp::cli
