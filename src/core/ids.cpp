#include <sys/random.h>

#include <algorithm>
#include <arcp/ids.hpp>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <system_error>

#include "core/random.hpp"

namespace arcp {
namespace {

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// Kernel CSPRNG output, buffered per thread: one getrandom(2) per 4 KiB, so a
// frame-per-event hot path does not pay a syscall per id. Bytes are handed out
// once and never reused. core/ stays free of OpenSSL (DESIGN §2).
struct RandomPool {
  std::array<unsigned char, 4096> bytes;
  std::size_t used = bytes.size();  // empty: the first take() fills it

  void refill() {
    std::size_t got = 0;
    while (got < bytes.size()) {
      ssize_t n = ::getrandom(bytes.data() + got, bytes.size() - got, 0);
      if (n > 0) {
        got += static_cast<std::size_t>(n);
      } else if (n < 0 && errno != EINTR) {
        // Only possible without kernel support (ENOSYS) or a bad pointer:
        // never fall back to a predictable generator.
        throw std::system_error(errno, std::generic_category(), "getrandom");
      }
    }
    used = 0;
  }

  void take(void* out, std::size_t n) {
    auto* dst = static_cast<unsigned char*>(out);
    while (n > 0) {
      if (used == bytes.size()) refill();
      std::size_t chunk = std::min(n, bytes.size() - used);
      std::memcpy(dst, bytes.data() + used, chunk);
      std::memset(bytes.data() + used, 0, chunk);  // handed out once: do not keep a copy
      used += chunk;
      dst += chunk;
      n -= chunk;
    }
  }
};

RandomPool& pool() {
  thread_local RandomPool p;
  return p;
}

}  // namespace

namespace core {
void random_bytes(void* out, std::size_t n) {
  pool().take(out, n);
}
}  // namespace core

std::string new_ulid() {
  std::uint64_t ms =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  // 80 fresh CSPRNG bits per id, never derived from a neighbour: knowing one
  // id says nothing about another minted in the same millisecond (§14).
  std::array<unsigned char, 10> r;
  core::random_bytes(r.data(), r.size());
  std::uint16_t hi = static_cast<std::uint16_t>((r[0] << 8) | r[1]);
  std::uint64_t lo = 0;
  for (std::size_t i = 2; i < r.size(); ++i) lo = (lo << 8) | r[i];
  // 128 bits: 48 time | 16 hi | 64 lo, encoded as 26 base32 digits (130 bits, top 2 zero).
  std::array<char, 26> out{};
  unsigned __int128 v = (static_cast<unsigned __int128>(ms & 0xFFFFFFFFFFFFULL) << 80) |
                        (static_cast<unsigned __int128>(hi) << 64) | lo;
  for (int i = 25; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kCrockford[static_cast<unsigned>(v & 31U)];
    v >>= 5;
  }
  return {out.data(), out.size()};
}

std::string new_id(std::string_view prefix) {
  std::string id;
  id.reserve(prefix.size() + 27);
  id.append(prefix).push_back('_');
  id += new_ulid();
  return id;
}

bool is_ulid(std::string_view text) {
  if (text.size() != 26) return false;
  for (char c : text) {
    bool found = false;
    for (char k : std::string_view(kCrockford))
      if (k == c) found = true;
    if (!found) return false;
  }
  return text[0] <= '7';
}

std::string new_trace_id() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::array<unsigned char, 16> r;
  do {
    core::random_bytes(r.data(), r.size());
  } while (std::all_of(r.begin(), r.end(), [](unsigned char b) { return b == 0; }));  // W3C
  std::string out(32, '0');
  for (std::size_t i = 0; i < r.size(); ++i) {
    out[2 * i] = kHex[r[i] >> 4];
    out[2 * i + 1] = kHex[r[i] & 15U];
  }
  return out;
}

namespace {
bool all_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}
std::string lower_trace(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  if (out.find_first_not_of('0') == std::string::npos) return {};  // all-zero is invalid (W3C)
  return out;
}
}  // namespace

std::string normalize_trace_id(std::string_view text) {
  if (text.size() == 32 && all_hex(text)) return lower_trace(text);
  // traceparent: 2 hex version "-" 32 hex trace "-" 16 hex span "-" 2 hex flags
  if (text.size() == 55 && text[2] == '-' && text[35] == '-' && text[52] == '-' &&
      all_hex(text.substr(0, 2)) && all_hex(text.substr(3, 32)) && all_hex(text.substr(36, 16)) &&
      all_hex(text.substr(53, 2)) && text.substr(0, 2) != "ff")
    return lower_trace(text.substr(3, 32));
  return {};
}

}  // namespace arcp
