// decode_list_cursor on arbitrary bytes: never crashes, never yields an empty
// job id, and whatever it accepts survives encode → decode unchanged (the
// key a client sends back is the key the runtime meant).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "runtime/list_cursor.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto key = arcp::runtime::decode_list_cursor(text);
  if (!key) return 0;
  FUZZ_CHECK(!key->second.empty());
  auto again = arcp::runtime::encode_list_cursor(key->first, key->second);
  auto round = arcp::runtime::decode_list_cursor(again);
  FUZZ_CHECK(round && *round == *key);
  return 0;
}
