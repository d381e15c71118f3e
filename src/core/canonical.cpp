// Lexical canonical forms of lease targets. Every function refuses what it
// cannot canonicalise unambiguously instead of guessing: a refused target is
// denied by the lease check, never matched in some other reading.
#include <arcp/canonical.hpp>
#include <boost/url.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/url_pattern.hpp"

namespace arcp {

namespace {

Error invalid(std::string message) {
  return Error(ErrorCode::kInvalidRequest, std::move(message));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

// Applies `.`, `..` and empty segments of `path` onto `stack` (never above `/`).
void push_path_segments(std::string_view path, std::vector<std::string>& stack) {
  for (std::string_view seg : split(path, '/')) {
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!stack.empty()) stack.pop_back();
      continue;
    }
    stack.emplace_back(seg);
  }
}

// RFC 3986 §6.2.2.2: decode escapes of unreserved characters, upper-case the
// hex of every other escape. nullopt for a malformed escape or `%00`.
std::optional<std::string> normalise_escapes(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\0') return std::nullopt;
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    int hi = i + 1 < s.size() ? hex_value(s[i + 1]) : -1;
    int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) return std::nullopt;
    auto byte = static_cast<unsigned char>(hi * 16 + lo);
    if (byte == 0) return std::nullopt;
    if (unreserved(byte)) {
      out.push_back(static_cast<char>(byte));
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xF]);
    }
    i += 2;
  }
  return out;
}

// RFC 3986 §5.2.4 on an absolute path (empty → "/"). Empty segments are kept
// (`/a//b` is another resource). nullopt when `..` would climb above `/`.
std::optional<std::string> remove_dot_segments(std::string_view path) {
  if (path.empty()) return std::string("/");
  std::vector<std::string_view> segs = split(path.substr(1), '/');
  std::vector<std::string_view> out;
  bool trailing_slash = false;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    bool last = i + 1 == segs.size();
    if (segs[i] == ".") {
      trailing_slash = last;
    } else if (segs[i] == "..") {
      if (out.empty()) return std::nullopt;
      out.pop_back();
      trailing_slash = last;
    } else {
      out.push_back(segs[i]);
    }
  }
  std::string result;
  for (auto s : out) {
    result.push_back('/');
    result.append(s);
  }
  if (result.empty() || trailing_slash) result.push_back('/');
  return result;
}

// A canonical URL keeps `%2F` and `%5C` as they are (a different resource
// per RFC 3986), but a server that decodes them would see extra segments.
// So that no server can read a dot segment into what we matched, a piece
// between raw or encoded slashes (or backslashes) that is `.` or `..`, also
// with a `;params` suffix (`..;` is `..` to some servlet containers), is
// refused rather than guessed.
bool hides_dot_segment(std::string_view path) {
  std::size_t start = 0;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    std::size_t sep_len = 0;
    if (i < path.size()) {
      if (path[i] == '/') {
        sep_len = 1;
      } else if (path.substr(i, 3) == "%2F" || path.substr(i, 3) == "%5C") {
        sep_len = 3;
      } else {
        continue;
      }
    }
    std::string_view piece = path.substr(start, i - start);
    piece = piece.substr(0, piece.find(';'));
    if (piece == "." || piece == "..") return true;
    start = i + sep_len;
    if (sep_len == 3) i += 2;
  }
  return false;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Registered names only: ASCII letters, digits, `-` and `_` in non-empty
// labels. Punycode labels (`xn--`) and numeric-looking last labels
// (`127.1`, `0x7f.1`, which resolvers read as IPv4) are refused.
Result<std::string> canonical_host_name(std::string_view host) {
  if (host.empty()) return invalid("a URL must have a host");
  std::string h = lowercase(host);
  for (char c : h) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return invalid("a URL host must be an ASCII host name, an IPv4 or an IPv6 address");
  }
  auto labels = split(h, '.');
  for (std::string_view label : labels) {
    if (label.empty()) return invalid("a URL host must not have empty labels or a trailing dot");
    if (label.substr(0, 4) == "xn--") return invalid("punycode (xn--) URL hosts are refused");
  }
  std::string_view last = labels.back();
  if (all_digits(last) || (last.size() > 2 && last.substr(0, 2) == "0x"))
    return invalid("a numeric URL host must be a dotted-quad IPv4 address");
  return h;
}

// Shared by targets (`strict`) and patterns (glob characters allowed in the
// host, unknown schemes and oddities left to the caller).
struct UrlParts {
  std::string scheme;
  std::string authority;
  std::string path;
  std::string query;  // with its '?', empty when absent
};

std::optional<std::uint32_t> parse_port(std::string_view s) {
  std::uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint32_t>(c - '0');
    if (v > 65535) return std::nullopt;
  }
  return v;
}

}  // namespace

