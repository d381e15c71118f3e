// Human-readable rendering of a job's stream for `arcp submit` and `arcp demo`.
#pragma once

#include <arcp/job_handle.hpp>
#include <cstdio>

#include "progress_bar.hpp"

namespace arcp::cli {

class EventPrinter {
 public:
  explicit EventPrinter(std::FILE* out) : out_(out), bar_(out) {}
  void print(const JobEvent& ev);
  /// Prints the outcome; returns the exit code for it.
  int print_outcome(const JobHandle& job, const Result<json::value>& outcome);

 private:
  std::FILE* out_;
  ProgressBar bar_;
};

}  // namespace arcp::cli
