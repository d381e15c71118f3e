// parse_rfc3339 on arbitrary bytes. Accepted text must format back to the same
// wall-clock fields (so a wrapped or shifted result is caught), dates beyond
// what the clock holds must keep their order relative to representable ones
// (rejecting or saturating is fine, wrapping is not), and format → parse must
// be a round trip at millisecond precision.
#include <arcp/time.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"

namespace {

using namespace std::chrono;

// Exact range of the system clock (int64 nanoseconds) is 1677-09-21..2262-04-11;
// stay clear of both ends so offsets and saturation margins do not matter.
constexpr int kFirstExactYear = 1700;
constexpr int kLastExactYear = 2250;

milliseconds floor_ms(arcp::SystemTime t) {
  return floor<milliseconds>(t.time_since_epoch());
}

int year_of(std::string_view text) {
  int y = 0;
  for (char c : text.substr(0, 4)) y = y * 10 + (c - '0');
  return y;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  bool utc = arcp::is_utc_designator(text);
  auto t = arcp::parse_rfc3339(text);
  if (!t) return 0;
  FUZZ_CHECK(text.size() >= 20);

  std::string formatted = arcp::format_rfc3339(*t);
  FUZZ_CHECK(formatted.size() == 24 && formatted[10] == 'T' && formatted.back() == 'Z');
  auto back = arcp::parse_rfc3339(formatted);
  FUZZ_CHECK(back.has_value());
  FUZZ_CHECK(floor_ms(*back) == floor_ms(*t));
  FUZZ_CHECK(arcp::format_rfc3339(*back) == formatted);

  int year = year_of(text);
  static const arcp::SystemTime kFirst = *arcp::parse_rfc3339("1700-01-01T00:00:00Z");
  static const arcp::SystemTime kLast = *arcp::parse_rfc3339("2250-12-31T23:59:59Z");
  if (year < kFirstExactYear) FUZZ_CHECK(*t < kFirst);
  if (year > kLastExactYear) FUZZ_CHECK(*t > kLast);

  // With a `Z` designator no offset applies: the date and time fields must come
  // back unchanged (leap second 60 is clamped to 59; the fraction is floored).
  bool exact = year >= kFirstExactYear && year <= kLastExactYear;
  if (utc && exact && text.substr(17, 2) != "60") {
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
