// Structured operator logs: one JSON object per line, with a level filter,
// and the redaction every log and audit line passes through.
#pragma once

#include <arcp/json.hpp>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace arcp {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

/// "debug", "info", "warn", "error".
std::string_view to_string(LogLevel level);
/// Parses those names (case-insensitive; "warning" too); nullopt otherwise.
std::optional<LogLevel> parse_log_level(std::string_view name);

/// `fields` with the value of every key that names a secret replaced by
/// "[redacted]", at any depth (keys compared case-insensitively, `-` as `_`):
/// token and `*_token` (resume_token, access_token…), authorization, cookie,
/// secret and `*_secret`, password, api_key, master_key, private_key,
/// credential_value, and `value`/`key` inside a credential object.
json::object redact(json::object fields);

/// One log or audit line: `{"ts":…,"level":…,"event":…,…fields}` (no level
/// when `level` is nullopt), fields redacted; the keys ts, level and event
/// in `fields` are dropped. No trailing newline.
std::string format_log_line(std::optional<LogLevel> level, std::string_view event,
                            json::object fields);

/// Receives one line (no newline) per call.
using LogSink = std::function<void(std::string_view line)>;

/// Thread-safe: lines reach the sink one at a time, never interleaved.
class Logger {
 public:
  /// An empty sink writes to stderr.
  explicit Logger(LogSink sink = {}, LogLevel min_level = LogLevel::kInfo);
  bool enabled(LogLevel level) const { return level >= min_level_; }
  LogLevel min_level() const { return min_level_; }
  /// Writes format_log_line(level, event, fields) when `level` passes the filter.
  void log(LogLevel level, std::string_view event, json::object fields = {}) const;
  /// Writes an already formatted line (e.g. an audit line), unfiltered.
  void write(std::string_view line) const;

 private:
  LogSink sink_;
  LogLevel min_level_;
  mutable std::mutex mu_;
};

}  // namespace arcp
