#include <arcp/result_writer.hpp>

#include "core/base64.hpp"
#include "runtime/job.hpp"

namespace arcp {
namespace {

// Length of the longest prefix of `s` (at most `max` bytes) that does not
// cut a UTF-8 sequence in two.
std::size_t utf8_prefix(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s.size();
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n == 0 ? max : n;  // no boundary within reach: not UTF-8 anyway
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80         ? 1
                      : (c >> 5) == 6  ? 2
                      : (c >> 4) == 14 ? 3
                      : (c >> 3) == 30 ? 4
                                       : 0;
    if (len == 0 || i + len > s.size()) return false;
    std::uint32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static constexpr std::uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

}  // namespace

ResultWriter::ResultWriter(std::shared_ptr<runtime::Job> job, std::string result_id,
                           ResultEncoding encoding, std::size_t chunk_bytes)
    : job_(std::move(job)),
      result_id_(std::move(result_id)),
      encoding_(encoding),
      chunk_bytes_(std::max<std::size_t>(chunk_bytes, 4)) {}

ResultWriter::~ResultWriter() {
  if (job_ && !finished_ && holding_) {
    finished_ = true;
    (void)emit_held(false);
  }
}

Result<void> ResultWriter::emit_held(bool more) {
  std::string data =
      encoding_ == ResultEncoding::kBase64 ? core::base64_encode(held_) : std::move(held_);
  held_.clear();
  holding_ = false;
  return job_->emit_result_chunk(data, encoding_ == ResultEncoding::kBase64 ? "base64" : "utf8",
                                 more);
}

Result<void> ResultWriter::write(std::string_view data) {
  if (finished_) return Error(ErrorCode::kInvalidRequest, "the result stream is finished");
  if (encoding_ == ResultEncoding::kUtf8 && !valid_utf8(data))
    return Error(ErrorCode::kInvalidRequest,
                 "utf8 result data is not valid UTF-8; stream it with ResultEncoding::kBase64");
  while (!data.empty()) {
    if (holding_)
      if (auto r = emit_held(true); !r) return r;
    std::size_t n = encoding_ == ResultEncoding::kUtf8 ? utf8_prefix(data, chunk_bytes_)
                                                       : std::min(data.size(), chunk_bytes_);
    held_.assign(data.substr(0, n));
    holding_ = true;
    size_ += static_cast<std::int64_t>(n);
    data.remove_prefix(n);
  }
  return {};
}

Result<json::value> ResultWriter::finish(std::string_view summary) {
  if (finished_) return Error(ErrorCode::kInvalidRequest, "the result stream is finished");
  finished_ = true;
  job_->set_result_summary(std::string(summary));
  if (auto r = emit_held(false); !r) return r.error();
  return json::value(nullptr);
}

}  // namespace arcp
