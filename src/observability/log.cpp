#include <arcp/log.hpp>
#include <arcp/time.hpp>
#include <array>
#include <cstdio>

namespace arcp {
namespace {

constexpr std::string_view kRedacted = "[redacted]";

std::string normalise_key(std::string_view key) {
  std::string k(key);
  for (auto& c : k) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '-') c = '_';
  }
  return k;
}

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

bool names_secret(std::string_view k) {
  static constexpr std::array<std::string_view, 17> kSecret{
      "token",       "authorization",    "proxy_authorization",
      "cookie",      "set_cookie",       "secret",
      "password",    "passwd",           "api_key",
      "apikey",      "x_api_key",        "master_key",
      "private_key", "credential_value", "secret_key",
      "bearer",      "client_secret"};
  for (auto s : kSecret)
    if (k == s) return true;
  return ends_with(k, "_token") || ends_with(k, "_secret") || ends_with(k, "_password") ||
         ends_with(k, "_private_key") || ends_with(k, "_api_key") || ends_with(k, "_master_key");
}

bool names_credential(std::string_view k) {
  return k == "credential" || k == "credentials";
}

json::value redact_value(json::value v, bool in_credential);

json::object redact_object(json::object o, bool in_credential) {
  for (auto& kv : o) {
    std::string k = normalise_key(kv.key());
    if (names_secret(k) || (in_credential && (k == "value" || k == "key"))) {
      kv.value() = kRedacted;
      continue;
    }
    // A credential given as a bare string may be its value.
    if (names_credential(k) && kv.value().is_string()) {
      kv.value() = kRedacted;
      continue;
    }
    kv.value() = redact_value(std::move(kv.value()), in_credential || names_credential(k));
  }
  return o;
}

json::value redact_value(json::value v, bool in_credential) {
  if (v.is_object()) return redact_object(std::move(v.get_object()), in_credential);
  if (v.is_array()) {
    auto& a = v.get_array();
    for (auto& e : a) e = redact_value(std::move(e), in_credential);
  }
  return v;
}

}  // namespace

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

std::optional<LogLevel> parse_log_level(std::string_view name) {
  std::string n = normalise_key(name);
  if (n == "debug") return LogLevel::kDebug;
  if (n == "info") return LogLevel::kInfo;
  if (n == "warn" || n == "warning") return LogLevel::kWarn;
  if (n == "error") return LogLevel::kError;
  return std::nullopt;
}

json::object redact(json::object fields) {
  return redact_object(std::move(fields), false);
}

std::string format_log_line(std::optional<LogLevel> level, std::string_view event,
                            json::object fields) {
  json::object line;
  line.reserve(fields.size() + 3);
  line["ts"] = now_rfc3339();
  if (level) line["level"] = to_string(*level);
  line["event"] = event;
  for (auto& kv : redact(std::move(fields))) {
    std::string_view k = kv.key();
    if (k == "ts" || k == "level" || k == "event") continue;
    line[k] = std::move(kv.value());
  }
  return json::serialize(line);
}

Logger::Logger(LogSink sink, LogLevel min_level) : sink_(std::move(sink)), min_level_(min_level) {}

void Logger::log(LogLevel level, std::string_view event, json::object fields) const {
  if (!enabled(level)) return;
  write(format_log_line(level, event, std::move(fields)));
}

void Logger::write(std::string_view line) const {
  std::lock_guard lock(mu_);
  if (sink_) {
    sink_(line);
    return;
  }
  std::string text(line);
  text.push_back('\n');
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace arcp
