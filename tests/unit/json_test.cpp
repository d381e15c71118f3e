// JSON parsing with precise numbers, and the typed field accessors.
#include <gtest/gtest.h>

#include <arcp/json.hpp>
#include <cstdlib>
#include <limits>
#include <string>

namespace arcp {
namespace {

json::value parse_ok(std::string_view text) {
  auto v = parse_json(text);
  EXPECT_TRUE(v.has_value()) << text;
  return v.value_or(json::value{});
}

TEST(Json, ParsesObjectsArraysAndScalars) {
  json::value v = parse_ok(R"({"a":[1,"two",true,null,{"b":2.5}]})");
  ASSERT_TRUE(v.is_object());
  const auto& a = v.at("a").as_array();
  ASSERT_EQ(a.size(), 5u);
  EXPECT_EQ(a[0], 1);
  EXPECT_EQ(a[1], "two");
  EXPECT_EQ(a[2], true);
  EXPECT_TRUE(a[3].is_null());
  EXPECT_EQ(a[4].at("b"), 2.5);
}

TEST(Json, MalformedInputReturnsNulloptWithoutThrowing) {
  for (const char* bad :
       {"",           "{",   "}",        "[1,]",    "{\"a\":}",    "{\"a\" 1}",      "nul",
        "01",         "1.",  ".5",       "+1",      "'x'",         "\"unterminated", "[1] [2]",
        "{\"a\":1,}", "NaN", "Infinity", "\"\\x\"", "\"\\ud800\"", "/*c*/{}"})
    EXPECT_FALSE(parse_json(bad).has_value()) << bad;
}

TEST(Json, RejectsInvalidUtf8) {
  EXPECT_FALSE(parse_json("\"\xc3\x28\"").has_value());
  EXPECT_FALSE(parse_json("\"\xff\"").has_value());
  EXPECT_TRUE(parse_json("\"\xc3\xa9\"").has_value());
}

TEST(Json, DepthIsBounded) {
  std::string shallow = std::string(60, '[') + std::string(60, ']');
  EXPECT_TRUE(parse_json(shallow).has_value());
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_FALSE(parse_json(deep).has_value());
}

TEST(Json, PreciseNumbersRoundTrip) {
  EXPECT_EQ(parse_ok("0.1").as_double(), 0.1);
  EXPECT_EQ(parse_ok("1e300").as_double(), 1e300);
  EXPECT_EQ(parse_ok("9007199254740993").as_int64(), 9007199254740993LL);
  EXPECT_EQ(parse_ok("-9223372036854775808").as_int64(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(parse_ok("18446744073709551615").as_uint64(),
            std::numeric_limits<std::uint64_t>::max());
  for (const char* text : {"0.1", "1e300", "9007199254740993", "2.2250738585072014e-308",
                           "1.7976931348623157e308", "0.30000000000000004", "123456.789e-3",
                           "4.9406564584124654e-324", "-0.0", "3.141592653589793"}) {
    json::value v = parse_ok(text);
    json::value again = parse_ok(json::serialize(v));
    EXPECT_EQ(v, again) << text << " -> " << json::serialize(v);
  }
}

TEST(Json, DoublesMatchCorrectlyRoundedStrtod) {
  // Boost.JSON's default (imprecise) mode can be off by an ulp on long mantissas.
  for (const char* text :
       {"0.1", "2.2250738585072011e-308", "9007199254740993.0",
        "0.10000000000000000555111512312578270211815834045410156250001", "8.988465674311579e307",
        "1.00000000000000011102230246251565404236316680908203125",
        "7.0420557077594588669468784357561207962098443483187940792729600000e59"}) {
    json::value v = parse_ok(text);
    ASSERT_TRUE(v.is_double()) << text;
    EXPECT_EQ(v.get_double(), std::strtod(text, nullptr)) << text;
  }
}

TEST(Json, FieldAccessorsCheckTypes) {
  json::object o =
      parse_ok(R"({"s":"x","o":{},"a":[],"i":5,"d":2.5,"b":true,"n":null})").as_object();
  ASSERT_NE(get_string(o, "s"), nullptr);
  EXPECT_EQ(*get_string(o, "s"), "x");
  EXPECT_EQ(get_string(o, "i"), nullptr);
  EXPECT_EQ(get_string(o, "missing"), nullptr);
  EXPECT_NE(get_object(o, "o"), nullptr);
  EXPECT_EQ(get_object(o, "a"), nullptr);
  EXPECT_NE(get_array(o, "a"), nullptr);
  EXPECT_EQ(get_array(o, "o"), nullptr);
  EXPECT_EQ(get_bool(o, "b"), true);
  EXPECT_EQ(get_bool(o, "i"), std::nullopt);
  EXPECT_EQ(get_bool(o, "n"), std::nullopt);
  EXPECT_EQ(get_number(o, "i"), 5.0);
  EXPECT_EQ(get_number(o, "d"), 2.5);
  EXPECT_EQ(get_number(o, "s"), std::nullopt);
  EXPECT_EQ(get_number(o, "b"), std::nullopt);
}

TEST(Json, GetIntAcceptsOnlyIntegralValuesInInt64Range) {
  json::object o = parse_ok(R"({"i":-5,"u":9223372036854775807,"big":9223372036854775808,)"
                            R"("whole":3.0,"frac":3.5,"edge":9.2e18,"s":"5","b":true})")
                       .as_object();
  EXPECT_EQ(get_int(o, "i"), -5);
  EXPECT_EQ(get_int(o, "u"), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(get_int(o, "big"), std::nullopt);
  EXPECT_EQ(get_int(o, "whole"), 3);
  EXPECT_EQ(get_int(o, "frac"), std::nullopt);
  EXPECT_EQ(get_int(o, "edge"), 9200000000000000000LL);
  EXPECT_EQ(get_int(o, "s"), std::nullopt);
  EXPECT_EQ(get_int(o, "b"), std::nullopt);
  EXPECT_EQ(get_int(o, "missing"), std::nullopt);
}

// Regression (found by fuzz_envelope): a double outside int64 range must be
// refused before any cast, which would be undefined behaviour.
TEST(Json, GetIntRejectsHugeDoublesWithoutUndefinedBehaviour) {
  json::object o = parse_ok(R"({"huge":1e300,"neg_huge":-1e19,"just_over":9.3e18})").as_object();
  EXPECT_EQ(get_int(o, "huge"), std::nullopt);
  EXPECT_EQ(get_int(o, "neg_huge"), std::nullopt);
  EXPECT_EQ(get_int(o, "just_over"), std::nullopt);
}

TEST(Json, AsNumberConvertsEveryNumericKind) {
  EXPECT_EQ(as_number(json::value(std::int64_t{-3})), -3.0);
  EXPECT_EQ(as_number(json::value(std::uint64_t{18446744073709551615ULL})), 18446744073709551615.0);
  EXPECT_EQ(as_number(json::value(0.25)), 0.25);
  EXPECT_EQ(as_number(json::value("1")), std::nullopt);
  EXPECT_EQ(as_number(json::value(nullptr)), std::nullopt);
}

}  // namespace
}  // namespace arcp
