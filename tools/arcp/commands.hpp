// The `arcp` subcommands; each registers its options on the CLI11 app.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace arcp::cli {

/// Each returns the process exit code through `run`.
void add_serve_command(CLI::App& app, std::function<int()>& run);
void add_submit_command(CLI::App& app, std::function<int()>& run);
void add_demo_command(CLI::App& app, std::function<int()>& run);
void add_bench_command(CLI::App& app, std::function<int()>& run);
void add_jobs_command(CLI::App& app, std::function<int()>& run);
void add_watch_command(CLI::App& app, std::function<int()>& run);
void add_cancel_command(CLI::App& app, std::function<int()>& run);
void add_tail_command(CLI::App& app, std::function<int()>& run);
void add_artifact_command(CLI::App& app, std::function<int()>& run);
void add_creds_command(CLI::App& app, std::function<int()>& run);

/// Exit codes of `arcp submit` (and demo): the job's outcome.
enum ExitCode : int {
  kExitSuccess = 0,
  kExitJobError = 1,
  kExitUsage = 2,
  kExitCancelled = 3,
  kExitTimedOut = 4,
};

}  // namespace arcp::cli
