// Internal: the Prometheus text exposition format 0.0.4, written in-house
// (DESIGN §3): HELP/TYPE lines, samples with escaped labels, histograms.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace arcp::observability {

inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

using Label = std::pair<std::string_view, std::string_view>;

/// HELP text: `\` → `\\`, newline → `\n`.
std::string escape_help(std::string_view text);
/// A label value: `\` → `\\`, `"` → `\"`, newline → `\n`.
std::string escape_label_value(std::string_view text);
/// A sample value: integers exactly, others shortest round-trip, `+Inf`,
/// `-Inf`, `NaN`.
std::string format_sample_value(double value);

class PrometheusText {
 public:
  /// `# HELP name help` and `# TYPE name type` (counter, gauge, histogram).
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, std::span<const Label> labels, double value);
  void sample(std::string_view name, std::span<const Label> labels, std::uint64_t value);
  void sample(std::string_view name, double value) { sample(name, {}, value); }
  void sample(std::string_view name, std::uint64_t value) { sample(name, {}, value); }
  /// `name_bucket{…,le="b"}` cumulative over `bounds` then `le="+Inf"`,
  /// `name_sum`, `name_count`. `counts` holds one count per bound plus the
  /// overflow (not cumulative); `_count` is their total.
  void histogram(std::string_view name, std::span<const Label> labels,
                 std::span<const double> bounds, std::span<const std::uint64_t> counts, double sum);
  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void line(std::string_view name, std::span<const Label> labels, std::string_view value);
  std::string out_;
};

}  // namespace arcp::observability
