// §14 / §4 WebSocket: the strict Host and Origin parsers and the Host allow-list
// of the upgrade path (DNS-rebinding defence).
#include "transport/http_host.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace arcp::transport {
namespace {

struct Accepted {
  std::string_view value;
  std::string host;
  std::optional<std::uint16_t> port;
  bool ipv6 = false;
};

TEST(HttpHost, AcceptsNamesAddressesAndPorts) {
  const Accepted table[] = {
      {"localhost", "localhost", std::nullopt},
      {"LOCALHOST", "localhost", std::nullopt},
      {"LocalHost:8080", "localhost", 8080},
      {"localhost.", "localhost", std::nullopt},
      {"localhost.:80", "localhost", 80},
      {"127.0.0.1", "127.0.0.1", std::nullopt},
      {"127.0.0.1:65535", "127.0.0.1", 65535},
      {"a-b.Example.COM:0", "a-b.example.com", 0},
      {"example.com:00080", "example.com", 80},
      {"[::1]", "::1", std::nullopt, true},
      {"[::1]:8080", "::1", 8080, true},
      {"[0:0:0:0:0:0:0:1]:1", "::1", 1, true},
      {"[2001:DB8::A]", "2001:db8::a", std::nullopt, true},
      {"[::ffff:127.0.0.1]:9", "::ffff:127.0.0.1", 9, true},
  };
  for (const auto& row : table) {
    auto h = parse_host_header(row.value);
    ASSERT_TRUE(h) << row.value;
    EXPECT_EQ(h->host, row.host) << row.value;
    EXPECT_EQ(h->port, row.port) << row.value;
    EXPECT_EQ(h->ipv6, row.ipv6) << row.value;
    // The printed form parses back to the same thing.
    EXPECT_EQ(parse_host_header(h->to_string()), h) << row.value;
  }
}

TEST(HttpHost, RefusesAmbiguousOrMalformedValues) {
  using namespace std::string_view_literals;
  const std::string_view table[] = {
      ""sv,
      "localhost:80@evil.com"sv,
      "evil.com#@localhost"sv,
      "evil.com@localhost"sv,
      "user:pass@localhost"sv,
      "localhost:99999"sv,
      "localhost:65536"sv,
      "localhost:123456"sv,
      "localhost:"sv,
      "localhost:8a"sv,
      "localhost:-1"sv,
      "localhost:+80"sv,
      "localhost:80:80"sv,
      ":80"sv,
      "."sv,
      ".localhost"sv,
      "local..host"sv,
      "localhost.."sv,
      " localhost"sv,
      "localhost "sv,
      "local host"sv,
      "localhost\t"sv,
      "localhost\r\nX: y"sv,
      "localhost/evil"sv,
      "localhost/"sv,
      "localhost?x"sv,
      "localhost\\evil.com"sv,
      "local%68ost"sv,
      "localhost%00"sv,
      "local_host"sv,
      "localhost\0evil.com"sv,
      "l\xc3\xb6"
      "calhost"sv,
      "\xff"sv,
      "*"sv,
      "::1"sv,
      "[::1"sv,
      "::1]"sv,
      "[]"sv,
      "[::1]x"sv,
      "[::1]:"sv,
      "[::1]:99999"sv,
      "[::1]]"sv,
      "[fe80::1%25eth0]"sv,
      "[fe80::1%eth0]"sv,
      "[v1.fe]"sv,
      "[127.0.0.1]"sv,
      "[::1::2]"sv,
      "[localhost]"sv,
      "[[::1]]"sv,
      "[::1]@evil.com"sv,
  };
  for (auto value : table)
    EXPECT_FALSE(parse_host_header(value)) << "accepted: " << std::string(value);
  EXPECT_FALSE(parse_host_header(std::string(254, 'a')));
  EXPECT_TRUE(parse_host_header(std::string(253, 'a')));
}

TEST(HttpHost, ParsesOrigins) {
  auto o = parse_origin("http://localhost:3000");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->scheme, "http");
  EXPECT_EQ(o->authority.host, "localhost");
  EXPECT_EQ(o->effective_port(), 3000);
  o = parse_origin("HTTPS://Example.com");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->scheme, "https");
  EXPECT_EQ(o->authority.host, "example.com");
  EXPECT_EQ(o->effective_port(), 443);
  o = parse_origin("ws://[::1]");
  ASSERT_TRUE(o);
  EXPECT_TRUE(o->authority.ipv6);
  EXPECT_EQ(o->effective_port(), 80);
  o = parse_origin("wss://127.0.0.1");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->effective_port(), 443);

  for (std::string_view bad : {"",
                               "null",
                               "localhost",
                               "//localhost",
                               "http:/localhost",
                               "http://",
                               "http://localhost/",
                               "http://localhost/path",
                               "http://localhost?q",
                               "http://localhost#f",
                               "ftp://localhost",
                               "file://localhost",
                               "javascript://localhost",
                               "http ://localhost",
                               "http://user@localhost",
                               "http://localhost:80@evil.com",
                               "http://evil.com#@localhost",
                               "http://localhost:99999",
                               "http://local host",
                               "http://localhost, http://evil.com",
                               "http://localhost http://evil.com",
                               "http://%6cocalhost",
                               "http://[::1"})
    EXPECT_FALSE(parse_origin(bad)) << "accepted: " << std::string(bad);
}

