// `arcp`: serve a runtime, submit jobs, run the demo and the benchmarks.
#include <fmt/core.h>

#include <arcp/tracing.hpp>
#include <arcp/version.hpp>

#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"arcp — Agent Runtime Control Protocol (v1.1) runtime and client"};
  app.require_subcommand(1);
  std::function<int()> run;
  arcp::cli::add_serve_command(app, run);
  arcp::cli::add_submit_command(app, run);
  arcp::cli::add_demo_command(app, run);
  arcp::cli::add_bench_command(app, run);
  arcp::cli::add_jobs_command(app, run);
  arcp::cli::add_watch_command(app, run);
  arcp::cli::add_cancel_command(app, run);
  arcp::cli::add_tail_command(app, run);
  arcp::cli::add_artifact_command(app, run);
  arcp::cli::add_creds_command(app, run);
  app.add_subcommand("version", "Print the version")->callback([&] {
    run = [] {
      fmt::print("arcp {} (ARCP protocol {})\n", ARCP_VERSION_STRING, ARCP_PROTOCOL_VERSION);
      return 0;
    };
  });
  app.footer(arcp::cli::kExitCodesFooter);
  // A word where a command belongs that names none: say so plainly (CLI11
  // would report "arguments were not expected").
  if (argc > 1 && argv[1][0] != '-') {
    std::function<bool(CLI::App*)> names_it = [&](CLI::App* sub) {
      return sub->check_name(argv[1]);
    };
    auto named = app.get_subcommands(names_it);
    if (named.empty()) {
      fmt::print(stderr, "arcp: unknown command '{}'; see arcp --help\n", argv[1]);
      return arcp::cli::kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : arcp::cli::kExitUsage;
  }
  if (!run) return arcp::cli::kExitUsage;
  // `serve` installs tracing itself once SIGINT/SIGTERM are blocked: an
  // exporter thread started here would take a start-up signal ungracefully.
  const bool serving = app.got_subcommand("serve");
  // §11: spans are exported only when OTEL_* variables ask for it.
  if (auto traced = serving ? arcp::Result<void>{} : arcp::install_tracing_from_env("arcp");
      !traced) {
    fmt::print(stderr, "arcp: {}\n", traced.error().message);
    return arcp::cli::kExitUsage;
  }
  int code = run();
  arcp::shutdown_tracing();  // flushes what is still batched
  return code;
}
