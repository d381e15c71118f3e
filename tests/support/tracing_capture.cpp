#include "support/tracing_capture.hpp"

#include <opentelemetry/common/attribute_value.h>
#include <opentelemetry/nostd/variant.h>
#include <opentelemetry/sdk/common/attribute_utils.h>
#include <opentelemetry/sdk/trace/exporter.h>
#include <opentelemetry/sdk/trace/span_data.h>

#include <sstream>
#include <type_traits>

#include "otel/provider.hpp"

namespace arcp::test {
namespace {

namespace sdk = opentelemetry::sdk::trace;
namespace api = opentelemetry::trace;
namespace nostd = opentelemetry::nostd;

std::string to_text(const opentelemetry::sdk::common::OwnedAttributeValue& v) {
  return nostd::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return x;
        } else if constexpr (std::is_same_v<T, bool>) {
          return x ? "true" : "false";
        } else if constexpr (std::is_arithmetic_v<T>) {
          std::ostringstream o;
          o << x;
          return o.str();
        } else {
          std::ostringstream o;
          bool first = true;
          for (const auto& e : x) {
            if (!first) o << ',';
            first = false;
            o << e;
          }
          return o.str();
        }
      },
      v);
}

std::string kind_name(api::SpanKind k) {
  switch (k) {
    case api::SpanKind::kServer:
      return "server";
    case api::SpanKind::kClient:
      return "client";
    case api::SpanKind::kProducer:
      return "producer";
    case api::SpanKind::kConsumer:
      return "consumer";
    default:
      return "internal";
  }
}

template <std::size_t N, class Id>
std::string hex(const Id& id) {
  char buf[N];
  id.ToLowerBase16(buf);
  return std::string(buf, N);
}

// Converts each ended span as it is exported and wakes waiting tests.
class CaptureExporter final : public sdk::SpanExporter {
 public:
  explicit CaptureExporter(std::shared_ptr<TracingCapture::Store> store)
      : store_(std::move(store)) {}
  std::unique_ptr<sdk::Recordable> MakeRecordable() noexcept override {
    return std::make_unique<sdk::SpanData>();
  }
  opentelemetry::sdk::common::ExportResult Export(
      const nostd::span<std::unique_ptr<sdk::Recordable>>& spans) noexcept override {
    std::vector<CapturedSpan> out;
    for (auto& r : spans) {
      auto* d = dynamic_cast<sdk::SpanData*>(r.get());
      if (!d) continue;
      CapturedSpan s;
      s.name = std::string(d->GetName());
      s.trace_id = hex<32>(d->GetTraceId());
      s.span_id = hex<16>(d->GetSpanId());
      s.parent_span_id = hex<16>(d->GetParentSpanId());
      s.kind = kind_name(d->GetSpanKind());
      s.error = d->GetStatus() == api::StatusCode::kError;
      s.status_description = std::string(d->GetDescription());
      for (const auto& [k, v] : d->GetAttributes()) s.attributes[k] = to_text(v);
      for (const auto& e : d->GetEvents()) {
        std::string line = e.GetName();
        for (const auto& [k, v] : e.GetAttributes()) line += " " + k + "=" + to_text(v);
        s.events.push_back(std::move(line));
      }
      out.push_back(std::move(s));
    }
    {
      std::lock_guard lock(store_->mu);
      for (auto& s : out) store_->spans.push_back(std::move(s));
    }
    store_->cv.notify_all();
    return opentelemetry::sdk::common::ExportResult::kSuccess;
  }
  bool ForceFlush(std::chrono::microseconds) noexcept override { return true; }
  bool Shutdown(std::chrono::microseconds) noexcept override { return true; }

 private:
  std::shared_ptr<TracingCapture::Store> store_;
};

}  // namespace

TracingCapture::TracingCapture() : store_(std::make_shared<Store>()) {
  otel::install_exporter(std::make_unique<CaptureExporter>(store_), /*simple=*/true, "arcp-tests");
}

TracingCapture::~TracingCapture() {
  otel::uninstall();
}

std::vector<CapturedSpan> TracingCapture::spans() const {
  std::lock_guard lock(store_->mu);
  return store_->spans;
}

std::optional<CapturedSpan> TracingCapture::wait_for(
    const std::function<bool(const CapturedSpan&)>& match,
    std::chrono::milliseconds timeout) const {
  std::unique_lock lock(store_->mu);
  std::optional<CapturedSpan> found;
  store_->cv.wait_for(lock, timeout, [&] {
    for (const auto& s : store_->spans)
      if (match(s)) {
        found = s;
        return true;
      }
    return false;
  });
  return found;
}

std::optional<CapturedSpan> TracingCapture::wait_for(const std::string& name,
                                                     const std::string& key,
                                                     const std::string& value) const {
  return wait_for([&](const CapturedSpan& s) { return s.name == name && s.attr(key) == value; });
}

}  // namespace arcp::test
