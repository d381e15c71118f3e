// The tracing facade of a build without OpenTelemetry: spans are no-ops.
#include <arcp/tracing.hpp>
#include <cstdlib>
#include <string_view>

#include "otel/tracing.hpp"

namespace arcp::otel {

struct Span::Impl {};

void Span::set(std::string_view, std::string_view) const {}
void Span::set(std::string_view, std::int64_t) const {}
void Span::set(std::string_view, const std::vector<std::string>&) const {}
void Span::set_error(std::string_view) const {}
void Span::end() const {}
std::string Span::traceparent() const {
  return {};
}
std::string Span::trace_id() const {
  return {};
}
std::string Span::span_id() const {
  return {};
}
bool enabled() noexcept {
  return false;
}
Span start_span(std::string_view, SpanKind, std::string_view) {
  return {};
}
Span start_span(std::string_view, SpanKind, const Span&) {
  return {};
}

}  // namespace arcp::otel

namespace arcp {

Result<void> install_tracing_from_env(std::string_view) {
  const char* v = std::getenv("OTEL_TRACES_EXPORTER");
  if (!v || !*v || std::string_view(v) == "none") return {};
  return Error(ErrorCode::kInvalidRequest, "this build of arcp has no OpenTelemetry support");
}
void shutdown_tracing() {}
bool tracing_enabled() {
  return false;
}

}  // namespace arcp
