#include "runtime/result_stream.hpp"

#include <arcp/ids.hpp>

#include "core/base64.hpp"
#include "core/payload_fields.hpp"

namespace arcp::runtime {

Result<std::string> ResultStream::open() {
  if (opened())
    return Error(ErrorCode::kInvalidRequest, "this job already streams its result (" + id_ + ")");
  id_ = new_id("res");
  return id_;
}

Result<void> ResultStream::accept(const json::object& body) {
  const std::string_view result_id = *get_string(body, "result_id");
  if (!opened())
    return Error(ErrorCode::kInvalidRequest,
                 "result_chunk before the result stream was opened (JobContext::stream_result)");
  if (result_id != id_)
    return Error(ErrorCode::kInvalidRequest, "result_chunk for another result_id",
                 json::object{{"result_id", id_}});
  if (closed_)
    return Error(ErrorCode::kInvalidRequest, "result_chunk after the final chunk (more:false)",
                 json::object{{"result_id", id_}});
  auto seq = *get_int(body, "chunk_seq");
  if (seq != next_seq_)
    return Error(ErrorCode::kInvalidRequest,
                 "result_chunk out of order: expected chunk_seq " + std::to_string(next_seq_),
                 json::object{{"expected_chunk_seq", next_seq_}, {"chunk_seq", seq}});
  std::string_view data = *get_string(body, "data");
  std::size_t bytes = data.size();
  if (*get_string(body, "encoding") == "base64") {
    auto decoded = core::base64_decoded_size(data);
    if (!decoded) return Error(ErrorCode::kInvalidRequest, "result_chunk data is not base64");
    bytes = *decoded;
  }
  if (bytes > limits_.max_chunk_bytes)
    return Error(
        ErrorCode::kInternalError,
        "result chunk of " + std::to_string(bytes) + " bytes exceeds the cap of " +
            std::to_string(limits_.max_chunk_bytes),
        json::object{{"limit", "max_result_chunk_bytes"}, {"cap", limits_.max_chunk_bytes}});
  if (static_cast<std::size_t>(size_) + bytes > limits_.max_total_bytes)
    return Error(
        ErrorCode::kInternalError,
        "streamed result exceeds the cap of " + std::to_string(limits_.max_total_bytes) + " bytes",
        json::object{{"limit", "max_result_bytes"}, {"cap", limits_.max_total_bytes}});
  size_ += static_cast<std::int64_t>(bytes);
  ++next_seq_;
  if (!*get_bool(body, "more")) closed_ = true;
  return {};
}

}  // namespace arcp::runtime
