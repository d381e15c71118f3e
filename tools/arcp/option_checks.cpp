#include "option_checks.hpp"

#include <algorithm>
#include <arcp/ids.hpp>
#include <arcp/job_messages.hpp>

namespace arcp::cli {

CLI::Validator trace_id_check() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        // The shape is the library's (normalize_trace_id); the CLI also wants
        // it lowercase, as W3C writes it, and not the all-zero invalid id.
        std::string trace = normalize_trace_id(text);
        bool lowercase =
            std::none_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'F'; });
        bool ok = !trace.empty() && lowercase && trace != std::string(32, '0');
        if (ok) return {};
        return "'" + text +
               "' is not a trace id: expected 32 lowercase hex digits, not all zero (e.g. "
               "4bf92f3577b34da6a3ce929d0e0e4736), or a W3C traceparent "
               "00-<trace id>-<16 hex>-<2 hex>";
      },
      "TRACE_ID");
}

CLI::Validator seconds_check(std::int64_t max) {
  return CLI::Validator(
      [max](std::string& text) -> std::string {
        std::int64_t v = 0;
        bool whole = CLI::detail::lexical_cast(text, v);
        if (whole && v >= 1 && v <= max) return {};
        return "must be a whole number of seconds from 1 to " + std::to_string(max) + ", not '" +
               text + "'";
      },
      "SECONDS");
}

const std::vector<std::string>& job_status_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (auto s : {JobStatus::kPending, JobStatus::kRunning, JobStatus::kSuccess, JobStatus::kError,
                   JobStatus::kCancelled, JobStatus::kTimedOut})
      out.emplace_back(to_string(s));
    return out;
  }();
  return names;
}

CLI::Validator job_status_check() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (job_status_from_string(text)) return {};
        std::string valid;
        for (const auto& n : job_status_names()) valid += (valid.empty() ? "" : ", ") + n;
        return "'" + text + "' is not a job status; valid: " + valid;
      },
      "STATUS");
}

}  // namespace arcp::cli
