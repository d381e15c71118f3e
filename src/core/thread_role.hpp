// Internal: marks event-loop threads, which must never block. The runtime's
// I/O threads run sessions, timers and coroutine agents: a wait there stalls
// every job and connection scheduled on it, so bounded queues that would
// make a caller wait (the SQLite write queue) let such a caller through and
// leave flow control to the awaitable back-pressure of JobContext.
#pragma once

namespace arcp::core {

inline thread_local bool tls_event_loop_thread = false;

inline void mark_event_loop_thread() {
  tls_event_loop_thread = true;
}
inline bool on_event_loop_thread() {
  return tls_event_loop_thread;
}

}  // namespace arcp::core
