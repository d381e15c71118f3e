// Identifier minting: prefixed ULIDs (`msg_`, `sess_`, `job_`, ...).
#pragma once

#include <string>
#include <string_view>

namespace arcp {

/// 26-char Crockford base32 ULID: 48-bit millisecond timestamp, then 80 bits
/// fresh from the kernel CSPRNG for every id. Not monotonic: ids minted in the
/// same millisecond are unordered and unrelated, so one id cannot be guessed
/// from another (§14).
std::string new_ulid();
/// `prefix` + "_" + ULID, e.g. new_id("job") → "job_01J...".
std::string new_id(std::string_view prefix);
/// True when `text` is 26 Crockford base32 characters.
bool is_ulid(std::string_view text);

/// W3C trace-id: 32 lowercase hex, not all zero, freshly random.
std::string new_trace_id();
/// Normalises an inbound trace id: accepts 32 hex (any case) or a full
/// `traceparent` (`00-<trace>-<span>-<flags>`); returns "" when invalid.
std::string normalize_trace_id(std::string_view text);

}  // namespace arcp
