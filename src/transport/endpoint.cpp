#include "transport/endpoint.hpp"

#include <boost/url/parse.hpp>
#include <charconv>

namespace arcp::transport {

Result<Endpoint> parse_endpoint(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return Error(ErrorCode::kInvalidRequest, "invalid URL '" + url + "'");
  Endpoint e;
  auto scheme = parsed->scheme();
  if (scheme == "wss")
    e.tls = true;
  else if (scheme != "ws")
    return Error(ErrorCode::kInvalidRequest, "URL scheme must be ws or wss");
  e.host = std::string(parsed->host_address());
  if (e.host.empty()) return Error(ErrorCode::kInvalidRequest, "URL has no host");
  if (parsed->has_port()) {
    auto p = parsed->port();
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
    if (ec != std::errc() || ptr != p.data() + p.size() || value > 65535)
      return Error(ErrorCode::kInvalidRequest, "invalid port in URL");
    e.port = static_cast<std::uint16_t>(value);
  } else {
    e.port = e.tls ? 443 : 80;
  }
  std::string path(parsed->encoded_path());
  e.path = path.empty() ? "/arcp" : path;
  return e;
}

std::string format_endpoint(const Endpoint& e) {
  bool v6 = e.host.find(':') != std::string::npos;
  return std::string(e.tls ? "wss://" : "ws://") + (v6 ? "[" + e.host + "]" : e.host) + ":" +
         std::to_string(e.port) + e.path;
}

}  // namespace arcp::transport
