// base64 decoding of result_chunk data on arbitrary bytes: whatever decodes
// encodes back to exactly the same text (one text, one decoding), its size
// is what base64_decoded_size promised, and encode → decode round-trips.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/base64.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto size_only = arcp::core::base64_decoded_size(text);
  auto decoded = arcp::core::base64_decode(text);
  FUZZ_CHECK(size_only.has_value() == decoded.has_value());
  if (decoded) {
    FUZZ_CHECK(decoded->size() == *size_only);
    FUZZ_CHECK(arcp::core::base64_encode(*decoded) == text);
  }
  auto round = arcp::core::base64_decode(arcp::core::base64_encode(text));
  FUZZ_CHECK(round && *round == text);
  return 0;
}
