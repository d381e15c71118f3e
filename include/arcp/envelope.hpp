// The §5 / v1.0 §5.1 envelope and its JSON codec.
#pragma once

#include <arcp/error.hpp>
#include <arcp/json.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace arcp {

/// Protocol version we emit; "1" and "1.0" are accepted on input.
inline constexpr std::string_view kProtocolVersion = "1.1";

/// Longest identifier accepted on input, in bytes (§14, DESIGN §4 limits):
/// envelope `id`, `type`, `session_id`, `job_id`, `trace_id`, and every payload
/// identifier the runtime keeps or echoes (`idempotency_key`, agent refs, ping
/// nonces, resume `session_id`/`resume_token`, list cursors, lease capability
/// names, subscribe/cancel `job_id`). Our own ids are 30-odd bytes.
inline constexpr std::size_t kMaxIdentifierBytes = 256;

/// INVALID_REQUEST when `value` is longer than kMaxIdentifierBytes. The
/// message names `field` and the limit; the value itself is never echoed.
Result<void> check_identifier(std::string_view field, std::string_view value);

struct Envelope {
  std::string arcp{kProtocolVersion};
  std::string id;
  std::string type;
  std::string session_id;  // empty = absent
  std::string trace_id;    // empty = absent; always the 32-hex trace id after decoding
  std::string job_id;      // empty = absent
  std::optional<std::int64_t> event_seq;
  json::object payload;
  /// The inbound `trace_id` when it was a full W3C traceparent (§11), kept
  /// so that spans continue the caller's span; never encoded (peers see
  /// `trace_id`).
  std::string traceparent;
};

/// Decodes one frame. Violations map to INVALID_REQUEST; when the frame's `id`
/// could be read (a non-empty string within kMaxIdentifierBytes) it is kept in
/// `error.details.request_id`. Never throws.
Result<Envelope> decode_envelope(std::string_view text);

/// Encodes with a stable field order: arcp, id, type, session_id, job_id,
/// event_seq, trace_id, payload. Absent fields are omitted.
std::string encode_envelope(const Envelope& env);

/// True for `x-vendor.*` message types / event kinds / capabilities.
bool is_vendor_name(std::string_view name);

}  // namespace arcp
