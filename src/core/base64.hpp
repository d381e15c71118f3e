// Internal: standard base64 (RFC 4648 §4, padded), for result_chunk data,
// and unpadded base64url for tokens.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace arcp::core {

std::string base64_encode(std::string_view bytes);
/// base64url (RFC 4648 §5) without padding: safe in URLs and tokens.
std::string base64url_encode(std::string_view bytes);
/// nullopt for anything but canonical padded base64 (no whitespace, no
/// missing padding, no stray bits), so one text decodes one way only.
std::optional<std::string> base64_decode(std::string_view text);
/// Strict unpadded base64url (RFC 4648 §5, as JWS uses it, RFC 7515 §2):
/// nullopt for padding, whitespace, `+`/`/`, a length of 4n+1 or nonzero
/// stray bits, so one text decodes one way only.
std::optional<std::string> base64url_decode(std::string_view text);
/// Decoded size of valid base64 text, without decoding; nullopt when invalid.
std::optional<std::size_t> base64_decoded_size(std::string_view text);

}  // namespace arcp::core
