// The SQLite store's chunk packing: exact round trips, the repeated-job
// shorthand, and damaged bytes that stop the walk instead of reading past it.
#include "store/event_chunk.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace arcp::store {
namespace {

std::vector<ChunkEntry> walk(std::string_view bytes, bool* corrupt = nullptr) {
  std::vector<ChunkEntry> out;
  ChunkReader reader(bytes);
  ChunkEntry e;
  while (reader.next(e)) out.push_back(e);
  if (corrupt) *corrupt = reader.corrupt();
  return out;
}

TEST(EventChunk, RoundTripsEventsAndWritesARepeatedJobOnce) {
  ChunkWriter w;
  w.add(7, "job_a", R"({"n":1})");
  w.add(8, "job_a", R"({"n":2})");
  w.add(9, "", "");
  w.add(10, "job_b", std::string(70000, 'x'));
  EXPECT_EQ(w.count(), 4);
  EXPECT_EQ(w.first_seq(), 7);
  EXPECT_EQ(w.last_seq(), 10);

  bool corrupt = true;
  auto entries = walk(w.bytes(), &corrupt);
  EXPECT_FALSE(corrupt);
  ASSERT_EQ(entries.size(), 4U);
  EXPECT_EQ(entries[0].seq, 7);
  EXPECT_EQ(entries[0].job_id, "job_a");
  EXPECT_EQ(entries[1].job_id, "job_a");
  EXPECT_EQ(entries[1].frame, R"({"n":2})");
  EXPECT_EQ(entries[2].job_id, "");
  EXPECT_EQ(entries[2].frame, "");
  EXPECT_EQ(entries[3].job_id, "job_b");
  EXPECT_EQ(entries[3].frame.size(), 70000U);

  // The second job_a costs no id bytes.
  ChunkWriter once;
  once.add(1, "job_a", "f");
  ChunkWriter twice;
  twice.add(1, "job_a", "f");
  twice.add(2, "job_a", "f");
  EXPECT_EQ(twice.bytes().size() - once.bytes().size(), 8U + 4U + 4U + 1U);

  w.clear();
  EXPECT_TRUE(w.empty());
  EXPECT_TRUE(w.bytes().empty());
}

TEST(EventChunk, EveryTruncationStopsCleanlyAndIsReported) {
  ChunkWriter w;
  for (int i = 1; i <= 5; ++i) w.add(i, i < 4 ? "job_a" : "job_b", "frame-" + std::to_string(i));
  std::string bytes(w.bytes());
  auto whole = walk(bytes);
  ASSERT_EQ(whole.size(), 5U);
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    bool corrupt = false;
    auto part = walk(std::string_view(bytes).substr(0, cut), &corrupt);
    ASSERT_LE(part.size(), 5U);
    for (std::size_t i = 0; i < part.size(); ++i) {
      EXPECT_EQ(part[i].seq, whole[i].seq);
      EXPECT_EQ(part[i].frame, whole[i].frame);
    }
    // A cut on an entry boundary is a shorter chunk; anywhere else is damage.
    std::size_t boundary = 0;
    for (std::size_t n = 0; n < part.size(); ++n)
      boundary =
          static_cast<std::size_t>(whole[n].frame.data() + whole[n].frame.size() - bytes.data());
    EXPECT_EQ(corrupt, cut != boundary) << "cut at " << cut;
  }
}

TEST(EventChunk, ARepeatedJobWithNoJobBeforeItIsDamage) {
  std::string bytes(8, '\0');
  bytes += std::string(4, '\xFF');  // kSameJob as the first entry's job
  bytes += std::string(4, '\0');
  bool corrupt = false;
  EXPECT_TRUE(walk(bytes, &corrupt).empty());
  EXPECT_TRUE(corrupt);
}

TEST(EventChunk, RepetitiveChunksAreCompressedAndComeBackExactly) {
  ChunkWriter w;
  for (int i = 1; i <= 100; ++i)
    w.add(i, "job_a",
          R"({"arcp":"1.1","type":"job.event","event_seq":)" + std::to_string(i) +
              R"(,"payload":{"kind":"log","body":{"message":"step )" + std::to_string(i) + "\"}}}");
  std::string packed_scratch;
  ChunkCodec codec = ChunkCodec::kRaw;
  auto packed = pack_chunk(w.bytes(), packed_scratch, codec);
  EXPECT_EQ(codec, ChunkCodec::kLz4);
  EXPECT_LT(packed.size() * 3, w.bytes().size());  // at least 3:1 on envelopes like these
  std::string scratch;
  auto raw = unpack_chunk(static_cast<std::int64_t>(codec),
                          static_cast<std::int64_t>(w.bytes().size()), packed, scratch);
  ASSERT_TRUE(raw);
  EXPECT_EQ(*raw, w.bytes());
}

TEST(EventChunk, IncompressibleChunksAreStoredAsTheyAre) {
  std::string noise;
  std::uint32_t x = 12345;
  for (int i = 0; i < 4000; ++i) {
    x = x * 1664525U + 1013904223U;
    noise.push_back(static_cast<char>(x >> 24));
  }
  std::string scratch;
  ChunkCodec codec = ChunkCodec::kLz4;
  auto packed = pack_chunk(noise, scratch, codec);
  EXPECT_EQ(codec, ChunkCodec::kRaw);
  EXPECT_EQ(packed, noise);
  auto raw = unpack_chunk(0, static_cast<std::int64_t>(noise.size()), packed, scratch);
  ASSERT_TRUE(raw);
  EXPECT_EQ(*raw, noise);
}

TEST(EventChunk, DamagedRowsAreRefusedNotTrusted) {
  ChunkWriter w;
  for (int i = 1; i <= 50; ++i) w.add(i, "job_a", "the same frame, again and again");
  std::string packed_scratch;
  ChunkCodec codec{};
  std::string packed(pack_chunk(w.bytes(), packed_scratch, codec));
  ASSERT_EQ(codec, ChunkCodec::kLz4);
  auto size = static_cast<std::int64_t>(w.bytes().size());
  std::string scratch;
  EXPECT_FALSE(unpack_chunk(7, size, packed, scratch));      // unknown codec
  EXPECT_FALSE(unpack_chunk(0, size, packed, scratch));      // raw, but the size is wrong
  EXPECT_FALSE(unpack_chunk(1, size - 1, packed, scratch));  // shorter than it decompresses
  EXPECT_FALSE(unpack_chunk(1, size + 1, packed, scratch));  // longer than it decompresses
  EXPECT_FALSE(unpack_chunk(1, -1, packed, scratch));        // negative
  EXPECT_FALSE(unpack_chunk(1, std::int64_t{1} << 40, packed, scratch));  // no huge allocation
  EXPECT_FALSE(unpack_chunk(1, size, packed.substr(0, packed.size() / 2), scratch));
  std::string flipped = packed;
  flipped[0] = static_cast<char>(0xFF);
  auto garbage = unpack_chunk(1, size, flipped, scratch);
  EXPECT_TRUE(!garbage || garbage->size() == static_cast<std::size_t>(size));
}

}  // namespace
}  // namespace arcp::store
