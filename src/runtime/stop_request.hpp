// Internal: what ends Runtime::run_until_signal() — SIGINT/SIGTERM, or
// request_stop() from any thread.
#pragma once

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

}  // namespace arcp::runtime
