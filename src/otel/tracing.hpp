// Internal tracing facade (§11): spans without OpenTelemetry headers. When no
// tracer provider is installed (the default) start_span returns an empty
// handle at the cost of one relaxed atomic load, and every call on it is a
// no-op: nothing allocates on the event path.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace arcp::otel {

enum class SpanKind { kInternal, kServer, kClient };

/// A shared handle to one span: copies name the same span; the span ends on
/// end() or when the last handle goes. Thread-safe.
class Span {
 public:
  Span() noexcept = default;
  bool recording() const noexcept { return impl_ != nullptr; }
  explicit operator bool() const noexcept { return recording(); }

  void set(std::string_view key, std::string_view value) const;
  void set(std::string_view key, const char* value) const { set(key, std::string_view(value)); }
  void set(std::string_view key, const std::string& value) const {
    set(key, std::string_view(value));
  }
  void set(std::string_view key, std::int64_t value) const;
  void set(std::string_view key, const std::vector<std::string>& values) const;
  /// Error status with the §12 code as description and an `arcp.error.code` attribute.
  void set_error(std::string_view code) const;
  void end() const;

  /// `00-<trace>-<span>-<flags>` for forwarding; "" when not recording.
  std::string traceparent() const;
  std::string trace_id() const;  // 32 hex, "" when not recording
  std::string span_id() const;   // 16 hex, "" when not recording

  struct Impl;

 private:
  explicit Span(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
  friend Span start_span(std::string_view, SpanKind, std::string_view);
  friend Span start_span(std::string_view, SpanKind, const Span&);
};

/// True while a tracer provider is installed.
bool enabled() noexcept;

/// `parent`: "" starts a new trace; 32 hex starts a root span in that trace
/// (the caller named the trace but no span); a W3C traceparent continues it
/// as a child of that remote span.
Span start_span(std::string_view name, SpanKind kind, std::string_view parent = {});
/// A child of `parent` (a new trace when `parent` is not recording).
Span start_span(std::string_view name, SpanKind kind, const Span& parent);

/// `parent` unless it is empty, then `fallback` (a traceparent or trace id).
inline std::string_view parent_or(std::string_view parent, std::string_view fallback) {
  return parent.empty() ? fallback : parent;
}

}  // namespace arcp::otel
