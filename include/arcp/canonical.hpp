// v1.0 §14 "pattern matching subtleties": targets are canonicalised before
// any lease pattern sees them. Lexical only (no I/O): the runtime's file
// helpers resolve symlinks themselves and check the resolved path again.
#pragma once

#include <arcp/error.hpp>
#include <string>
#include <string_view>

namespace arcp {

/// Canonical absolute path: percent-escapes decoded (so `%2e%2e` is `..`),
/// relative paths resolved against `base` (itself absolute), `.` and empty
/// segments dropped, `..` applied (never above `/`), no trailing slash
/// (except `/` itself). INVALID_REQUEST for an empty path, a NUL byte (raw
/// or `%00`), a malformed escape, or a relative `base`.
Result<std::string> canonical_path(std::string_view path, std::string_view base = "/");

/// Canonical `http`/`https` URL: scheme and host lowercased, default port
/// dropped, dot segments removed, empty path → `/`, percent-escapes of
/// unreserved characters decoded and the rest upper-cased, fragment dropped,
/// query kept as is. INVALID_REQUEST for any other scheme, userinfo
/// (`user@host`), a missing host, a non-ASCII or punycode (`xn--`) host
/// (IDNA look-alikes are refused, never guessed), a host with a trailing
/// dot, NUL bytes, or a path that would climb above `/`.
Result<std::string> canonical_url(std::string_view url);

/// Canonical name (tool, agent, model): non-empty, no NUL or control
/// characters, at most 256 bytes; returned unchanged. Names are
/// case-sensitive and never decoded.
Result<std::string> canonical_name(std::string_view name);

}  // namespace arcp
