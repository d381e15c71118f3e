// §12 error taxonomy and the Error / Result value types.
#include <gtest/gtest.h>

#include <arcp/error.hpp>
#include <set>
#include <string>
#include <vector>

namespace arcp {
namespace {

const std::vector<std::pair<ErrorCode, std::string>>& all_codes() {
  static const std::vector<std::pair<ErrorCode, std::string>> kAll{
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
  };
  return kAll;
}

TEST(Error, FifteenCodesRoundTripThroughStrings) {
  ASSERT_EQ(all_codes().size(), 15u);
  std::set<std::string> distinct;
  for (const auto& [code, name] : all_codes()) {
    EXPECT_EQ(to_string(code), name);
    auto back = error_code_from_string(name);
    ASSERT_TRUE(back.has_value()) << name;
    EXPECT_EQ(*back, code);
    distinct.insert(std::string(to_string(code)));
  }
  EXPECT_EQ(distinct.size(), 15u);
}

TEST(Error, CodesOutsideTheTaxonomyAreNotRecognised) {
  for (const char* s : {"", "permission_denied", "Permission_Denied", "NOT_FOUND", "UNAUTHORIZED",
                        "INTERNAL_ERROR ", "RATE_LIMITED", "x-vendor.oops"})
    EXPECT_FALSE(error_code_from_string(s).has_value()) << s;
}

TEST(Error, DefaultRetryabilityFollowsSection12) {
  EXPECT_FALSE(default_retryable(ErrorCode::kLeaseExpired));
  EXPECT_FALSE(default_retryable(ErrorCode::kBudgetExhausted));
  EXPECT_TRUE(default_retryable(ErrorCode::kInternalError));
  EXPECT_FALSE(default_retryable(ErrorCode::kInvalidRequest));
  EXPECT_FALSE(default_retryable(ErrorCode::kPermissionDenied));
  EXPECT_FALSE(default_retryable(ErrorCode::kUnauthenticated));
  // Constructors take the default.
  EXPECT_TRUE(Error(ErrorCode::kInternalError, "x").retryable);
  EXPECT_FALSE(Error(ErrorCode::kLeaseExpired, "x").retryable);
}

TEST(Error, ToJsonHasCodeMessageRetryableAndOmitsEmptyDetails) {
  Error e(ErrorCode::kPermissionDenied, "write to /etc/passwd denied");
  json::object o = e.to_json();
  EXPECT_EQ(o.at("code"), "PERMISSION_DENIED");
  EXPECT_EQ(o.at("message"), "write to /etc/passwd denied");
  EXPECT_EQ(o.at("retryable"), false);
  EXPECT_FALSE(o.contains("details"));
  EXPECT_EQ(o.size(), 3u);

  Error d(ErrorCode::kInvalidRequest, "bad", json::object{{"request_id", "msg_1"}});
  json::object od = d.to_json();
  ASSERT_TRUE(od.contains("details"));
  EXPECT_EQ(od.at("details").at("request_id"), "msg_1");
}

TEST(Error, LeaseExpiredAndBudgetExhaustedAreNeverRetryableOnTheWire) {
  for (ErrorCode c : {ErrorCode::kLeaseExpired, ErrorCode::kBudgetExhausted}) {
    Error e(c, "no");
    e.retryable = true;  // a caller's mistake
    EXPECT_EQ(e.to_json().at("retryable"), false) << to_string(c);
  }
}

TEST(Error, InternalErrorIsAlwaysRetryableOnTheWire) {
  Error e(ErrorCode::kInternalError, "boom");
  e.retryable = false;
  EXPECT_EQ(e.to_json().at("retryable"), true);
}

TEST(Error, CallerChosenRetryableIsKeptForOtherCodes) {
  Error e(ErrorCode::kPermissionDenied, "x");
  e.retryable = true;
  EXPECT_EQ(e.to_json().at("retryable"), true);
}

TEST(Error, FromJsonReadsEveryKnownCode) {
  for (const auto& [code, name] : all_codes()) {
    Error e = Error::from_json(Error(code, "m").to_json());
    EXPECT_EQ(e.code, code) << name;
    EXPECT_EQ(e.message, "m");
    EXPECT_FALSE(e.details.contains("original_code"));
  }
}

TEST(Error, FromJsonMapsUnknownCodeToInternalErrorKeepingOriginal) {
  json::object payload{{"code", "RATE_LIMITED"},
                       {"message", "slow down"},
                       {"retryable", true},
                       {"details", json::object{{"retry_after", 5}}}};
  Error e = Error::from_json(payload);
  EXPECT_EQ(e.code, ErrorCode::kInternalError);
  EXPECT_EQ(e.message, "slow down");
  EXPECT_TRUE(e.retryable);
  EXPECT_EQ(e.details.at("original_code"), "RATE_LIMITED");
  EXPECT_EQ(e.details.at("retry_after"), 5);
}

TEST(Error, FromJsonWithMissingOrNonStringCodeIsInternalError) {
  Error missing = Error::from_json(json::object{{"message", "?"}});
  EXPECT_EQ(missing.code, ErrorCode::kInternalError);
  EXPECT_TRUE(missing.details.contains("original_code"));
  Error numeric = Error::from_json(json::object{{"code", 42}});
  EXPECT_EQ(numeric.code, ErrorCode::kInternalError);
  EXPECT_TRUE(numeric.retryable);
}

TEST(Error, FromJsonDefaultsRetryableFromCodeWhenAbsent) {
  EXPECT_FALSE(Error::from_json(json::object{{"code", "LEASE_EXPIRED"}}).retryable);
  EXPECT_TRUE(Error::from_json(json::object{{"code", "INTERNAL_ERROR"}}).retryable);
  EXPECT_TRUE(
      Error::from_json(json::object{{"code", "JOB_NOT_FOUND"}, {"retryable", true}}).retryable);
}

TEST(Error, DescribeIsCodeColonMessage) {
  EXPECT_EQ(Error(ErrorCode::kJobNotFound, "job_1 is gone").describe(),
            "JOB_NOT_FOUND: job_1 is gone");
}

TEST(Result, HoldsValueOrError) {
  Result<int> ok = 5;
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(static_cast<bool>(ok));
  EXPECT_EQ(*ok, 5);
  Result<int> bad = Error(ErrorCode::kTimeout, "late");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kTimeout);

  Result<std::string> s = "abc";  // converting constructor
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->size(), 3u);
  EXPECT_EQ(std::move(s).value(), "abc");

  Result<void> v;
  EXPECT_TRUE(v.ok());
  Result<void> ve = Error(ErrorCode::kCancelled, "stop");
  ASSERT_FALSE(ve.ok());
  EXPECT_EQ(ve.error().code, ErrorCode::kCancelled);
}

}  // namespace
}  // namespace arcp
