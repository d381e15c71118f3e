// Human-readable rendering of a job's stream for `arcp submit` and `arcp demo`.
#pragma once

#include <arcp/job_handle.hpp>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string_view>

#include "progress_bar.hpp"

namespace arcp::cli {

class EventPrinter {
 public:
  explicit EventPrinter(std::FILE* out) : out_(out), bar_(out) {}
  /// `job_label` marks the events of a job other than the one submitted
  /// (a delegated child, §10).
  void print(const JobEvent& ev, std::string_view job_label = {});
  /// Prints the outcome; returns the exit code for it.
  int print_outcome(const JobHandle& job, const Result<json::value>& outcome);
  /// Ends a progress bar drawn in place, before other output.
  void finish_progress();
  /// A line about another job (a delegated child).
  void child_line(const std::string& line);

 private:
  std::mutex mu_;  // the reader thread (events, children) and the main thread (outcome)
  std::FILE* out_;
  ProgressBar bar_;
};

/// The exit code for a job that ended with `status` (docs/cli.md).
int exit_code_of(JobStatus status);

/// Prints `parent`'s delegated children (§10) as they come: their
/// acceptance, events (labelled with the child's job id) and end.
void follow_children(const std::shared_ptr<EventPrinter>& printer, JobHandle& parent);

}  // namespace arcp::cli
