#include <arcp/ids.hpp>
#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>

namespace arcp {
namespace {

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// Monotonic ULID state: the last timestamp and 80 random bits (hi 16 + lo 64).
struct UlidState {
  std::mutex mu;
  std::mt19937_64 rng{std::random_device{}()};
  std::uint64_t last_ms = 0;
  std::uint16_t rand_hi = 0;
  std::uint64_t rand_lo = 0;
};

UlidState& state() {
  static UlidState s;
  return s;
}

}  // namespace

std::string new_ulid() {
  auto& s = state();
  std::uint64_t ms =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  std::uint16_t hi;
  std::uint64_t lo;
  {
    std::lock_guard lock(s.mu);
    if (ms <= s.last_ms) {
      ms = s.last_ms;  // clock went backwards or same ms: keep order by incrementing
      if (++s.rand_lo == 0) ++s.rand_hi;
    } else {
      s.last_ms = ms;
      s.rand_lo = s.rng();
      s.rand_hi = static_cast<std::uint16_t>(s.rng() & 0x7fff);  // headroom for increments
    }
    hi = s.rand_hi;
    lo = s.rand_lo;
  }
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
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  std::uint64_t a = rng() | 1U;  // never all-zero
  std::uint64_t b = rng();
  for (int i = 0; i < 16; ++i) {
    out[static_cast<std::size_t>(i)] = kHex[(a >> (i * 4)) & 15U];
    out[static_cast<std::size_t>(16 + i)] = kHex[(b >> (i * 4)) & 15U];
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
