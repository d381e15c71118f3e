// Identifier minting (ULIDs, prefixed ids) and W3C trace-id normalisation.
#include <gtest/gtest.h>

#include <arcp/ids.hpp>
#include <bit>
#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace arcp {
namespace {

constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// Decodes the 48-bit millisecond timestamp held by the first 10 ULID characters.
std::uint64_t ulid_time_ms(std::string_view ulid) {
  std::uint64_t v = 0;
  for (char c : ulid.substr(0, 10)) v = v * 32 + kCrockford.find(c);
  return v;
}

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

bool is_lower_hex(std::string_view s) {
  return s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

TEST(Ids, UlidIs26CrockfordCharacters) {
  for (int i = 0; i < 100; ++i) {
    std::string u = new_ulid();
    ASSERT_EQ(u.size(), 26u) << u;
    for (char c : u) EXPECT_NE(kCrockford.find(c), std::string_view::npos) << u;
    EXPECT_LE(u[0], '7') << "a 128-bit ULID's first character is at most 7: " << u;
    EXPECT_TRUE(is_ulid(u)) << u;
  }
}

TEST(Ids, UlidNeverUsesAmbiguousLetters) {
  std::string all;
  for (int i = 0; i < 500; ++i) all += new_ulid();
  for (char banned : {'I', 'L', 'O', 'U'}) EXPECT_EQ(all.find(banned), std::string::npos);
}

TEST(Ids, UlidTimestampIsCurrentTime) {
  std::uint64_t before = now_ms();
  std::string u = new_ulid();
  std::uint64_t after = now_ms();
  std::uint64_t t = ulid_time_ms(u);
  EXPECT_LE(t, after);
  EXPECT_GE(t, before);
}

// The 80 bits after the timestamp, as (hi 16, lo 64).
std::pair<std::uint64_t, std::uint64_t> ulid_random_bits(std::string_view ulid) {
  unsigned __int128 v = 0;
  for (char c : ulid) v = v * 32 + kCrockford.find(c);
  return {static_cast<std::uint64_t>(v >> 64) & 0xFFFFU, static_cast<std::uint64_t>(v)};
}

TEST(Ids, UlidsMintedBackToBackShareNoRandomBits) {
  // Guessing a concurrent job's id from one's own must be hopeless (§14):
  // every id carries 80 fresh CSPRNG bits, never an increment of the last.
  constexpr int kCount = 1000;
  std::vector<std::string> ids;
  ids.reserve(kCount);
  for (int i = 0; i < kCount; ++i) ids.push_back(new_ulid());
  int same_ms_pairs = 0;
  double distance_sum = 0;
  for (std::size_t i = 1; i < ids.size(); ++i) {
    auto [hi_a, lo_a] = ulid_random_bits(ids[i - 1]);
    auto [hi_b, lo_b] = ulid_random_bits(ids[i]);
    ASSERT_FALSE(hi_a == hi_b && lo_a == lo_b) << ids[i - 1] << " / " << ids[i];
    int distance = std::popcount(hi_a ^ hi_b) + std::popcount(lo_a ^ lo_b);
    // An increment flips a handful of low bits; 80 random bits differ in ~40.
    EXPECT_GT(distance, 8) << ids[i - 1] << " / " << ids[i];
    distance_sum += distance;
    if (ulid_time_ms(ids[i - 1]) == ulid_time_ms(ids[i])) ++same_ms_pairs;
  }
  EXPECT_GT(same_ms_pairs, 0) << "the loop should mint several ids per millisecond";
  double mean = distance_sum / (kCount - 1);
  EXPECT_GT(mean, 35.0);  // expected 40, standard error ≈ 0.14
  EXPECT_LT(mean, 45.0);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
}

TEST(Ids, EveryRandomBitVaries) {
  // All 80 bits are random, including the top ones a monotonic generator
  // would have kept clear as headroom.
  std::uint64_t hi_or = 0, lo_or = 0, hi_and = ~0ULL, lo_and = ~0ULL;
  for (int i = 0; i < 256; ++i) {
    auto [hi, lo] = ulid_random_bits(new_ulid());
    hi_or |= hi;
    lo_or |= lo;
    hi_and &= hi;
    lo_and &= lo;
  }
  EXPECT_EQ(hi_or, 0xFFFFU);
  EXPECT_EQ(lo_or, ~0ULL);
  EXPECT_EQ(hi_and, 0U);
  EXPECT_EQ(lo_and, 0U);
}

TEST(Ids, IdsFromManyThreadsAreDistinct) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5000;  // more than one 4 KiB buffer per thread
  std::vector<std::vector<std::string>> out(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&out, t] {
      for (int i = 0; i < kPerThread; ++i)
        out[static_cast<std::size_t>(t)].push_back(new_id("job"));
    });
  for (auto& th : threads) th.join();
  std::set<std::string> all;
  for (const auto& v : out) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kPerThread));
}

