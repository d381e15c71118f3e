// Internal: what ends Runtime::run_until_signal() — SIGINT/SIGTERM, or
// request_stop() from any thread.
#pragma once

#include <csignal>

namespace arcp::runtime {

class StopRequest {
 public:
  StopRequest();
  ~StopRequest();
  StopRequest(const StopRequest&) = delete;
  StopRequest& operator=(const StopRequest&) = delete;

  /// Wakes the waiter (or makes the next wait return at once). Any thread.
  void request();
  /// Installs SIGINT/SIGTERM handlers for the duration of the wait and
  /// blocks until a signal or request(); restores the previous handlers
  /// before returning, so a second Ctrl-C during shutdown acts at once.
  /// Returns the signal number, or 0 for request().
  int wait_for_signal_or_request();

 private:
  int event_fd_ = -1;
};

/// SIGINT and SIGTERM unblocked on this thread for the object's lifetime
/// (the previous mask comes back): during the shutdown that follows a
/// signal, a second one meets the restored handlers at once.
class UnblockedStopSignals {
 public:
  UnblockedStopSignals();
  ~UnblockedStopSignals();
  UnblockedStopSignals(const UnblockedStopSignals&) = delete;
  UnblockedStopSignals& operator=(const UnblockedStopSignals&) = delete;

 private:
  sigset_t previous_{};
};

}  // namespace arcp::runtime
