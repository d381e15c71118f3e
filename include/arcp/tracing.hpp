// OpenTelemetry export of the runtime's and client's spans (§11). Nothing is
// exported unless the environment asks for it.
#pragma once

#include <arcp/error.hpp>
#include <string_view>

namespace arcp {

/// Installs a tracer provider as the standard OTEL_* variables ask:
/// OTEL_TRACES_EXPORTER=otlp (OTLP/HTTP; OTEL_EXPORTER_OTLP_ENDPOINT,
/// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS are read by
/// the exporter), console, or none. Unset OTEL_TRACES_EXPORTER means otlp
/// only when an OTLP endpoint variable is set, else nothing is installed.
/// OTEL_SERVICE_NAME overrides `service_name`. INVALID_REQUEST for an
/// unknown exporter name or a build without OpenTelemetry.
Result<void> install_tracing_from_env(std::string_view service_name);
/// Flushes pending spans and uninstalls the provider (call before exit).
void shutdown_tracing();
/// True while spans are being recorded.
bool tracing_enabled();

}  // namespace arcp
