// Internal: joins threads that cannot join themselves.
#pragma once

#include <thread>

namespace arcp::transport {

/// A transport's reader thread may end up destroying its own connection; it
/// cannot join itself, and a detached thread has no ordering with process
/// exit (TSan saw OpenSSL's exit-time cleanup race a reader's last use of
/// it). Such threads are handed here instead: a reaper thread joins them, and
/// at exit the reaper is stopped and joined after it has joined every thread
/// that finishes within a bound (one that does not is detached then).
void reap_thread(std::thread thread);

}  // namespace arcp::transport