TEST(Ids, IsUlidRejectsWrongLengthAlphabetAndOverflow) {
  EXPECT_TRUE(is_ulid("01ARZ3NDEKTSV4RRFFQ69G5FAV"));
  EXPECT_TRUE(is_ulid("7ZZZZZZZZZZZZZZZZZZZZZZZZZ"));
  EXPECT_FALSE(is_ulid("8ZZZZZZZZZZZZZZZZZZZZZZZZZ"));   // > 128 bits
  EXPECT_FALSE(is_ulid("01ARZ3NDEKTSV4RRFFQ69G5FA"));    // 25
  EXPECT_FALSE(is_ulid("01ARZ3NDEKTSV4RRFFQ69G5FAVX"));  // 27
  EXPECT_FALSE(is_ulid("01ARZ3NDEKTSV4RRFFQ69G5FAU"));   // U not Crockford
  EXPECT_FALSE(is_ulid("01ARZ3NDEKTSV4RRFFQ69G5FA-"));
  EXPECT_FALSE(is_ulid(""));
}

TEST(Ids, PrefixedIdIsPrefixUnderscoreUlid) {
  for (std::string_view prefix : {"msg", "sess", "job", "res", "cred", "del"}) {
    std::string id = new_id(prefix);
    ASSERT_EQ(id.size(), prefix.size() + 1 + 26) << id;
    EXPECT_EQ(id.substr(0, prefix.size()), prefix);
    EXPECT_EQ(id[prefix.size()], '_');
    EXPECT_TRUE(is_ulid(std::string_view(id).substr(prefix.size() + 1))) << id;
  }
  EXPECT_NE(new_id("job"), new_id("job"));
}

TEST(Ids, NewTraceIdIs32LowercaseHexNotAllZeroAndFresh) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string t = new_trace_id();
    ASSERT_EQ(t.size(), 32u);
    EXPECT_TRUE(is_lower_hex(t)) << t;
    EXPECT_NE(t, std::string(32, '0'));
    EXPECT_EQ(normalize_trace_id(t), t);
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(Ids, NewTraceIdUsesAll128Bits) {
  // No bit is forced (a `| 1` to avoid all-zero would pin one): every hex
  // position takes both even and odd digits.
  std::string or_even(32, 'n'), or_odd(32, 'n');
  for (int i = 0; i < 256; ++i) {
    std::string t = new_trace_id();
    for (std::size_t k = 0; k < 32; ++k) {
      bool odd = (std::string_view("0123456789abcdef").find(t[k]) & 1U) != 0;
      (odd ? or_odd : or_even)[k] = 'y';
    }
  }
  EXPECT_EQ(or_even, std::string(32, 'y'));
  EXPECT_EQ(or_odd, std::string(32, 'y'));
}

TEST(Ids, NormalizeTraceIdLowercases32HexOfAnyCase) {
  EXPECT_EQ(normalize_trace_id("4bf92f3577b34da6a3ce929d0e0e4736"),
            "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(normalize_trace_id("4BF92F3577B34DA6A3CE929D0E0E4736"),
            "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(normalize_trace_id("4Bf92F3577b34DA6a3cE929d0E0e4736"),
            "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST(Ids, NormalizeTraceIdExtractsTraceFromTraceparent) {
  EXPECT_EQ(normalize_trace_id("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
            "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(normalize_trace_id("00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-00"),
            "0af7651916cd43dd8448eb211c80319c");
}

TEST(Ids, NormalizeTraceIdRejectsInvalidInput) {
  for (std::string_view bad : {
           "",
           "00000000000000000000000000000000",                         // all zero
           "00-00000000000000000000000000000000-b7ad6b7169203331-01",  // all-zero trace
           "4bf92f3577b34da6a3ce929d0e0e473",                          // 31
           "4bf92f3577b34da6a3ce929d0e0e47360",                        // 33
           "4bf92f3577b34da6a3ce929d0e0e473g",                         // non-hex
           "4bf92f35-77b3-4da6-a3ce-929d0e0e4736",                     // UUID form
           " 4bf92f3577b34da6a3ce929d0e0e4736",
           "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",  // forbidden version
           "00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333-01",   // short span
           "00_0af7651916cd43dd8448eb211c80319c_b7ad6b7169203331_01",
           "00-0af7651916cd43dd8448eb211c80319z-b7ad6b7169203331-01",
           "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0g",
       }) {
    EXPECT_EQ(normalize_trace_id(bad), "") << bad;
  }
}

}  // namespace
}  // namespace arcp
