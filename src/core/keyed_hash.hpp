// Internal: SipHash-2-4, a keyed 64-bit hash. Under a secret random key a peer
// cannot choose inputs that collide, so digests can stand in for the strings
// they were computed from (e.g. recently seen envelope ids).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/random.hpp"

namespace arcp::core {

using SipKey = std::array<std::uint64_t, 2>;

/// A fresh key from the kernel CSPRNG.
inline SipKey random_sip_key() {
  SipKey k;
  random_bytes(k.data(), sizeof k);
  return k;
}

/// SipHash-2-4 of `data` under `key` (reference: Aumasson & Bernstein, 2012).
inline std::uint64_t siphash24(const SipKey& key, std::string_view data) {
  auto rotl = [](std::uint64_t x, int b) { return (x << b) | (x >> (64 - b)); };
  auto load_le = [](const unsigned char* p, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
    return v;
  };
  std::uint64_t v0 = 0x736f6d6570736575ULL ^ key[0];
  std::uint64_t v1 = 0x646f72616e646f6dULL ^ key[1];
  std::uint64_t v2 = 0x6c7967656e657261ULL ^ key[0];
  std::uint64_t v3 = 0x7465646279746573ULL ^ key[1];
  auto round = [&] {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  };
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const std::size_t n = data.size();
  const std::size_t whole = n - n % 8;
  for (std::size_t i = 0; i < whole; i += 8) {
    std::uint64_t m = load_le(p + i, 8);
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  std::uint64_t last = (static_cast<std::uint64_t>(n) << 56) | load_le(p + whole, n % 8);
  v3 ^= last;
  round();
  round();
  v0 ^= last;
  v2 ^= 0xff;
  round();
  round();
  round();
  round();
  return v0 ^ v1 ^ v2 ^ v3;
}

}  // namespace arcp::core
