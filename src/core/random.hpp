// Internal: the kernel CSPRNG (getrandom(2)), buffered per thread.
#pragma once

#include <cstddef>

namespace arcp::core {

/// Fills `out` with `n` bytes from the kernel CSPRNG. Thread-safe (one buffer
/// per thread); never falls back to a predictable generator.
void random_bytes(void* out, std::size_t n);

}  // namespace arcp::core
