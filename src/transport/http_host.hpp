// Internal: strict parsers for the HTTP `Host` and `Origin` header values of a
// WebSocket upgrade, and the Host allow-list they are checked against
// (DNS-rebinding defence). No Beast here: the WebSocket server feeds it the
// raw header values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace arcp::transport {

/// A parsed authority: `host` is lower case, without a trailing dot for names
/// and without brackets (canonical RFC 5952 text) for IPv6.
struct HostPort {
  std::string host;
  std::optional<std::uint16_t> port;  // absent when the value had no `:port`
  bool ipv6 = false;

  /// Back to Host-header form: `name[:port]` or `[v6][:port]`.
  std::string to_string() const;
  friend bool operator==(const HostPort&, const HostPort&) = default;
};

/// A `Host` header value: exactly `reg-name[:port]`, `IPv4[:port]` or
/// `[IPv6][:port]`. A reg-name is letters, digits, `-` and `.` in non-empty
/// labels (one trailing dot allowed and dropped); a port is 1–5 digits ≤ 65535.
/// Anything else (userinfo, whitespace, path, percent signs, zone ids, empty
/// host or port, non-ASCII bytes) is nullopt.
std::optional<HostPort> parse_host_header(std::string_view value);

/// An `Origin` header value: `scheme://host[:port]` with scheme http, https, ws
/// or wss (any case) and the host grammar of parse_host_header; nothing after
/// the authority. `null` and anything malformed are nullopt.
struct Origin {
  std::string scheme;  // lower case
  HostPort authority;
  /// The port a browser meant: the explicit one, else 80 (http, ws) or 443 (https, wss).
  std::uint16_t effective_port() const;
};
std::optional<Origin> parse_origin(std::string_view value);

/// An allow-list entry as configured: `*`, a Host value (`example.com:8080`,
/// `[::1]`) or a bare IPv6 address (`::1`). nullopt when malformed.
struct AllowedHost {
  bool any = false;  // `*`
  HostPort host;
};
std::optional<AllowedHost> parse_allowed_host(std::string_view entry);

/// Hosts a WebSocket server answers for. An entry with a port matches only that
/// port (a value without one means `default_port`); an entry without a port
/// matches any port; `*` matches every well-formed host.
class HostAllowList {
 public:
  void add(AllowedHost entry);
  bool allows(const HostPort& host, std::uint16_t default_port) const;

 private:
  bool any_ = false;
  std::vector<HostPort> entries_;
};

}  // namespace arcp::transport
