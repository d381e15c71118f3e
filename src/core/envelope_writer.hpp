// Internal: the fast path for outbound envelopes. The runtime serialises each
// event payload once and wraps it per session without a JSON DOM round trip.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace arcp::core {

/// Appends `s` as a JSON string literal (quoted, escaped).
void append_json_string(std::string& out, std::string_view s);

struct EnvelopeHeader {
  std::string_view arcp = "1.1";
  std::string_view id;
  std::string_view type;
  std::string_view session_id;  // empty = absent
  std::string_view job_id;      // empty = absent
  std::optional<std::int64_t> event_seq;
  std::string_view trace_id;  // empty = absent
};

/// Encodes the envelope around an already-serialised payload object.
std::string encode_envelope_raw(const EnvelopeHeader& header, std::string_view payload_json);

}  // namespace arcp::core
