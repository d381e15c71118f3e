#include "runtime/stop_request.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stdexcept>

namespace arcp::runtime {
namespace {

constexpr std::array<int, 2> kStopSignals{SIGINT, SIGTERM};

// A signal handler may only do async-signal-safe work: it writes the signal
// number to a process-wide self-pipe that the waiter polls.
int g_signal_pipe[2] = {-1, -1};
std::once_flag g_pipe_once;
// Handlers are process-wide: one waiter installs them at a time.
std::mutex g_waiter_mu;

void on_stop_signal(int sig) {
  const int saved = errno;
  const auto byte = static_cast<unsigned char>(sig);
  [[maybe_unused]] auto n = ::write(g_signal_pipe[1], &byte, 1);  // full pipe: a wake is pending
  errno = saved;
}

void open_signal_pipe() {
  if (::pipe2(g_signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
    throw std::runtime_error("run_until_signal: cannot create the signal pipe");
}

void drain(int fd) {
  std::array<unsigned char, 64> buf{};
  while (::read(fd, buf.data(), buf.size()) > 0) {
  }
}

}  // namespace

StopRequest::StopRequest() : event_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (event_fd_ < 0) throw std::runtime_error("Runtime: cannot create the stop eventfd");
  // Now, with the runtime, not in the wait: by then a flood of connections
  // may hold every descriptor (run_until_signal must not fail then).
  std::call_once(g_pipe_once, open_signal_pipe);
}

StopRequest::~StopRequest() {
  ::close(event_fd_);
}

void StopRequest::request() {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(event_fd_, &one, sizeof one);
}

UnblockedStopSignals::UnblockedStopSignals() {
  sigset_t stop_set;
  sigemptyset(&stop_set);
  for (int sig : kStopSignals) sigaddset(&stop_set, sig);
  pthread_sigmask(SIG_UNBLOCK, &stop_set, &previous_);
}

UnblockedStopSignals::~UnblockedStopSignals() {
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

int StopRequest::wait_for_signal_or_request() {
  std::call_once(g_pipe_once, open_signal_pipe);
  std::lock_guard waiter(g_waiter_mu);
  drain(g_signal_pipe[0]);  // a signal caught by an earlier wait is not this one's

  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  // Installed even over an inherited SIG_IGN (a shell's background job
  // ignores SIGINT): `kill -INT` must still stop a runtime.
  std::array<struct sigaction, kStopSignals.size()> previous{};
  std::array<bool, kStopSignals.size()> installed{};
  for (std::size_t i = 0; i < kStopSignals.size(); ++i)
    installed[i] = ::sigaction(kStopSignals[i], &action, &previous[i]) == 0;
  // A program that blocked these signals (serve_main does, before its
  // threads start) must still reach this wait: unblocked on this thread.
  std::optional<UnblockedStopSignals> unblocked(std::in_place);

  int signal_number = 0;
  std::array<pollfd, 2> fds{pollfd{g_signal_pipe[0], POLLIN, 0}, pollfd{event_fd_, POLLIN, 0}};
  for (;;) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;  // cannot wait any more: treat as a stop request
    }
    if ((fds[0].revents & POLLIN) != 0) {
      unsigned char byte = 0;
      if (::read(g_signal_pipe[0], &byte, 1) == 1) {
        signal_number = byte;
        break;
      }
    }
    if ((fds[1].revents & POLLIN) != 0) {
      std::uint64_t count = 0;
      [[maybe_unused]] auto n = ::read(event_fd_, &count, sizeof count);
      break;
    }
  }
  // The previous handlers and signal mask come back.
  for (std::size_t i = 0; i < kStopSignals.size(); ++i)
    if (installed[i]) ::sigaction(kStopSignals[i], &previous[i], nullptr);
  unblocked.reset();
  return signal_number;
}

}  // namespace arcp::runtime
