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

/// Exit codes of every client command, documented once in docs/cli.md.
enum ExitCode : int {
  kExitSuccess = 0,      // the job succeeded; the command did what it was asked
  kExitJobError = 1,     // the job failed, or the runtime refused the request
  kExitUsage = 2,        // bad flags or arguments: nothing was sent
  kExitCancelled = 3,    // the job ended cancelled
  kExitTimedOut = 4,     // the job ended timed out
  kExitConnection = 5,   // cannot connect, or the connection was lost and not resumed
  kExitAuth = 6,         // the runtime refused the credentials (UNAUTHENTICATED)
  kExitNotFound = 7,     // no such job (or not visible to this principal)
  kExitAlreadyEnded = 8  // `arcp cancel`: the job had already finished
};

/// The --help footer of every client command: where the exit codes are.
inline constexpr const char* kExitCodesFooter =
    "Exit codes: 0 success, 1 job failed or request refused, 2 usage, 3 cancelled, 4 timed "
    "out, 5 connection, 6 authentication, 7 job not found, 8 already finished (cancel). "
    "See docs/cli.md.";

}  // namespace arcp::cli
