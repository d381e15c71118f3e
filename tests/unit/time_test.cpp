// RFC 3339 timestamps: formatting (UTC, ms, Z) and parsing (any offset → UTC).
#include <gtest/gtest.h>

#include <arcp/time.hpp>
#include <chrono>
#include <string>
#include <string_view>

namespace arcp {
namespace {

using namespace std::chrono;

SystemTime at_ms(long long ms) {
  return SystemTime(duration_cast<SystemTime::duration>(milliseconds(ms)));
}

std::string parse_then_format(std::string_view text) {
  auto t = parse_rfc3339(text);
  return t ? format_rfc3339(*t) : std::string("<nullopt>");
}

TEST(Time, FormatsEpochWithMillisecondsAndZ) {
  EXPECT_EQ(format_rfc3339(SystemTime{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339(at_ms(1778701333842)), "2026-05-13T19:42:13.842Z");
}

TEST(Time, FormatTruncatesSubMillisecondPrecision) {
  auto t = at_ms(1778701333842) + microseconds(999);
  EXPECT_EQ(format_rfc3339(t), "2026-05-13T19:42:13.842Z");
}

TEST(Time, FormatsTimesBeforeTheEpoch) {
  EXPECT_EQ(format_rfc3339(at_ms(-1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339(at_ms(-86400000)), "1969-12-31T00:00:00.000Z");
}

// Regression (found by fuzz_rfc3339): milliseconds are floored, also before 1970.
TEST(Time, FormatFloorsSubMillisecondsBeforeTheEpoch) {
  EXPECT_EQ(format_rfc3339(at_ms(-1) - microseconds(1)), "1969-12-31T23:59:59.998Z");
  EXPECT_EQ(parse_then_format("1945-05-13T19:42:16.1115Z"), "1945-05-13T19:42:16.111Z");
}

TEST(Time, NowIsFormattedAsUtcMilliseconds) {
  std::string now = now_rfc3339();
  ASSERT_EQ(now.size(), 24u) << now;
  EXPECT_EQ(now[10], 'T');
  EXPECT_EQ(now[19], '.');
  EXPECT_EQ(now.back(), 'Z');
  auto parsed = parse_rfc3339(now);
  ASSERT_TRUE(parsed.has_value());
  auto delta = system_clock::now() - *parsed;
  EXPECT_GE(delta, seconds(0));
  EXPECT_LT(delta, seconds(60));
}

TEST(Time, ParsesZuluWithAndWithoutFraction) {
  EXPECT_EQ(parse_rfc3339("2026-05-13T19:42:13.842Z"), at_ms(1778701333842));
  EXPECT_EQ(parse_rfc3339("2026-05-13T19:42:13Z"), at_ms(1778701333000));
  EXPECT_EQ(parse_then_format("2026-05-13T19:42:13.8Z"), "2026-05-13T19:42:13.800Z");
}

TEST(Time, ParsesFractionBeyondMilliseconds) {
  auto t = parse_rfc3339("2026-05-13T19:42:13.123456789Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(duration_cast<nanoseconds>(t->time_since_epoch()).count() % 1000000000LL, 123456789);
  EXPECT_EQ(parse_then_format("2026-05-13T19:42:13.99999999999Z"), "2026-05-13T19:42:13.999Z");
}

TEST(Time, NormalisesNumericOffsetsToUtc) {
  EXPECT_EQ(parse_then_format("2026-05-13T21:42:13.842+02:00"), "2026-05-13T19:42:13.842Z");
  EXPECT_EQ(parse_then_format("2026-05-13T14:12:13-05:30"), "2026-05-13T19:42:13.000Z");
  EXPECT_EQ(parse_then_format("2026-05-13T19:42:13+00:00"), "2026-05-13T19:42:13.000Z");
  EXPECT_EQ(parse_then_format("2026-05-13T19:42:13-00:00"), "2026-05-13T19:42:13.000Z");
  // Offsets move across day, month and year boundaries.
  EXPECT_EQ(parse_then_format("2027-01-01T01:00:00+02:00"), "2026-12-31T23:00:00.000Z");
  EXPECT_EQ(parse_then_format("2026-02-28T23:30:00-01:00"), "2026-03-01T00:30:00.000Z");
}

TEST(Time, AcceptsLowercaseDesignatorsAndSpaceSeparator) {
  EXPECT_EQ(parse_rfc3339("2026-05-13t19:42:13z"), at_ms(1778701333000));
  EXPECT_EQ(parse_rfc3339("2026-05-13 19:42:13Z"), at_ms(1778701333000));
}

TEST(Time, ValidatesCalendar) {
  EXPECT_TRUE(parse_rfc3339("2024-02-29T00:00:00Z").has_value());   // leap year
  EXPECT_TRUE(parse_rfc3339("2000-02-29T00:00:00Z").has_value());   // 400-year rule
  EXPECT_FALSE(parse_rfc3339("2026-02-29T00:00:00Z").has_value());  // not a leap year
  EXPECT_FALSE(parse_rfc3339("2100-02-29T00:00:00Z").has_value());  // century rule
  EXPECT_FALSE(parse_rfc3339("2026-04-31T00:00:00Z").has_value());
  EXPECT_FALSE(parse_rfc3339("2026-00-10T00:00:00Z").has_value());
  EXPECT_FALSE(parse_rfc3339("2026-13-10T00:00:00Z").has_value());
  EXPECT_FALSE(parse_rfc3339("2026-05-00T00:00:00Z").has_value());
  EXPECT_FALSE(parse_rfc3339("2026-05-13T24:00:00Z").has_value());
  EXPECT_FALSE(parse_rfc3339("2026-05-13T23:60:00Z").has_value());
  EXPECT_FALSE(parse_rfc3339("2026-05-13T23:59:61Z").has_value());
}

TEST(Time, LeapSecondIsAcceptedAndClampedToSecond59) {
  EXPECT_EQ(parse_then_format("2016-12-31T23:59:60Z"), "2016-12-31T23:59:59.000Z");
}

TEST(Time, RejectsMalformedText) {
  for (std::string_view bad : {
           "",
           "2026-05-13",
           "2026-05-13T19:42:13",  // no offset
           "2026-05-13T19:42Z",    // no seconds
           "2026-5-13T19:42:13Z",  // short month
           "2026/05/13T19:42:13Z",
           "2026-05-13X19:42:13Z",
           "2026-05-13T19:42:13.Z",  // empty fraction
           "2026-05-13T19:42:13,5Z",
           "2026-05-13T19:42:13+0200",  // offset without colon
           "2026-05-13T19:42:13+02",
           "2026-05-13T19:42:13+24:00",
           "2026-05-13T19:42:13+02:60",
           "2026-05-13T19:42:13ZZ",
           "2026-05-13T19:42:13Z ",
           " 2026-05-13T19:42:13Z",
           "2026-05-13T19:42:13UTC",
           "+2026-05-13T19:42:13Z",
           "1778701333",
       }) {
    EXPECT_FALSE(parse_rfc3339(bad).has_value()) << "'" << bad << "'";
  }
}

TEST(Time, FormatParseRoundTripsAtMillisecondPrecision) {
  for (long long ms : {0LL, 1LL, 999LL, 951782400000LL, 1778701333842LL, 4102444799999LL}) {
    auto t = at_ms(ms);
    EXPECT_EQ(parse_rfc3339(format_rfc3339(t)), t) << ms;
  }
}

TEST(Time, UtcDesignatorCheck) {
  EXPECT_TRUE(is_utc_designator("2026-05-13T19:42:13Z"));
  EXPECT_TRUE(is_utc_designator("2026-05-13T19:42:13z"));
  EXPECT_FALSE(is_utc_designator("2026-05-13T19:42:13+00:00"));
  EXPECT_FALSE(is_utc_designator("2026-05-13T19:42:13"));
  EXPECT_FALSE(is_utc_designator(""));
}

// Regression: dates outside the clock's range (1677-2262) saturate instead of
// wrapping, so their order relative to now is kept.
TEST(Time, OutOfRangeYearsAreRejectedNotWrapped) {
  auto reference = parse_rfc3339("2026-01-01T00:00:00Z");
  ASSERT_TRUE(reference.has_value());
  for (std::string_view later :
       {"9999-12-31T23:59:59Z", "2262-04-11T23:47:17Z", "2300-01-01T00:00:00Z"}) {
    auto t = parse_rfc3339(later);
    if (t) EXPECT_GT(*t, *reference) << later << " parsed as " << format_rfc3339(*t);
  }
  for (std::string_view earlier :
       {"0001-01-01T00:00:00Z", "1600-01-01T00:00:00Z", "1677-09-21T00:00:00Z"}) {
    auto t = parse_rfc3339(earlier);
    if (t) EXPECT_LT(*t, *reference) << earlier << " parsed as " << format_rfc3339(*t);
  }
}

}  // namespace
}  // namespace arcp
