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

}  // namespace arcp::store
