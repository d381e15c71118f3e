// Typed payloads of the §6 session messages.
#pragma once

#include <arcp/artifact.hpp>
#include <arcp/error.hpp>
#include <arcp/features.hpp>
#include <arcp/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace arcp {

namespace msg {
inline constexpr std::string_view kHello = "session.hello";
inline constexpr std::string_view kWelcome = "session.welcome";
inline constexpr std::string_view kResume = "session.resume";
inline constexpr std::string_view kSessionError = "session.error";
inline constexpr std::string_view kPing = "session.ping";
inline constexpr std::string_view kPong = "session.pong";
inline constexpr std::string_view kAck = "session.ack";
inline constexpr std::string_view kListJobs = "session.list_jobs";
inline constexpr std::string_view kJobs = "session.jobs";
inline constexpr std::string_view kClose = "session.close";
inline constexpr std::string_view kClosed = "session.closed";
inline constexpr std::string_view kBye = "session.bye";
inline constexpr std::string_view kSubmit = "job.submit";
inline constexpr std::string_view kAccepted = "job.accepted";
inline constexpr std::string_view kEvent = "job.event";
inline constexpr std::string_view kResult = "job.result";
inline constexpr std::string_view kJobError = "job.error";
inline constexpr std::string_view kCancel = "job.cancel";
inline constexpr std::string_view kCancelled = "job.cancelled";
inline constexpr std::string_view kSubscribe = "job.subscribe";
inline constexpr std::string_view kSubscribed = "job.subscribed";
inline constexpr std::string_view kUnsubscribe = "job.unsubscribe";
}  // namespace msg

/// True for every core (non-vendor) message type this protocol version defines.
bool is_core_message_type(std::string_view type);

struct ResumeRequest {
  std::string session_id;
  std::string resume_token;
  std::int64_t last_event_seq = 0;
  json::object to_json() const;
  static Result<ResumeRequest> from_json(const json::object& obj);
};

struct Hello {
  std::string client_name;
  std::string client_version;
  std::string auth_scheme = "bearer";
  std::string token;                   // secret: never logged
  std::optional<FeatureSet> features;  // absent = client sent no capabilities
  std::optional<ResumeRequest> resume;
  json::object to_json() const;
  static Result<Hello> from_json(const json::object& payload);
};

struct AgentInfo {
  std::string name;
  std::vector<std::string> versions;
  std::string default_version;  // empty = none advertised
  json::object to_json() const;
  static AgentInfo from_json(const json::object& obj);
};

struct Welcome {
  std::string runtime_name;
  std::string runtime_version;
  std::string resume_token;  // secret
  std::int64_t resume_window_sec = 600;
  std::optional<std::int64_t> heartbeat_interval_sec;
  FeatureSet features;
  std::vector<AgentInfo> agents;
  /// Present when `artifacts` was negotiated (rfc-0001 §16.3).
  std::optional<ArtifactCapabilities> artifacts;
  json::object to_json() const;
  static Result<Welcome> from_json(const json::object& payload);
};

struct Ping {
  std::string nonce;
  std::string sent_at;
  json::object to_json() const;
  static Result<Ping> from_json(const json::object& payload);
};

struct Pong {
  std::string ping_nonce;
  std::string received_at;
  json::object to_json() const;
  static Result<Pong> from_json(const json::object& payload);
};

}  // namespace arcp

namespace arcp {

/// `session.ack {last_processed_seq}` (§6.5).
struct Ack {
  std::int64_t last_processed_seq = 0;
  json::object to_json() const;
  static Result<Ack> from_json(const json::object& payload);
};

/// `session.list_jobs` filter (§6.6); every field optional.
struct ListJobsFilter {
  std::vector<std::string> status;  // job statuses
  std::string agent;
  std::string created_after;   // RFC 3339
  std::string created_before;  // RFC 3339
};

/// `session.list_jobs {filter?, limit?, cursor?}`.
struct ListJobs {
  ListJobsFilter filter;
  std::optional<std::int64_t> limit;
  std::string cursor;
  json::object to_json() const;
  /// Unknown statuses, bad times or a non-positive limit → INVALID_REQUEST.
  static Result<ListJobs> from_json(const json::object& payload);
};

/// `session.jobs {request_id, jobs[], next_cursor}`; entries stay JSON objects.
struct Jobs {
  std::string request_id;
  json::array jobs;
  std::string next_cursor;  // empty = null (last page)
  json::object to_json() const;
  static Result<Jobs> from_json(const json::object& payload);
};

/// `session.bye {reason?}` (v1.0 §6.4); `session.close`/`session.closed` carry `{}`.
struct Bye {
  std::string reason;
  json::object to_json() const;
  static Result<Bye> from_json(const json::object& payload);
};

}  // namespace arcp