TEST(HttpHost, ParsesAllowListEntries) {
  for (std::string_view entry : {"localhost", "127.0.0.1", "::1", "[::1]", "example.com:8080"})
    EXPECT_TRUE(parse_allowed_host(entry)) << entry;
  auto star = parse_allowed_host("*");
  ASSERT_TRUE(star);
  EXPECT_TRUE(star->any);
  auto bare = parse_allowed_host("0:0::1");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->host.host, "::1");
  EXPECT_TRUE(bare->host.ipv6);
  for (std::string_view entry : {"", "*.example.com", "**", "localhost:80@evil.com", "::1::2",
                                 "fe80::1%eth0", "http://localhost", "local host"})
    EXPECT_FALSE(parse_allowed_host(entry)) << entry;
}

HostAllowList list_of(std::initializer_list<std::string_view> entries) {
  HostAllowList list;
  for (auto e : entries) list.add(*parse_allowed_host(e));
  return list;
}

TEST(HttpHost, AllowListMatchesHostsAndPorts) {
  auto list = list_of({"localhost", "::1", "example.com:8080"});
  auto allows = [&](std::string_view host, std::uint16_t default_port = 80) {
    auto h = parse_host_header(host);
    return h && list.allows(*h, default_port);
  };
  EXPECT_TRUE(allows("localhost"));
  EXPECT_TRUE(allows("LOCALHOST:1234"));
  EXPECT_TRUE(allows("localhost."));
  EXPECT_TRUE(allows("[::1]:7777"));
  EXPECT_TRUE(allows("[0::1]"));
  EXPECT_TRUE(allows("example.com:8080"));
  EXPECT_TRUE(allows("example.com", 8080));
  EXPECT_FALSE(allows("example.com"));
  EXPECT_FALSE(allows("example.com:8081"));
  EXPECT_FALSE(allows("localhost.evil.com"));
  EXPECT_FALSE(allows("evil.com"));
  EXPECT_FALSE(allows("127.0.0.1"));
  EXPECT_FALSE(allows("localhost:80@evil.com"));
  // A name that spells an IPv6 address is no IPv6 address.
  EXPECT_FALSE(list_of({"::1"}).allows(HostPort{.host = "::1"}, 80));

  auto any = list_of({"*"});
  EXPECT_TRUE(any.allows(*parse_host_header("evil.com:1"), 80));
  EXPECT_FALSE(HostAllowList{}.allows(*parse_host_header("localhost"), 80));
}

}  // namespace
}  // namespace arcp::transport
