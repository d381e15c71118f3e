// CLI11 validators whose messages say what is expected, shared by commands.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace arcp::cli {

/// A W3C trace id: 32 lowercase hex digits, not all zero (or a whole
/// traceparent `00-<trace id>-<16 hex>-<2 hex>`).
CLI::Validator trace_id_check();

/// A whole number of seconds from 1 to `max`; the message names the range.
CLI::Validator seconds_check(std::int64_t max);

/// One of the job statuses of §7.3; the message lists them.
CLI::Validator job_status_check();

/// The job statuses, in lifecycle order.
const std::vector<std::string>& job_status_names();

}  // namespace arcp::cli