Result<std::string> canonical_path(std::string_view path, std::string_view base) {
  if (path.empty()) return invalid("a path must not be empty");
  if (base.empty() || base.front() != '/') return invalid("the base directory must be absolute");
  if (base.find('\0') != std::string_view::npos)
    return invalid("the base directory must not contain NUL");
  // Decoded exactly once: `%252e` becomes the literal name `%2e`, never `.`.
  std::string decoded;
  decoded.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '\0') return invalid("a path must not contain NUL");
    if (c != '%') {
      decoded.push_back(c);
      continue;
    }
    int hi = i + 1 < path.size() ? hex_value(path[i + 1]) : -1;
    int lo = i + 2 < path.size() ? hex_value(path[i + 2]) : -1;
    if (hi < 0 || lo < 0) return invalid("a path has a malformed percent-escape");
    if (hi == 0 && lo == 0) return invalid("a path must not contain NUL");
    decoded.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  std::vector<std::string> stack;
  if (decoded.front() != '/') push_path_segments(base, stack);
  push_path_segments(decoded, stack);
  if (stack.empty()) return std::string("/");
  std::string out;
  for (const auto& s : stack) {
    out.push_back('/');
    out.append(s);
  }
  return out;
}

Result<std::string> canonical_url(std::string_view url) {
  if (url.find('\0') != std::string_view::npos) return invalid("a URL must not contain NUL");
  for (std::size_t i = 0; i + 2 < url.size(); ++i)
    if (url[i] == '%' && url[i + 1] == '0' && url[i + 2] == '0')
      return invalid("a URL must not contain NUL");
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return invalid("not a valid absolute URL");
  const boost::urls::url_view& u = *parsed;

  std::string scheme = lowercase(u.scheme());
  if (scheme != "http" && scheme != "https") return invalid("only http and https URLs are allowed");
  if (!u.has_authority()) return invalid("a URL must have a host");
  if (u.has_userinfo()) return invalid("URLs with userinfo (user@host) are refused");

  std::string host;
  switch (u.host_type()) {
    case boost::urls::host_type::name: {
      std::string_view encoded = u.encoded_host();
      if (encoded.find('%') != std::string_view::npos)
        return invalid("a URL host must not be percent-encoded");
      auto h = canonical_host_name(encoded);
      if (!h) return h.error();
      host = std::move(h.value());
      break;
    }
    case boost::urls::host_type::ipv4:
      host = u.host_ipv4_address().to_string();
      break;
    case boost::urls::host_type::ipv6:
      host = "[" + u.host_ipv6_address().to_string() + "]";
      break;
    default:
      return invalid("a URL must have a host name or an IP address");
  }

  std::string authority = host;
  if (u.has_port() && !u.port().empty()) {
    auto port = parse_port(u.port());
    if (!port || *port == 0) return invalid("a URL port must be 1..65535");
    std::uint32_t default_port = scheme == "https" ? 443 : 80;
    if (*port != default_port) authority += ":" + std::to_string(*port);
  }

  auto escaped = normalise_escapes(u.encoded_path());
  if (!escaped) return invalid("a URL path has a malformed percent-escape or NUL");
  auto path = remove_dot_segments(*escaped);
  if (!path) return invalid("a URL path must not climb above '/'");
  if (hides_dot_segment(*path))
    return invalid("a URL path must not hide a dot segment behind an encoded slash or ';'");

  std::string out = scheme + "://" + authority + *path;
  if (u.has_query()) {
    out.push_back('?');
    out.append(u.encoded_query());
  }
  return out;
}

std::string canonical_url_pattern(std::string_view pattern) {
  auto parsed = boost::urls::parse_uri(pattern);
  if (!parsed) return std::string(pattern);
  const boost::urls::url_view& u = *parsed;
  if (!u.has_authority() || u.has_userinfo()) return std::string(pattern);

  std::string host;
  switch (u.host_type()) {
    case boost::urls::host_type::name:
      host = lowercase(u.encoded_host());
      break;
    case boost::urls::host_type::ipv4:
      host = u.host_ipv4_address().to_string();
      break;
    case boost::urls::host_type::ipv6:
      host = "[" + u.host_ipv6_address().to_string() + "]";
      break;
    default:
      return std::string(pattern);
  }
  std::string scheme = lowercase(u.scheme());
  std::string authority = host;
  if (u.has_port() && !u.port().empty()) {
    auto port = parse_port(u.port());
    if (!port) return std::string(pattern);
    bool is_default = (scheme == "https" && *port == 443) || (scheme == "http" && *port == 80);
    if (!is_default) authority += ":" + std::to_string(*port);
  }
  auto escaped = normalise_escapes(u.encoded_path());
  if (!escaped) return std::string(pattern);
  auto path = remove_dot_segments(*escaped);
  if (!path) return std::string(pattern);
  std::string out = scheme + "://" + authority + *path;
  if (u.has_query()) {
    out.push_back('?');
    out.append(u.encoded_query());
  }
  return out;
}

Result<std::string> canonical_name(std::string_view name) {
  if (name.empty()) return invalid("a name must not be empty");
  if (name.size() > 256) return invalid("a name must be at most 256 bytes");
  for (char c : name) {
    auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7F) return invalid("a name must not contain control characters");
  }
  return std::string(name);
}

}  // namespace arcp
