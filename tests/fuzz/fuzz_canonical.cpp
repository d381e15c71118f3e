// canonical_path / canonical_url / canonical_name on arbitrary bytes: accepted
// inputs give clean, stable canonical forms; refusals are INVALID_REQUEST.
#include <arcp/canonical.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"

namespace {

bool has_dot_segment(std::string_view path) {
  std::size_t start = 0;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    if (i < path.size() && path[i] != '/') continue;
    std::string_view seg = path.substr(start, i - start);
    if (seg == "." || seg == "..") return true;
    start = i + 1;
  }
  return false;
}

void check_path(std::string_view input, std::string_view base) {
  auto r = arcp::canonical_path(input, base);
  if (!r.ok()) {
    FUZZ_CHECK(r.error().code == arcp::ErrorCode::kInvalidRequest);
    return;
  }
  const std::string& p = r.value();
  FUZZ_CHECK(!p.empty() && p.front() == '/');
  FUZZ_CHECK(p.find('\0') == std::string::npos);
  FUZZ_CHECK(p.find("//") == std::string::npos);
  FUZZ_CHECK(p == "/" || p.back() != '/');
  FUZZ_CHECK(!has_dot_segment(p));
  // A literal '%' left by decoding once would be decoded again: only '%'-free
  // outputs are fixed points.
  if (p.find('%') == std::string::npos) {
    auto again = arcp::canonical_path(p);
    FUZZ_CHECK(again.ok() && again.value() == p);
  }
}

void check_url(std::string_view input) {
  auto r = arcp::canonical_url(input);
  if (!r.ok()) {
    FUZZ_CHECK(r.error().code == arcp::ErrorCode::kInvalidRequest);
    return;
  }
  const std::string& u = r.value();
  FUZZ_CHECK(u.rfind("http://", 0) == 0 || u.rfind("https://", 0) == 0);
  FUZZ_CHECK(u.find('\0') == std::string::npos && u.find('#') == std::string::npos);
  FUZZ_CHECK(u.find('@') == std::string::npos || u.find('@') > u.find('/', 8));
  std::size_t path_start = u.find('/', u.find("://") + 3);
  FUZZ_CHECK(path_start != std::string::npos);
  std::string_view path = std::string_view(u).substr(path_start);
  path = path.substr(0, path.find('?'));
  FUZZ_CHECK(!has_dot_segment(path));
  auto again = arcp::canonical_url(u);
  FUZZ_CHECK(again.ok() && again.value() == u);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  check_path(text, "/");
  check_path(text, "/srv/base");
  check_url(text);
  auto name = arcp::canonical_name(text);
  if (name.ok()) FUZZ_CHECK(name.value() == text);
  return 0;
}
