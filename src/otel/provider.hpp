// Internal: installs an OpenTelemetry tracer provider behind the facade of
// tracing.hpp. Includes OpenTelemetry headers: only src/otel and test
// support include it.
#pragma once

#include <opentelemetry/sdk/trace/exporter.h>

#include <memory>
#include <string_view>

namespace arcp::otel {

/// Replaces the installed provider (if any) by one that exports every span
/// through `exporter`: synchronously when `simple` (tests), else batched.
void install_exporter(std::unique_ptr<opentelemetry::sdk::trace::SpanExporter> exporter,
                      bool simple, std::string_view service_name);
/// Flushes and shuts the provider down; spans are no-ops again.
void uninstall();

}  // namespace arcp::otel
