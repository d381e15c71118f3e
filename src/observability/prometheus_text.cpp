#include "observability/prometheus_text.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace arcp::observability {

std::string escape_help(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out.push_back(c);
  }
  return out;
}

std::string escape_label_value(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out.push_back(c);
  }
  return out;
}

std::string format_sample_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Integral values (counts, bytes) print without an exponent or a fraction.
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::general);
  return ec == std::errc() ? std::string(buf, end) : std::string("NaN");
}

void PrometheusText::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_.push_back(' ');
  out_ += escape_help(help);
  out_ += "\n# TYPE ";
  out_ += name;
  out_.push_back(' ');
  out_ += type;
  out_.push_back('\n');
}

void PrometheusText::line(std::string_view name, std::span<const Label> labels,
                          std::string_view value) {
  out_ += name;
  if (!labels.empty()) {
    out_.push_back('{');
    bool first = true;
    for (const auto& [k, v] : labels) {
      if (!first) out_.push_back(',');
      first = false;
      out_ += k;
      out_ += "=\"";
      out_ += escape_label_value(v);
      out_.push_back('"');
    }
    out_.push_back('}');
  }
  out_.push_back(' ');
  out_ += value;
  out_.push_back('\n');
}

void PrometheusText::sample(std::string_view name, std::span<const Label> labels, double value) {
  line(name, labels, format_sample_value(value));
}

void PrometheusText::sample(std::string_view name, std::span<const Label> labels,
                            std::uint64_t value) {
  line(name, labels, std::to_string(value));
}

void PrometheusText::histogram(std::string_view name, std::span<const Label> labels,
                               std::span<const double> bounds,
                               std::span<const std::uint64_t> counts, double sum) {
  std::vector<Label> with_le(labels.begin(), labels.end());
  with_le.emplace_back("le", "");
  std::string bucket = std::string(name) + "_bucket";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += i < counts.size() ? counts[i] : 0;
    std::string le = i < bounds.size() ? format_sample_value(bounds[i]) : "+Inf";
    with_le.back().second = le;
    line(bucket, with_le, std::to_string(cumulative));
  }
  line(std::string(name) + "_sum", labels, format_sample_value(sum));
  line(std::string(name) + "_count", labels, std::to_string(cumulative));
}

}  // namespace arcp::observability
