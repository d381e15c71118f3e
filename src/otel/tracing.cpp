// The OpenTelemetry bridge: the facade's spans on the SDK's tracer, and the
// provider's installation (from the environment, or a test's exporter).
#include "otel/tracing.hpp"

#include <opentelemetry/context/context.h>
#include <opentelemetry/exporters/ostream/span_exporter_factory.h>
#include <opentelemetry/exporters/otlp/otlp_http_exporter_factory.h>
#include <opentelemetry/exporters/otlp/otlp_http_exporter_options.h>
#include <opentelemetry/sdk/resource/resource.h>
#include <opentelemetry/sdk/trace/batch_span_processor_factory.h>
#include <opentelemetry/sdk/trace/batch_span_processor_options.h>
#include <opentelemetry/sdk/trace/random_id_generator.h>
#include <opentelemetry/sdk/trace/samplers/always_on_factory.h>
#include <opentelemetry/sdk/trace/simple_processor_factory.h>
#include <opentelemetry/sdk/trace/tracer_provider.h>
#include <opentelemetry/sdk/trace/tracer_provider_factory.h>
#include <opentelemetry/trace/noop.h>
#include <opentelemetry/trace/provider.h>
#include <opentelemetry/trace/span.h>
#include <opentelemetry/trace/span_metadata.h>
#include <opentelemetry/trace/tracer.h>

#include <arcp/tracing.hpp>
#include <arcp/version.hpp>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <optional>

#include "otel/provider.hpp"

namespace arcp::otel {
namespace {

namespace api = opentelemetry::trace;
namespace sdk = opentelemetry::sdk::trace;
namespace nostd = opentelemetry::nostd;

std::atomic<bool> g_enabled{false};
std::mutex g_mu;  // guards the two below; taken only while tracing is enabled
std::shared_ptr<sdk::TracerProvider> g_provider;
nostd::shared_ptr<api::Tracer> g_tracer;

nostd::shared_ptr<api::Tracer> tracer() {
  std::lock_guard lock(g_mu);
  return g_tracer;
}

// A span that names a trace but no parent span (a caller's bare trace_id, a
// minted job trace id) must carry that trace id: the SDK asks the id
// generator for a root span's trace id on the starting thread, so a
// thread-local override answers that one call.
thread_local std::optional<api::TraceId> t_forced_trace;

class ArcpIdGenerator final : public sdk::IdGenerator {
 public:
  ArcpIdGenerator() : IdGenerator(true) {}
  api::SpanId GenerateSpanId() noexcept override { return random_.GenerateSpanId(); }
  api::TraceId GenerateTraceId() noexcept override {
    if (t_forced_trace) return *std::exchange(t_forced_trace, std::nullopt);
    return random_.GenerateTraceId();
  }

