// Internal: names the calling thread (Linux: 15 characters at most), so
// `top -H`, perf and debuggers tell the store writer from the timers.
#pragma once

#include <pthread.h>

namespace arcp::core {

inline void name_this_thread(const char* name) { pthread_setname_np(pthread_self(), name); }

}  // namespace arcp::core
