// SipHash-2-4 (the digest behind envelope-id de-duplication) against the
// reference vectors of Aumasson & Bernstein: key 00..0f, message 00..(n-1).
#include "core/keyed_hash.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace arcp::core {
namespace {

const SipKey kReferenceKey{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};

std::string counting(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(i));
  return s;
}

TEST(KeyedHash, SipHash24MatchesTheReferenceVectors) {
  EXPECT_EQ(siphash24(kReferenceKey, counting(0)), 0x726fdb47dd0e0e31ULL);
  EXPECT_EQ(siphash24(kReferenceKey, counting(1)), 0x74f839c593dc67fdULL);
  EXPECT_EQ(siphash24(kReferenceKey, counting(7)), 0xab0200f58b01d137ULL);
  EXPECT_EQ(siphash24(kReferenceKey, counting(8)), 0x93f5f5799a932462ULL);
  EXPECT_EQ(siphash24(kReferenceKey, counting(15)), 0xa129ca6149be45e5ULL);
  EXPECT_EQ(siphash24(kReferenceKey, counting(63)), 0x958a324ceb064572ULL);
}

TEST(KeyedHash, RandomKeysDifferAndChangeTheDigest) {
  SipKey a = random_sip_key();
  SipKey b = random_sip_key();
  EXPECT_NE(a, b);
  EXPECT_NE(siphash24(a, "msg_1"), siphash24(b, "msg_1"));
  std::set<std::uint64_t> digests;
  for (int i = 0; i < 10000; ++i) digests.insert(siphash24(a, "msg_" + std::to_string(i)));
  EXPECT_EQ(digests.size(), 10000U);
}

}  // namespace
}  // namespace arcp::core
