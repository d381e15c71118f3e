#include "core/base64.hpp"

#include <gtest/gtest.h>

namespace arcp::core {
namespace {

TEST(Base64, RoundTripsEveryByteValueAtEveryPaddingLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n < 6; ++n) {
    std::string bytes = all.substr(0, 250 + n);
    auto text = base64_encode(bytes);
    EXPECT_EQ(text.size() % 4, 0U);
    EXPECT_EQ(base64_decoded_size(text), bytes.size());
    EXPECT_EQ(base64_decode(text), bytes);
  }
  EXPECT_EQ(base64_encode("hello"), "aGVsbG8=");
  EXPECT_EQ(base64_decode(""), "");
}

TEST(Base64, RefusesAnythingButCanonicalPaddedText) {
  for (std::string_view bad : {"aGVsbG8", "aGVsbG8==", "aGVs bG8=", "aGVsbG9=", "AB==", "====",
                               "a===", "aGVsbG8=\n", "aGVs*G8=", "=AAA"})
    EXPECT_FALSE(base64_decode(bad)) << bad;
}

TEST(Base64Url, RoundTripsEveryByteValueAtEveryLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n < 6; ++n) {
    std::string bytes = all.substr(0, 250 + n);
    auto text = base64url_encode(bytes);
    EXPECT_EQ(text.find_first_of("+/="), std::string::npos);
    EXPECT_EQ(base64url_decode(text), bytes);
  }
  EXPECT_EQ(base64url_decode("aGVsbG8"), "hello");
  EXPECT_EQ(base64url_decode("-_8"), std::string("\xfb\xff"));
  EXPECT_EQ(base64url_decode(""), "");
}

TEST(Base64Url, RefusesPaddingStandardAlphabetStrayBitsAndBadLengths) {
  for (std::string_view bad :
       {"aGVsbG8=", "aGVsbG9", "a", "aGVsb", "+/8", "ab/c", "aG Vs", "aGVs\n", "aGVs.bG8", "AB"})
    EXPECT_FALSE(base64url_decode(bad)) << bad;
}

}  // namespace
}  // namespace arcp::core
