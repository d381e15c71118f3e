// Internal: one job's streamed result (§8.4) — the runtime's side of the
// rules: one runtime-minted result_id, chunks in order, nothing after the
// final chunk, per-chunk and total size caps. Guarded by the job's lock.
#pragma once

#include <arcp/error.hpp>
#include <arcp/json.hpp>
#include <cstdint>
#include <string>

namespace arcp::runtime {

struct ResultLimits {
  std::size_t max_chunk_bytes = 1U << 20U;   // decoded bytes in one chunk
  std::size_t max_total_bytes = 64U << 20U;  // decoded bytes of the whole result
};

class ResultStream {
 public:
  explicit ResultStream(ResultLimits limits) : limits_(limits) {}

  /// Mints the result id on first use; INVALID_REQUEST when a stream was
  /// already opened (one result per job).
  Result<std::string> open();
  bool opened() const { return !id_.empty(); }
  bool closed() const { return closed_; }
  const std::string& id() const { return id_; }
  std::int64_t size() const { return size_; }
  std::int64_t next_seq() const { return next_seq_; }
  const ResultLimits& limits() const { return limits_; }

  /// Checks a validated `result_chunk` body and counts it. INVALID_REQUEST
  /// (nothing counted, the job goes on) for a foreign result_id, a chunk out
  /// of order, one after the final chunk, or base64 that does not decode;
  /// INTERNAL_ERROR with details {limit, cap} past a size cap: the result
  /// can no longer be delivered whole, so the caller ends the job.
  Result<void> accept(const json::object& body);

 private:
  ResultLimits limits_;
  std::string id_;
  std::int64_t next_seq_ = 0;
  std::int64_t size_ = 0;
  bool closed_ = false;
};

}  // namespace arcp::runtime
