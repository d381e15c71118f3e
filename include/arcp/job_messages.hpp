// Typed payloads of the §7–§8 job messages.
#pragma once

#include <arcp/credentials.hpp>
#include <arcp/error.hpp>
#include <arcp/json.hpp>
#include <arcp/time.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace arcp {

enum class JobStatus { kPending, kRunning, kSuccess, kError, kCancelled, kTimedOut };
std::string_view to_string(JobStatus status);
std::optional<JobStatus> job_status_from_string(std::string_view text);
inline bool is_terminal(JobStatus s) {
  return s != JobStatus::kPending && s != JobStatus::kRunning;
}

struct SubmitRequest {
  std::string agent;  // as requested: `name` or `name@version`
  json::value input;
  json::object lease_request;
  std::optional<json::object> lease_constraints;
  std::string idempotency_key;
  std::optional<std::int64_t> max_runtime_sec;

  json::object to_json() const;
  /// Schema + §7.5/§9 validation; violations → INVALID_REQUEST.
  static Result<SubmitRequest> from_json(const json::object& payload, SystemTime now);
};

struct Accepted {
  std::string job_id;
  std::string agent;  // resolved `name@version`
  json::object lease;
  std::optional<json::object> lease_constraints;
  std::optional<json::object> budget;
  std::string accepted_at;
  std::string trace_id;
  std::string parent_job_id;  // §10: set on a delegated child
  std::string delegate_id;
  /// §9.8: values only in the submitting session's copy (kRedactedValue elsewhere).
  std::vector<Credential> credentials;
  json::object to_json() const;
  static Result<Accepted> from_json(const json::object& payload);
};

/// `job.event` payload `{kind, ts, body}`.
struct EventPayload {
  std::string kind;
  std::string ts;
  json::object body;
  json::object to_json() const;
  static Result<EventPayload> from_json(const json::object& payload);
};

/// `job.result` payload: inline `result`, or a streamed `result_id`.
struct JobResult {
  json::value result;  // inline result (accepts `output`/`value` on input)
  std::string result_id;
  std::optional<std::int64_t> result_size;
  std::string summary;
  json::object to_json() const;
  static Result<JobResult> from_json(const json::object& payload);
};

/// `job.error` payload: `{final_status, code, message, retryable, details?}`.
struct JobError {
  JobStatus final_status = JobStatus::kError;
  Error error;
  json::object to_json() const;
  static Result<JobError> from_json(const json::object& payload);
};

}  // namespace arcp

namespace arcp {

/// Longest cancel `reason` accepted, in bytes: it is kept with the job and
/// echoed in `job.cancelled` and the terminal error (§14).
inline constexpr std::size_t kMaxCancelReasonBytes = 1024;

/// `job.cancel {reason?}`; the target is the envelope's job_id (payload job_id accepted).
struct Cancel {
  std::string job_id;
  std::string reason;
  json::object to_json() const;  // payload only: {reason?}
  static Result<Cancel> from_json(const json::object& payload, const std::string& envelope_job_id);
};

/// `job.cancelled {reason}`.
struct Cancelled {
  std::string reason;
  json::object to_json() const;
  static Result<Cancelled> from_json(const json::object& payload);
};

/// `job.subscribe {job_id, from_event_seq?, history?}` (§7.6).
struct Subscribe {
  std::string job_id;
  std::optional<std::int64_t> from_event_seq;
  bool history = false;
  json::object to_json() const;
  static Result<Subscribe> from_json(const json::object& payload);
};

/// `job.subscribed`: the subscriber's authority descriptor (§7.6).
struct Subscribed {
  std::string job_id;
  JobStatus current_status = JobStatus::kRunning;
  std::string agent;
  json::object lease;
  std::optional<json::object> lease_constraints;
  std::optional<json::object> budget;
  std::string parent_job_id;
  std::string trace_id;
  std::int64_t subscribed_from = 0;
  bool replayed = false;
  json::object to_json() const;
  static Result<Subscribed> from_json(const json::object& payload);
};

/// `job.unsubscribe {job_id}`.
struct Unsubscribe {
  std::string job_id;
  json::object to_json() const;
  static Result<Unsubscribe> from_json(const json::object& payload);
};

}  // namespace arcp
