// The HTTP(S) request an agent makes through JobContext::fetch (`net.fetch`).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace arcp {

struct FetchRequest {
  std::string url;  // http:// or https://; checked against `net.fetch`
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// Whole exchange: resolve, connect, TLS, request and response.
  std::chrono::milliseconds timeout{30000};
  /// A larger response body fails the fetch (never truncates it).
  std::size_t max_body_bytes = 8u << 20;
  /// PEM bundle to verify the server with, instead of the system store.
  std::string ca_file;
};

/// Redirects are not followed: a 3xx comes back as is, so that the agent's
/// next fetch of `Location` is checked against the lease again.
struct FetchResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

}  // namespace arcp
