// parse_agent_ref on arbitrary bytes: accepted refs obey the §7.5 grammar and
// print back to exactly the input.
#include <arcp/agent_ref.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"

namespace {
bool name_char(char c, bool first) {
  if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return !first && (c == '.' || c == '_' || c == '-');
}
bool version_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '+' || c == '_' || c == '-';
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto ref = arcp::parse_agent_ref(text);
  if (!ref.ok()) {
    FUZZ_CHECK(ref.error().code == arcp::ErrorCode::kInvalidRequest);
    return 0;
  }
  FUZZ_CHECK(!ref->name.empty());
  for (std::size_t i = 0; i < ref->name.size(); ++i) FUZZ_CHECK(name_char(ref->name[i], i == 0));
  for (char c : ref->version) FUZZ_CHECK(version_char(c));
  FUZZ_CHECK(ref->to_string() == text);
  auto again = arcp::parse_agent_ref(ref->to_string());
  FUZZ_CHECK(again.ok() && again->name == ref->name && again->version == ref->version);
  return 0;
}
