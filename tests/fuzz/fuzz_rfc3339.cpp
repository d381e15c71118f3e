// parse_rfc3339 on arbitrary bytes. Accepted UTC text must format back to the
// same wall-clock fields (so a wrapped or shifted result is caught), and
// format → parse must be a round trip at millisecond precision.
#include <arcp/time.hpp>

#include "fuzz_check.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace std::chrono;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  bool utc = arcp::is_utc_designator(text);
  auto t = arcp::parse_rfc3339(text);
  if (!t) return 0;

  std::string formatted = arcp::format_rfc3339(*t);
  FUZZ_CHECK(formatted.size() == 24 && formatted[10] == 'T' && formatted.back() == 'Z');
  auto back = arcp::parse_rfc3339(formatted);
  FUZZ_CHECK(back.has_value());
  FUZZ_CHECK(*back == time_point_cast<milliseconds>(*t) || *back == floor<milliseconds>(*t));
  FUZZ_CHECK(arcp::format_rfc3339(*back) == formatted);

  // With a `Z` designator no offset applies: the date and time fields must come
  // back unchanged (leap second 60 is clamped to 59).
  if (utc && text.size() >= 20 && text.substr(17, 2) != "60") {
    std::string expected(text.substr(0, 19));
    expected[10] = 'T';
    FUZZ_CHECK(formatted.compare(0, 19, expected) == 0);
    if (text[19] == '.') {
      std::string ms;
      for (std::size_t i = 20; i < text.size() && ms.size() < 3 && text[i] >= '0' && text[i] <= '9';
           ++i)
        ms.push_back(text[i]);
      ms.resize(3, '0');
      FUZZ_CHECK(formatted.compare(20, 3, ms) == 0);
    }
  }
  return 0;
}
