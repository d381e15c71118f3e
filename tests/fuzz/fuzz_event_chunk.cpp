// The SQLite store's chunk decoding on arbitrary bytes (a damaged data
// directory): unpack_chunk with any codec and claimed size never over-reads
// or over-allocates; ChunkReader never reads out of bounds, and whatever it
// accepts re-encodes — and re-compresses — to a chunk with the same events.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "store/event_chunk.hpp"

namespace {

using arcp::store::ChunkEntry;

void walk_and_round_trip(std::string_view bytes) {
  arcp::store::ChunkReader reader(bytes);
  arcp::store::ChunkWriter writer;
  std::vector<ChunkEntry> seen;
  ChunkEntry e;
  while (reader.next(e)) {
    FUZZ_CHECK(e.frame.data() >= bytes.data() &&
               e.frame.data() + e.frame.size() <= bytes.data() + bytes.size());
    writer.add(e.seq, e.job_id, e.frame);
    seen.push_back(e);
  }
  std::string packed_scratch;
  std::string unpacked_scratch;
  arcp::store::ChunkCodec codec{};
  auto packed = arcp::store::pack_chunk(writer.bytes(), packed_scratch, codec);
  auto unpacked = arcp::store::unpack_chunk(static_cast<std::int64_t>(codec),
                                            static_cast<std::int64_t>(writer.bytes().size()),
                                            packed, unpacked_scratch);
  FUZZ_CHECK(unpacked && *unpacked == writer.bytes());
  arcp::store::ChunkReader again(*unpacked);
  for (const auto& want : seen) {
    FUZZ_CHECK(again.next(e));
    FUZZ_CHECK(e.seq == want.seq && e.job_id == want.job_id && e.frame == want.frame);
  }
  FUZZ_CHECK(!again.next(e) && !again.corrupt());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  walk_and_round_trip(bytes);
  // The same bytes as a stored row: byte 0 the codec, bytes 1..3 the size.
  if (size < 4) return 0;
  std::int64_t codec = data[0] % 3;
  std::int64_t raw_bytes = data[1] | (data[2] << 8) | (data[3] << 16);
  std::string scratch;
  auto unpacked = arcp::store::unpack_chunk(codec, raw_bytes, bytes.substr(4), scratch);
  if (unpacked) {
    FUZZ_CHECK(static_cast<std::int64_t>(unpacked->size()) == raw_bytes);
    walk_and_round_trip(*unpacked);
  }
  return 0;
}
