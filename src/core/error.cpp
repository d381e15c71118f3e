#include <arcp/error.hpp>
#include <array>

namespace arcp {
namespace {
struct CodeName {
  ErrorCode code;
  std::string_view name;
};
constexpr std::array<CodeName, 15> kCodes{{
    {ErrorCode::kPermissionDenied, "PERMISSION_DENIED"},
    {ErrorCode::kLeaseSubsetViolation, "LEASE_SUBSET_VIOLATION"},
    {ErrorCode::kJobNotFound, "JOB_NOT_FOUND"},
    {ErrorCode::kDuplicateKey, "DUPLICATE_KEY"},
    {ErrorCode::kAgentNotAvailable, "AGENT_NOT_AVAILABLE"},
    {ErrorCode::kAgentVersionNotAvailable, "AGENT_VERSION_NOT_AVAILABLE"},
    {ErrorCode::kCancelled, "CANCELLED"},
    {ErrorCode::kTimeout, "TIMEOUT"},
    {ErrorCode::kResumeWindowExpired, "RESUME_WINDOW_EXPIRED"},
    {ErrorCode::kHeartbeatLost, "HEARTBEAT_LOST"},
    {ErrorCode::kLeaseExpired, "LEASE_EXPIRED"},
    {ErrorCode::kBudgetExhausted, "BUDGET_EXHAUSTED"},
    {ErrorCode::kInvalidRequest, "INVALID_REQUEST"},
    {ErrorCode::kUnauthenticated, "UNAUTHENTICATED"},
    {ErrorCode::kInternalError, "INTERNAL_ERROR"},
}};
}  // namespace

std::string_view to_string(ErrorCode code) {
  for (const auto& c : kCodes)
    if (c.code == code) return c.name;
  return "INTERNAL_ERROR";
}

std::optional<ErrorCode> error_code_from_string(std::string_view text) {
  for (const auto& c : kCodes)
    if (c.name == text) return c.code;
  return std::nullopt;
}

bool default_retryable(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInternalError:
    case ErrorCode::kTimeout:
    case ErrorCode::kHeartbeatLost:
      return true;
    default:
      return false;
  }
}

Error::Error(ErrorCode c, std::string msg)
    : code(c), message(std::move(msg)), retryable(default_retryable(c)) {}

Error::Error(ErrorCode c, std::string msg, json::object det)
    : code(c), message(std::move(msg)), retryable(default_retryable(c)), details(std::move(det)) {}

json::object Error::to_json() const {
  json::object o;
  o["code"] = to_string(code);
  o["message"] = message;
  // §12 fixes these regardless of what a caller set.
  bool r = retryable;
  if (code == ErrorCode::kLeaseExpired || code == ErrorCode::kBudgetExhausted) r = false;
  if (code == ErrorCode::kInternalError) r = true;
  o["retryable"] = r;
  if (!details.empty()) o["details"] = details;
  return o;
}

Error Error::from_json(const json::object& payload) {
  Error e;
  const auto* code = get_string(payload, "code");
  const auto* msg = get_string(payload, "message");
  if (const auto* det = get_object(payload, "details")) e.details = *det;
  auto known = code ? error_code_from_string(*code) : std::nullopt;
  if (known) {
    e.code = *known;
  } else {
    e.code = ErrorCode::kInternalError;
    e.details["original_code"] = code ? json::value(*code) : json::value(nullptr);
  }
  e.message = msg ? std::string(*msg) : std::string();
  auto r = get_bool(payload, "retryable");
  e.retryable = r ? *r : default_retryable(e.code);
  return e;
}

std::string Error::describe() const {
  return std::string(to_string(code)) + ": " + message;
}

}  // namespace arcp