 private:
  sdk::RandomIdGenerator random_;
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

template <std::size_t N>
bool parse_hex(std::string_view s, std::uint8_t (&out)[N]) {
  if (s.size() != 2 * N) return false;
  bool nonzero = false;
  for (std::size_t i = 0; i < N; ++i) {
    int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    nonzero = nonzero || out[i] != 0;
  }
  return nonzero;  // W3C: all-zero ids are invalid
}

std::optional<api::TraceId> parse_trace_id(std::string_view s) {
  std::uint8_t b[api::TraceId::kSize];
  if (!parse_hex(s, b)) return std::nullopt;
  return api::TraceId(nostd::span<const std::uint8_t, api::TraceId::kSize>(b));
}

// A remote parent from `00-<trace>-<span>-<flags>`.
std::optional<api::SpanContext> parse_traceparent(std::string_view s) {
  if (s.size() != 55 || s[2] != '-' || s[35] != '-' || s[52] != '-' || s.substr(0, 2) == "ff")
    return std::nullopt;
  auto trace = parse_trace_id(s.substr(3, 32));
  std::uint8_t span[api::SpanId::kSize];
  std::uint8_t flags[1];
  if (!trace || !parse_hex(s.substr(36, 16), span)) return std::nullopt;
  if (hex_value(s[53]) < 0 || hex_value(s[54]) < 0) return std::nullopt;
  flags[0] = static_cast<std::uint8_t>(hex_value(s[53]) * 16 + hex_value(s[54]));
  return api::SpanContext(*trace, api::SpanId(nostd::span<const std::uint8_t, 8>(span)),
                          api::TraceFlags(flags[0]), /*is_remote=*/true);
}

api::SpanKind to_api(SpanKind k) {
  switch (k) {
    case SpanKind::kServer:
      return api::SpanKind::kServer;
    case SpanKind::kClient:
      return api::SpanKind::kClient;
    default:
      return api::SpanKind::kInternal;
  }
}

}  // namespace

struct Span::Impl {
  nostd::shared_ptr<api::Span> span;
  std::atomic<bool> ended{false};
  ~Impl() {
    if (!ended.exchange(true)) span->End();
  }
};

namespace {

Span::Impl* make_impl(nostd::shared_ptr<api::Span> s) {
  auto* impl = new Span::Impl;
  impl->span = std::move(s);
  return impl;
}

nostd::shared_ptr<api::Span> start(std::string_view name, SpanKind kind,
                                   const std::optional<api::SpanContext>& parent,
                                   const std::optional<api::TraceId>& trace) {
  auto t = tracer();
  if (!t) return {};
  api::StartSpanOptions o;
  o.kind = to_api(kind);
  if (parent)
    o.parent = *parent;
  else  // a root span, never a child of the thread's ambient context
    o.parent = opentelemetry::context::Context{}.SetValue(api::kIsRootSpanKey, true);
  t_forced_trace = trace;
  auto s = t->StartSpan(nostd::string_view(name.data(), name.size()), o);
  t_forced_trace.reset();
  return s;
}

}  // namespace

bool enabled() noexcept {
  return g_enabled.load(std::memory_order_relaxed);
}

Span start_span(std::string_view name, SpanKind kind, std::string_view parent) {
  if (!enabled()) return {};
  std::optional<api::SpanContext> ctx;
  std::optional<api::TraceId> trace;
  if (parent.size() == 32)
    trace = parse_trace_id(parent);
  else if (!parent.empty())
    ctx = parse_traceparent(parent);
  auto s = start(name, kind, ctx, trace);
  if (!s) return {};
  return Span(std::shared_ptr<Span::Impl>(make_impl(std::move(s))));
}

Span start_span(std::string_view name, SpanKind kind, const Span& parent) {
  if (!enabled()) return {};
  std::optional<api::SpanContext> ctx;
  if (parent.impl_) ctx = parent.impl_->span->GetContext();
  auto s = start(name, kind, ctx, std::nullopt);
  if (!s) return {};
  return Span(std::shared_ptr<Span::Impl>(make_impl(std::move(s))));
}

void Span::set(std::string_view key, std::string_view value) const {
  if (impl_)
    impl_->span->SetAttribute(nostd::string_view(key.data(), key.size()),
                              nostd::string_view(value.data(), value.size()));
}

void Span::set(std::string_view key, std::int64_t value) const {
  if (impl_) impl_->span->SetAttribute(nostd::string_view(key.data(), key.size()), value);
}

void Span::set(std::string_view key, const std::vector<std::string>& values) const {
  if (!impl_) return;
  std::vector<nostd::string_view> views;
  views.reserve(values.size());
  for (const auto& v : values) views.emplace_back(v.data(), v.size());
  impl_->span->SetAttribute(nostd::string_view(key.data(), key.size()),
                            nostd::span<const nostd::string_view>(views.data(), views.size()));
}

void Span::set_error(std::string_view code) const {
  if (!impl_) return;
  impl_->span->SetStatus(api::StatusCode::kError, nostd::string_view(code.data(), code.size()));
  set("arcp.error.code", code);
}

void Span::end() const {
  if (impl_ && !impl_->ended.exchange(true)) impl_->span->End();
}

std::string Span::trace_id() const {
  if (!impl_) return {};
  char buf[32];
  impl_->span->GetContext().trace_id().ToLowerBase16(buf);
  return std::string(buf, sizeof buf);
}

std::string Span::span_id() const {
  if (!impl_) return {};
  char buf[16];
  impl_->span->GetContext().span_id().ToLowerBase16(buf);
  return std::string(buf, sizeof buf);
}

std::string Span::traceparent() const {
  if (!impl_) return {};
  auto ctx = impl_->span->GetContext();
  char flags[2];
  ctx.trace_flags().ToLowerBase16(flags);
  return "00-" + trace_id() + "-" + span_id() + "-" + std::string(flags, 2);
}

void install_exporter(std::unique_ptr<sdk::SpanExporter> exporter, bool simple,
                      std::string_view service_name) {
  uninstall();
  std::unique_ptr<sdk::SpanProcessor> processor =
      simple ? sdk::SimpleSpanProcessorFactory::Create(std::move(exporter))
             : sdk::BatchSpanProcessorFactory::Create(std::move(exporter),
                                                      sdk::BatchSpanProcessorOptions{});
  opentelemetry::sdk::resource::ResourceAttributes attrs;
  const char* env_name = std::getenv("OTEL_SERVICE_NAME");
  if (!env_name || !*env_name) attrs.SetAttribute("service.name", std::string(service_name));
  auto resource = opentelemetry::sdk::resource::Resource::Create(attrs);
  std::shared_ptr<sdk::TracerProvider> provider = sdk::TracerProviderFactory::Create(
      std::move(processor), resource, sdk::AlwaysOnSamplerFactory::Create(),
      std::make_unique<ArcpIdGenerator>());
  auto t = provider->GetTracer("arcp-cpp", ARCP_VERSION_STRING);
  {
    std::lock_guard lock(g_mu);
    g_provider = provider;
    g_tracer = t;
  }
  // Library users' own spans share the provider.
  api::Provider::SetTracerProvider(nostd::shared_ptr<api::TracerProvider>(provider));
  g_enabled.store(true);
}

void uninstall() {
  std::shared_ptr<sdk::TracerProvider> provider;
  {
    std::lock_guard lock(g_mu);
    if (!g_provider) return;
    g_enabled.store(false);
    provider = std::exchange(g_provider, nullptr);
    g_tracer = nullptr;
  }
  api::Provider::SetTracerProvider(
      nostd::shared_ptr<api::TracerProvider>(new api::NoopTracerProvider));
  provider->ForceFlush();
  provider->Shutdown();
}

}  // namespace arcp::otel

namespace arcp {

Result<void> install_tracing_from_env(std::string_view service_name) {
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
  };
  std::string exporter = env("OTEL_TRACES_EXPORTER");
  if (exporter.empty() && (!env("OTEL_EXPORTER_OTLP_ENDPOINT").empty() ||
                           !env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").empty()))
    exporter = "otlp";
  if (exporter.empty() || exporter == "none") return {};
  if (exporter == "otlp") {
    // The options' defaults read the endpoint, headers and timeout variables.
    opentelemetry::exporter::otlp::OtlpHttpExporterOptions options;
    otel::install_exporter(opentelemetry::exporter::otlp::OtlpHttpExporterFactory::Create(options),
                           false, service_name);
    return {};
  }
  if (exporter == "console") {
    otel::install_exporter(opentelemetry::exporter::trace::OStreamSpanExporterFactory::Create(),
                           false, service_name);
    return {};
  }
  return Error(ErrorCode::kInvalidRequest,
               "OTEL_TRACES_EXPORTER '" + exporter + "' is not supported (otlp, console, none)");
}

void shutdown_tracing() {
  otel::uninstall();
}

bool tracing_enabled() {
  return otel::enabled();
}

}  // namespace arcp
