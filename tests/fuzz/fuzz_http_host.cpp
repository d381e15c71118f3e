// parse_host_header, parse_origin and parse_allowed_host on arbitrary bytes:
// accepted values obey the strict grammar, print back to themselves, and a
// value the allow-list {localhost} admits names localhost and nothing else.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "transport/http_host.hpp"

namespace {
using arcp::transport::HostAllowList;
using arcp::transport::HostPort;

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}
bool ipv6_char(char c) {
  return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9') || c == ':' || c == '.';
}

void check_host(const HostPort& h) {
  FUZZ_CHECK(!h.host.empty());
  for (char c : h.host) FUZZ_CHECK(h.ipv6 ? ipv6_char(c) : name_char(c));
  if (!h.ipv6) {
    FUZZ_CHECK(h.host.front() != '.' && h.host.back() != '.');
    FUZZ_CHECK(h.host.find("..") == std::string::npos);
    FUZZ_CHECK(h.host.size() <= 253);
  }
  auto again = arcp::transport::parse_host_header(h.to_string());
  FUZZ_CHECK(again && *again == h);
}

// No byte that could smuggle a second authority, a path or a separator.
void check_plain(std::string_view text) {
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    FUZZ_CHECK(u > 0x20 && u < 0x7f);
    FUZZ_CHECK(c != '@' && c != '%' && c != '#' && c != '?' && c != '\\' && c != ',');
  }
}

bool lower_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  HostAllowList localhost;
  localhost.add(*arcp::transport::parse_allowed_host("localhost"));

  if (auto h = arcp::transport::parse_host_header(text)) {
    check_plain(text);
    FUZZ_CHECK(text.find('/') == std::string_view::npos);
    check_host(*h);
    if (localhost.allows(*h, 80)) {
      // `localhost`, `localhost.`, either with `:port`, in any case.
      FUZZ_CHECK(h->host == "localhost" && !h->ipv6);
      std::string_view name = text.substr(0, text.find(':'));
      FUZZ_CHECK(lower_equal(name, "localhost") || lower_equal(name, "localhost."));
    }
    auto entry = arcp::transport::parse_allowed_host(text);
    FUZZ_CHECK(entry && !entry->any && entry->host == *h);
  }

  if (auto o = arcp::transport::parse_origin(text)) {
    FUZZ_CHECK(o->scheme == "http" || o->scheme == "https" || o->scheme == "ws" ||
               o->scheme == "wss");
    check_host(o->authority);
    auto sep = text.find("://");
    FUZZ_CHECK(sep != std::string_view::npos);
    check_plain(text.substr(sep + 3));
    FUZZ_CHECK(text.find('/', sep + 3) == std::string_view::npos);
    auto again = arcp::transport::parse_origin(o->scheme + "://" + o->authority.to_string());
    FUZZ_CHECK(again && again->scheme == o->scheme && again->authority == o->authority);
  }

  if (auto e = arcp::transport::parse_allowed_host(text)) {
    if (e->any)
      FUZZ_CHECK(text == "*");
    else
      check_host(e->host);
  }
  return 0;
}
