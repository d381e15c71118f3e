#include "transport/http_host.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>

namespace arcp::transport {
namespace {

constexpr std::size_t kMaxNameLength = 253;  // a DNS name, without the trailing dot

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  char l = lower(c);
  return is_digit(c) || (l >= 'a' && l <= 'z');
}
bool is_hex(char c) {
  char l = lower(c);
  return is_digit(c) || (l >= 'a' && l <= 'f');
}

// 1–5 digits, at most 65535.
std::optional<std::uint16_t> parse_port(std::string_view s) {
  if (s.empty() || s.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// Letters, digits and `-` in non-empty labels separated by `.`; one trailing
// dot (the root) is allowed and dropped. Lower-cased.
std::optional<std::string> parse_reg_name(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  if (s.empty() || s.size() > kMaxNameLength) return std::nullopt;
  std::string out;
  out.reserve(s.size());
  char prev = '.';
  for (char c : s) {
    if (c == '.') {
      if (prev == '.') return std::nullopt;  // empty label
    } else if (!is_alnum(c) && c != '-') {
      return std::nullopt;
    }
    out.push_back(lower(c));
    prev = c;
  }
  if (prev == '.') return std::nullopt;
  return out;
}

// The text between the brackets of an IPv6 literal: hex digits, `:` and `.`
// (embedded IPv4) only, so no zone id and no IPvFuture. Canonical RFC 5952 text.
std::optional<std::string> parse_ipv6(std::string_view s) {
  if (s.empty() || s.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  if (!std::all_of(s.begin(), s.end(), [](char c) { return is_hex(c) || c == ':' || c == '.'; }))
    return std::nullopt;
  std::string text(s);
  in6_addr addr{};
  if (::inet_pton(AF_INET6, text.c_str(), &addr) != 1) return std::nullopt;
  char out[INET6_ADDRSTRLEN];
  if (!::inet_ntop(AF_INET6, &addr, out, sizeof out)) return std::nullopt;
  return std::string(out);
}

}  // namespace

std::string HostPort::to_string() const {
  std::string out = ipv6 ? "[" + host + "]" : host;
  if (port) out += ":" + std::to_string(*port);
  return out;
}

std::optional<HostPort> parse_host_header(std::string_view value) {
  HostPort out;
  std::string_view rest;
  if (!value.empty() && value.front() == '[') {
    auto close = value.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    auto address = parse_ipv6(value.substr(1, close - 1));
    if (!address) return std::nullopt;
    out.host = std::move(*address);
    out.ipv6 = true;
    rest = value.substr(close + 1);
  } else {
    auto colon = value.find(':');
    auto name = parse_reg_name(value.substr(0, colon));
    if (!name) return std::nullopt;
    out.host = std::move(*name);
    if (colon != std::string_view::npos) rest = value.substr(colon);
  }
  if (!rest.empty()) {
    if (rest.front() != ':') return std::nullopt;
    auto port = parse_port(rest.substr(1));
    if (!port) return std::nullopt;
    out.port = port;
  }
  return out;
}

std::uint16_t Origin::effective_port() const {
  if (authority.port) return *authority.port;
  return scheme == "https" || scheme == "wss" ? 443 : 80;
}

std::optional<Origin> parse_origin(std::string_view value) {
  auto sep = value.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  std::string scheme(value.substr(0, sep));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), lower);
  if (scheme != "http" && scheme != "https" && scheme != "ws" && scheme != "wss")
    return std::nullopt;
  auto authority = parse_host_header(value.substr(sep + 3));
  if (!authority) return std::nullopt;
  return Origin{std::move(scheme), std::move(*authority)};
}

std::optional<AllowedHost> parse_allowed_host(std::string_view entry) {
  if (entry == "*") return AllowedHost{.any = true};
  if (!entry.empty() && entry.front() != '[' && std::count(entry.begin(), entry.end(), ':') > 1) {
    auto address = parse_ipv6(entry);
    if (!address) return std::nullopt;
    return AllowedHost{.host = HostPort{.host = std::move(*address), .ipv6 = true}};
  }
  auto host = parse_host_header(entry);
  if (!host) return std::nullopt;
  return AllowedHost{.host = std::move(*host)};
}

void HostAllowList::add(AllowedHost entry) {
  if (entry.any)
    any_ = true;
  else
    entries_.push_back(std::move(entry.host));
}

bool HostAllowList::allows(const HostPort& host, std::uint16_t default_port) const {
  if (any_) return true;
  std::uint16_t port = host.port.value_or(default_port);
  return std::any_of(entries_.begin(), entries_.end(), [&](const HostPort& e) {
    return e.host == host.host && e.ipv6 == host.ipv6 && (!e.port || *e.port == port);
  });
}

}  // namespace arcp::transport
