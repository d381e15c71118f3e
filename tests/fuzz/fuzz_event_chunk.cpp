// ChunkReader on arbitrary bytes (a damaged data directory): never reads out
// of bounds, and whatever it accepts re-encodes to a chunk that decodes to
// the same events.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "store/event_chunk.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using arcp::store::ChunkEntry;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
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
  arcp::store::ChunkReader again(writer.bytes());
  for (const auto& want : seen) {
    FUZZ_CHECK(again.next(e));
    FUZZ_CHECK(e.seq == want.seq && e.job_id == want.job_id && e.frame == want.frame);
  }
  FUZZ_CHECK(!again.next(e) && !again.corrupt());
  return 0;
}
