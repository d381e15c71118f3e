// §8.4 result streaming from an agent: `result_chunk` events, then a
// `job.result` that references them by `result_id`.
#pragma once

#include <arcp/error.hpp>
#include <arcp/json.hpp>
#include <memory>
#include <string>
#include <string_view>

namespace arcp {

namespace runtime {
class Job;
}

enum class ResultEncoding { kUtf8, kBase64 };

/// From `JobContext::stream_result()`. `write` splits data into chunks of
/// at most `chunk_bytes`; the last piece written is held back until the next
/// write or `finish`, so the final chunk carries `more:false` without an
/// extra empty chunk. `finish` ends the stream; return its value from the
/// agent, and the job ends with `job.result {result_id, result_size,
/// summary}`. An agent that streams must not also return an inline result
/// (the job then ends with INTERNAL_ERROR, §8.4); one that returns without
/// `finish` has its stream finished for it.
///
/// Writes never wait (like every emitter): a coroutine writing a large
/// result awaits `ctx.async_writable()` between writes. Past the runtime's
/// per-chunk or total cap a write fails with INTERNAL_ERROR and the job
/// ends with that error: a result is never delivered truncated.
class ResultWriter {
 public:
  /// utf8 data must be valid UTF-8; chunks are cut on character boundaries.
  Result<void> write(std::string_view data);
  /// Emits what is held as the final chunk and records the summary.
  Result<json::value> finish(std::string_view summary = {});

  const std::string& result_id() const { return result_id_; }
  /// Bytes written so far (decoded), what `result_size` will say.
  std::int64_t size() const { return size_; }

  ResultWriter(std::shared_ptr<runtime::Job> job, std::string result_id, ResultEncoding encoding,
               std::size_t chunk_bytes);
  ResultWriter(ResultWriter&&) noexcept = default;
  ResultWriter& operator=(ResultWriter&&) noexcept = default;
  ResultWriter(const ResultWriter&) = delete;
  ResultWriter& operator=(const ResultWriter&) = delete;
  /// Without `finish`, what is held goes out as the final chunk.
  ~ResultWriter();

 private:
  Result<void> emit_held(bool more);

  std::shared_ptr<runtime::Job> job_;
  std::string result_id_;
  ResultEncoding encoding_;
  std::size_t chunk_bytes_;
  std::string held_;
  bool holding_ = false;
  bool finished_ = false;
  std::int64_t size_ = 0;
};

}  // namespace arcp
