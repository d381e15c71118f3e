// CSPRNG, digests and constant-time comparison (OpenSSL stays in src/auth).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace arcp::auth {

/// `bytes` bytes from OpenSSL's CSPRNG, hex-encoded.
std::string random_hex(std::size_t bytes);
/// `bytes` raw bytes from OpenSSL's CSPRNG.
std::string random_bytes(std::size_t bytes);
/// Raw SHA-256 digest (32 bytes) of `data`.
std::string sha256(std::string_view data);
/// The same digest, hex-encoded (for text storage).
std::string sha256_hex(std::string_view data);
/// Constant-time equality for equal-length inputs; false when lengths differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace arcp::auth
