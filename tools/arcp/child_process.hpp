// A child process whose stdout we read line by line (for `arcp bench`'s server).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace arcp::cli {

class ChildProcess {
 public:
  static std::optional<ChildProcess> spawn(const std::vector<std::string>& argv);
  /// A placeholder for a spawn that failed (pid -1).
  static ChildProcess failed() { return ChildProcess(-1, -1); }
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ~ChildProcess();  // SIGTERM, then reap

  /// Reads one line of the child's stdout (without the newline).
  std::optional<std::string> read_line();
  pid_t pid() const { return pid_; }

 private:
  ChildProcess(pid_t pid, int out_fd) : pid_(pid), out_fd_(out_fd) {}
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
};

/// Path of the running executable (to re-spawn ourselves).
std::string self_executable();

}  // namespace arcp::cli
