// The §12 error taxonomy and the value type errors travel as across the API.
#pragma once

#include <arcp/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace arcp {

/// Exactly the 15 canonical codes of §12.
enum class ErrorCode {
  kPermissionDenied,
  kLeaseSubsetViolation,
  kJobNotFound,
  kDuplicateKey,
  kAgentNotAvailable,
  kAgentVersionNotAvailable,
  kCancelled,
  kTimeout,
  kResumeWindowExpired,
  kHeartbeatLost,
  kLeaseExpired,
  kBudgetExhausted,
  kInvalidRequest,
  kUnauthenticated,
  kInternalError,
};

std::string_view to_string(ErrorCode code);
/// Maps a wire string to a code; nullopt for codes outside §12.
std::optional<ErrorCode> error_code_from_string(std::string_view text);
/// §12: LEASE_EXPIRED/BUDGET_EXHAUSTED are never retryable, INTERNAL_ERROR always is.
bool default_retryable(ErrorCode code);

/// An ARCP error: `{code, message, retryable, details?}` on the wire.
struct Error {
  ErrorCode code = ErrorCode::kInternalError;
  std::string message;
  bool retryable = false;
  json::object details;

  Error() = default;
  Error(ErrorCode c, std::string msg);
  Error(ErrorCode c, std::string msg, json::object det);

  /// Wire payload `{code, message, retryable, details?}`.
  json::object to_json() const;
  /// Reads a peer's error payload. Unknown codes become INTERNAL_ERROR with the
  /// original kept in `details.original_code` (DESIGN §1).
  static Error from_json(const json::object& payload);

  std::string describe() const;  // "CODE: message"
};

/// Minimal expected-like result: a value or an Error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value)
      : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  /// Anything T can be built from (e.g. a json::object for Result<json::value>).
  template <typename U>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
           !std::is_same_v<std::decay_t<U>, Error> && !std::is_same_v<std::decay_t<U>, Result>)
      Result(U&& value)  // NOLINT(google-explicit-constructor)
      : v_(std::in_place_index<0>, T(std::forward<U>(value))) {}
  Result(Error error)
      : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }
  T&& operator*() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

}  // namespace arcp
