#include "store/event_chunk.hpp"

#include <lz4.h>

#include <cstring>

namespace arcp::store {
namespace {

template <typename T>
void put(std::string& out, T v) {
  char buf[sizeof(T)];
  for (std::size_t i = 0; i < sizeof(T); ++i) buf[i] = static_cast<char>((v >> (8 * i)) & 0xFFU);
  out.append(buf, sizeof(T));
}

template <typename T>
bool take(std::string_view& in, T& v) {
  if (in.size() < sizeof(T)) return false;
  v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i)
    v |= static_cast<T>(static_cast<unsigned char>(in[i])) << (8 * i);
  in.remove_prefix(sizeof(T));
  return true;
}

bool take_bytes(std::string_view& in, std::uint32_t n, std::string_view& out) {
  if (in.size() < n) return false;
  out = in.substr(0, n);
  in.remove_prefix(n);
  return true;
}

}  // namespace

void ChunkWriter::add(std::int64_t seq, std::string_view job_id, std::string_view frame) {
  if (count_ == 0) first_seq_ = seq;
  last_seq_ = seq;
  ++count_;
  put(bytes_, static_cast<std::uint64_t>(seq));
  if (count_ > 1 && job_id == last_job_) {
    put(bytes_, kSameJob);
  } else {
    put(bytes_, static_cast<std::uint32_t>(job_id.size()));
    bytes_.append(job_id);
    last_job_.assign(job_id);
  }
  put(bytes_, static_cast<std::uint32_t>(frame.size()));
  bytes_.append(frame);
}

void ChunkWriter::clear() {
  bytes_.clear();
  last_job_.clear();
  count_ = 0;
  first_seq_ = last_seq_ = 0;
}

bool ChunkReader::next(ChunkEntry& out) {
  if (rest_.empty()) return false;
  std::uint64_t seq = 0;
  std::uint32_t job_len = 0;
  std::uint32_t frame_len = 0;
  if (!take(rest_, seq) || !take(rest_, job_len)) return fail();
  if (job_len == ChunkWriter::kSameJob) {
    if (!have_job_) return fail();
  } else if (!take_bytes(rest_, job_len, last_job_)) {
    return fail();
  }
  have_job_ = true;
  if (!take(rest_, frame_len) || !take_bytes(rest_, frame_len, out.frame)) return fail();
  out.seq = static_cast<std::int64_t>(seq);
  out.job_id = last_job_;
  return true;
}

std::string_view pack_chunk(std::string_view raw, std::string& scratch, ChunkCodec& codec) {
  codec = ChunkCodec::kRaw;
  if (raw.size() > static_cast<std::size_t>(LZ4_MAX_INPUT_SIZE)) return raw;
  scratch.resize(static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(raw.size()))));
  int n = LZ4_compress_default(raw.data(), scratch.data(), static_cast<int>(raw.size()),
                               static_cast<int>(scratch.size()));
  if (n <= 0 || static_cast<std::size_t>(n) >= raw.size()) return raw;
  codec = ChunkCodec::kLz4;
  return std::string_view(scratch.data(), static_cast<std::size_t>(n));
}

std::optional<std::string_view> unpack_chunk(std::int64_t codec, std::int64_t raw_bytes,
                                             std::string_view body, std::string& scratch) {
  if (codec == static_cast<std::int64_t>(ChunkCodec::kRaw)) {
    if (raw_bytes != static_cast<std::int64_t>(body.size())) return std::nullopt;
    return body;
  }
  // A damaged size must not become a huge allocation: LZ4 expands at most
  // 255:1, so a larger claim cannot be right.
  if (codec != static_cast<std::int64_t>(ChunkCodec::kLz4) || raw_bytes < 0 ||
      raw_bytes > LZ4_MAX_INPUT_SIZE ||
      static_cast<std::uint64_t>(raw_bytes) >
          255U * static_cast<std::uint64_t>(body.size()) + 16U ||
      body.size() > static_cast<std::size_t>(LZ4_MAX_INPUT_SIZE))
    return std::nullopt;
  scratch.resize(static_cast<std::size_t>(raw_bytes));
  int n = LZ4_decompress_safe(body.data(), scratch.data(), static_cast<int>(body.size()),
                              static_cast<int>(raw_bytes));
  if (n != raw_bytes) return std::nullopt;
  return std::string_view(scratch);
}

}  // namespace arcp::store
