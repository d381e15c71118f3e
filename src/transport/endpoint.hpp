// Internal: parsed ws:// / wss:// endpoint (Boost.URL).
#pragma once

#include <arcp/error.hpp>
#include <cstdint>
#include <string>

namespace arcp::transport {

struct Endpoint {
  bool tls = false;
  std::string host;  // without brackets for IPv6
  std::uint16_t port = 0;
  std::string path = "/arcp";
};

/// Accepts ws:// and wss:// URLs; default path `/arcp`, default ports 80/443.
Result<Endpoint> parse_endpoint(const std::string& url);
std::string format_endpoint(const Endpoint& e);

}  // namespace arcp::transport
