// Internal: the on-disk packing of consecutive events of one session into one
// SQLite row. One B-tree insert per chunk instead of per event is what makes
// the durable log cheap enough to keep up with a streaming agent.
//
// Layout, repeated per event (integers little-endian):
//   u64 seq | u32 job_len | job_id bytes | u32 frame_len | frame bytes
// job_len == kSameJob means "the previous event's job_id" (no bytes follow),
// so a single job's stream does not repeat its id in every event.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace arcp::store {

class ChunkWriter {
 public:
  static constexpr std::uint32_t kSameJob = 0xFFFFFFFFU;

  void add(std::int64_t seq, std::string_view job_id, std::string_view frame);
  void clear();

  bool empty() const { return count_ == 0; }
  std::int64_t count() const { return count_; }
  std::int64_t first_seq() const { return first_seq_; }
  std::int64_t last_seq() const { return last_seq_; }
  std::string_view bytes() const { return bytes_; }

 private:
  std::string bytes_;
  std::string last_job_;
  std::int64_t count_ = 0;
  std::int64_t first_seq_ = 0;
  std::int64_t last_seq_ = 0;
};

struct ChunkEntry {
  std::int64_t seq = 0;
  std::string_view job_id;  // views into the chunk's bytes
  std::string_view frame;
};

/// Walks a chunk without copying. A truncated or inconsistent chunk (a
/// damaged file) stops the walk and sets corrupt() instead of reading past it.
class ChunkReader {
 public:
  explicit ChunkReader(std::string_view bytes) : rest_(bytes) {}
  bool next(ChunkEntry& out);
  bool corrupt() const { return corrupt_; }

 private:
  bool fail() {
    corrupt_ = true;
    rest_ = {};
    return false;
  }
  std::string_view rest_;
  std::string_view last_job_;
  bool have_job_ = false;
  bool corrupt_ = false;
};

/// How a chunk's bytes are stored. Consecutive events of a job repeat most
/// of their envelope (ids, trace id, field names), so LZ4 shrinks a chunk
/// several times over for about the cost of one copy; the disk writes it
/// saves are most of what a durable event costs.
enum class ChunkCodec : std::int64_t { kRaw = 0, kLz4 = 1 };

/// What to store for `raw`: compressed into `scratch` when that is smaller
/// (codec kLz4), else `raw` itself (codec kRaw).
std::string_view pack_chunk(std::string_view raw, std::string& scratch, ChunkCodec& codec);

/// The chunk bytes of a stored row: `body` itself, or decompressed into
/// `scratch`. nullopt when the row is damaged (unknown codec, a size that
/// does not match, bytes that do not decompress).
std::optional<std::string_view> unpack_chunk(std::int64_t codec, std::int64_t raw_bytes,
                                             std::string_view body, std::string& scratch);

}  // namespace arcp::store
