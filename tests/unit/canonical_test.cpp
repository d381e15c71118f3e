// v1.0 §14 pattern matching subtleties: lexical canonical forms of paths,
// URLs and names, and the refusals that stop look-alikes (P02).
#include <gtest/gtest.h>

#include <arcp/canonical.hpp>
#include <string>
#include <string_view>

namespace arcp {
namespace {

std::string path(std::string_view p, std::string_view base = "/") {
  auto r = canonical_path(p, base);
  return r ? r.value() : "<refused: " + r.error().message + ">";
}

std::string url(std::string_view u) {
  auto r = canonical_url(u);
  return r ? r.value() : "<refused: " + r.error().message + ">";
}

void expect_path_refused(std::string_view p, std::string_view base = "/") {
  auto r = canonical_path(p, base);
  ASSERT_FALSE(r.ok()) << p << " -> " << r.value();
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
}

void expect_url_refused(std::string_view u) {
  auto r = canonical_url(u);
  ASSERT_FALSE(r.ok()) << u << " -> " << r.value();
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
}

TEST(Canonical, ConformanceP02_PathDotSegmentsAndEmptySegments) {
  EXPECT_EQ(path("/srv/a/../b"), "/srv/b");
  EXPECT_EQ(path("/srv//a///b"), "/srv/a/b");
  EXPECT_EQ(path("/srv/./a/./b/."), "/srv/a/b");
  EXPECT_EQ(path("/srv/a/b/"), "/srv/a/b");
  EXPECT_EQ(path("/srv/a/.."), "/srv");
  EXPECT_EQ(path("/../../etc/passwd"), "/etc/passwd");  // never above `/`
  EXPECT_EQ(path("/.."), "/");
  EXPECT_EQ(path("/"), "/");
  EXPECT_EQ(path("//"), "/");
  EXPECT_EQ(path("/srv/.../x"), "/srv/.../x");  // `...` is a name
  EXPECT_EQ(path("/srv/..a/x"), "/srv/..a/x");
}

TEST(Canonical, ConformanceP02_PathPercentEscapesDecodedOnce) {
  EXPECT_EQ(path("/srv/a/%2e%2e/b"), "/srv/b");
  EXPECT_EQ(path("/srv/a/%2E%2e/b"), "/srv/b");
  EXPECT_EQ(path("/srv/a/..%2fb"), "/srv/b");
  EXPECT_EQ(path("/srv/a%2F..%2F..%2Fetc"), "/etc");
  EXPECT_EQ(path("/srv/%61"), "/srv/a");
  // Double encoding decodes once: the literal name `%2e%2e`, never `..`.
  EXPECT_EQ(path("/srv/a/%252e%252e/b"), "/srv/a/%2e%2e/b");
  expect_path_refused("/srv/%");
  expect_path_refused("/srv/%2");
  expect_path_refused("/srv/%zz");
  expect_path_refused("/srv/%00/x");
  expect_path_refused(std::string_view("/srv/a\0b", 8));
}

TEST(Canonical, ConformanceP02_PathCaseAndUnicodeAreLiteral) {
  EXPECT_EQ(path("/SRV/Allowed"), "/SRV/Allowed");
  // Fullwidth solidus and full stops are ordinary bytes, not separators or dots.
  EXPECT_EQ(path("/srv/a/\xEF\xBC\x8E\xEF\xBC\x8E\xEF\xBC\x8Fx"),
            "/srv/a/\xEF\xBC\x8E\xEF\xBC\x8E\xEF\xBC\x8Fx");
  EXPECT_EQ(path("/srv/a\\..\\b"), "/srv/a\\..\\b");  // backslash is a name byte on POSIX
}

TEST(Canonical, PathRelativeResolvesAgainstBase) {
  EXPECT_EQ(path("a/b", "/srv"), "/srv/a/b");
  EXPECT_EQ(path("./a", "/srv/"), "/srv/a");
  EXPECT_EQ(path("../etc", "/srv"), "/etc");
  EXPECT_EQ(path("../../../..", "/srv/x"), "/");
  EXPECT_EQ(path("a", "/srv/./x/../y"), "/srv/y/a");
  EXPECT_EQ(path("/abs", "/srv"), "/abs");
  expect_path_refused("a", "srv");
  expect_path_refused("a", "");
  expect_path_refused("");
}

TEST(Canonical, ConformanceP02_UrlCaseDefaultPortAndEmptyPath) {
  EXPECT_EQ(url("HTTPS://API.Example.COM/v1/X"), "https://api.example.com/v1/X");
  EXPECT_EQ(url("https://api.example.com:443/v1"), "https://api.example.com/v1");
  EXPECT_EQ(url("http://api.example.com:80/v1"), "http://api.example.com/v1");
  EXPECT_EQ(url("http://api.example.com:443/v1"), "http://api.example.com:443/v1");
  EXPECT_EQ(url("https://api.example.com:0443/"), "https://api.example.com/");
  EXPECT_EQ(url("https://api.example.com:/"), "https://api.example.com/");
  EXPECT_EQ(url("https://api.example.com"), "https://api.example.com/");
  EXPECT_EQ(url("https://api.example.com:8443"), "https://api.example.com:8443/");
  EXPECT_EQ(url("https://api.example.com/a#frag"), "https://api.example.com/a");
  EXPECT_EQ(url("https://api.example.com/a?q=1&r=%2f#f"), "https://api.example.com/a?q=1&r=%2f");
  EXPECT_EQ(url("https://127.0.0.1/x"), "https://127.0.0.1/x");
  EXPECT_EQ(url("https://[0:0:0:0:0:0:0:1]:8443/x"), "https://[::1]:8443/x");
}

TEST(Canonical, ConformanceP02_UrlDotSegmentsAndEscapes) {
  EXPECT_EQ(url("https://h.example/v1/../admin"), "https://h.example/admin");
  EXPECT_EQ(url("https://h.example/v1/%2e%2e/admin"), "https://h.example/admin");
  EXPECT_EQ(url("https://h.example/v1/%2E./admin"), "https://h.example/admin");
  EXPECT_EQ(url("https://h.example/v1/./x/."), "https://h.example/v1/x/");
  EXPECT_EQ(url("https://h.example/v1/x/.."), "https://h.example/v1/");
  EXPECT_EQ(url("https://h.example/v1//x"), "https://h.example/v1//x");
  EXPECT_EQ(url("https://h.example/%7e%41%62"), "https://h.example/~Ab");
  EXPECT_EQ(url("https://h.example/a%2fb%c3%a9"), "https://h.example/a%2Fb%C3%A9");
  EXPECT_EQ(url("https://h.example/%252e%252e/x"), "https://h.example/%252e%252e/x");
  expect_url_refused("https://h.example/../x");
  expect_url_refused("https://h.example/v1/../../x");
  // A server that decodes `%2F` or reads `..;` as `..` must not see a dot segment.
  expect_url_refused("https://h.example/v1/..%2Fadmin");
  expect_url_refused("https://h.example/v1/..%2fadmin");
  expect_url_refused("https://h.example/v1/%2e%2e%2Fadmin");
  expect_url_refused("https://h.example/v1/x%2F..%2F..%2Fadmin");
  expect_url_refused("https://h.example/v1/..%5Cadmin");
  expect_url_refused("https://h.example/v1/..;/admin");
  expect_url_refused("https://h.example/v1/.;x/admin");
  EXPECT_EQ(url("https://h.example/v1/a%2Fb"), "https://h.example/v1/a%2Fb");
}

TEST(Canonical, ConformanceP02_UrlRefusesLookAlikesAndOddities) {
  expect_url_refused("ftp://h.example/x");
  expect_url_refused("file:///etc/passwd");
  expect_url_refused("javascript:alert(1)");
  expect_url_refused("https://user@h.example/x");
  expect_url_refused("https://user:pw@h.example/x");
  expect_url_refused("https://@h.example/x");
  expect_url_refused("https:///x");
  expect_url_refused("https:/x");
  expect_url_refused("/relative/x");
  expect_url_refused("https://xn--pi-7ld.example.com/x");
  expect_url_refused("https://api.XN--pi-7ld.com/x");
  expect_url_refused("https://\xD0\xB0pi.example.com/x");  // Cyrillic а
  expect_url_refused("https://%D0%B0pi.example.com/x");
  expect_url_refused("https://api.example.com./x");
  expect_url_refused("https://api..example.com/x");
  expect_url_refused("https://127.1/x");
  expect_url_refused("https://0x7f.0.0.1/x");
  expect_url_refused("https://2130706433/x");
  expect_url_refused("https://h.example:0/x");
  expect_url_refused("https://h.example:65536/x");
  expect_url_refused("https://h.example/x%00");
  expect_url_refused("https://h.example/x?a=%00");
  expect_url_refused(std::string_view("https://h.example/x\0", 20));
  expect_url_refused("https://h.example/%zz");
  expect_url_refused("https://h.exa mple/");
  expect_url_refused("https://h!example/");
  expect_url_refused("");
}

TEST(Canonical, UrlIsIdempotent) {
  for (std::string_view u :
       {"HTTPS://API.Example.COM:443/v1/%7e/../x?q=%2f", "http://[::FFFF:1.2.3.4]:80/a/./b/",
        "https://h.example/a%2fb/%c3%a9?", "https://h.example"}) {
    auto once = canonical_url(u);
    ASSERT_TRUE(once.ok()) << u;
    auto twice = canonical_url(*once);
    ASSERT_TRUE(twice.ok()) << *once;
    EXPECT_EQ(*twice, *once);
  }
}

TEST(Canonical, NamesAreCheckedNotChanged) {
  EXPECT_EQ(canonical_name("git.status").value(), "git.status");
  EXPECT_EQ(canonical_name("Search").value(), "Search");
  EXPECT_EQ(canonical_name("%2e").value(), "%2e");  // never decoded
  EXPECT_EQ(canonical_name(std::string(256, 'a')).value(), std::string(256, 'a'));
  EXPECT_FALSE(canonical_name("").ok());
  EXPECT_FALSE(canonical_name(std::string(257, 'a')).ok());
  EXPECT_FALSE(canonical_name(std::string_view("a\0b", 3)).ok());
  EXPECT_FALSE(canonical_name("a\nb").ok());
  EXPECT_FALSE(canonical_name("a\x7f").ok());
  EXPECT_EQ(canonical_name("a\x7f").error().code, ErrorCode::kInvalidRequest);
}

}  // namespace
}  // namespace arcp
