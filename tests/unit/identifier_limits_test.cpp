// kMaxIdentifierBytes (§14): every identifier the runtime keeps or echoes is
// accepted at the limit and refused one byte over, with INVALID_REQUEST naming
// the field and the limit and never echoing the oversize value.
#include <gtest/gtest.h>

#include <arcp/envelope.hpp>
#include <arcp/job_messages.hpp>
#include <arcp/lease.hpp>
#include <arcp/session_messages.hpp>
#include <functional>
#include <string>
#include <vector>

namespace arcp {
namespace {

const SystemTime kNow = std::chrono::system_clock::now();

json::object obj(const std::string& text) {
  auto v = parse_json(text);
  return v && v->is_object() ? v->get_object() : json::object{};
}

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

// The value of `n` bytes a field is tested with (valid apart from its length).
std::string filler(std::size_t n) {
  return std::string(n, 'k');
}

struct CappedField {
  std::string field;  // as the error names it
  std::function<std::string(std::size_t)> value = filler;
  // Decodes a message carrying `value` in the field; returns its error, if any.
  std::function<Result<void>(const std::string& value)> decode;
};

template <typename T>
Result<void> status_of(const Result<T>& r) {
  if (r.ok()) return {};
  return r.error();
}

std::string envelope_with(const std::string& key, const std::string& value) {
  json::object o{
      {"arcp", "1.1"}, {"id", "msg_1"}, {"type", "session.ping"}, {"payload", json::object{}}};
  o[key] = value;
  return json::serialize(o);
}

std::vector<CappedField> capped_fields() {
  auto letters = [](std::size_t n) { return std::string(n, 'a'); };
  return {
      {"envelope id", filler,
       [](const std::string& v) { return status_of(decode_envelope(envelope_with("id", v))); }},
      {"envelope type", filler,
       [](const std::string& v) { return status_of(decode_envelope(envelope_with("type", v))); }},
      {"envelope session_id", filler,
       [](const std::string& v) {
         return status_of(decode_envelope(envelope_with("session_id", v)));
       }},
      {"envelope job_id", filler,
       [](const std::string& v) { return status_of(decode_envelope(envelope_with("job_id", v))); }},
      {"resume.session_id", filler,
       [](const std::string& v) {
         return status_of(ResumeRequest::from_json(
             json::object{{"session_id", v}, {"resume_token", "rt_1"}, {"last_event_seq", 0}}));
       }},
      {"resume.resume_token", filler,
       [](const std::string& v) {
         // Inside a hello, as clients send it.
         return status_of(Hello::from_json(
             obj(R"({"auth":{"scheme":"bearer","token":"t"},"resume":{"session_id":"sess_1",)"
                 R"("resume_token":)" +
                 quoted(v) + "}}")));
       }},
      {"session.ping nonce", filler,
       [](const std::string& v) {
         return status_of(Ping::from_json(json::object{{"nonce", v}}));
       }},
      {"session.pong ping_nonce", filler,
       [](const std::string& v) {
         return status_of(Pong::from_json(json::object{{"ping_nonce", v}}));
       }},
      {"list_jobs.cursor", filler,
       [](const std::string& v) {
         return status_of(ListJobs::from_json(json::object{{"cursor", v}}));
       }},
      {"list_jobs.filter.agent", filler,
       [](const std::string& v) {
         return status_of(
             ListJobs::from_json(json::object{{"filter", json::object{{"agent", v}}}}));
       }},
      {"job.submit agent", letters,
       [](const std::string& v) {
         return status_of(SubmitRequest::from_json(json::object{{"agent", v}}, kNow));
       }},
      {"job.submit idempotency_key", filler,
       [](const std::string& v) {
         return status_of(SubmitRequest::from_json(
             json::object{{"agent", "echo"}, {"idempotency_key", v}}, kNow));
       }},
      {"job.cancel job_id", filler,
       [](const std::string& v) {
         return status_of(Cancel::from_json(json::object{{"job_id", v}}, ""));
       }},
      {"job.cancel job_id", filler,
       [](const std::string& v) { return status_of(Cancel::from_json(json::object{}, v)); }},
      {"job.subscribe job_id", filler,
       [](const std::string& v) {
         return status_of(Subscribe::from_json(json::object{{"job_id", v}}));
       }},
      {"job.unsubscribe job_id", filler,
       [](const std::string& v) {
         return status_of(Unsubscribe::from_json(json::object{{"job_id", v}}));
       }},
      {"lease capability name", [](std::size_t n) { return "x-vendor." + std::string(n - 9, 'c'); },
       [](const std::string& v) {
         return validate_lease(json::object{{v, json::array{"*"}}});
       }},
  };
}

TEST(IdentifierLimits, LimitIs256Bytes) {
  EXPECT_EQ(kMaxIdentifierBytes, 256U);
}

TEST(IdentifierLimits, EveryCappedFieldAcceptsTheLimitAndRefusesOneByteMore) {
  for (const auto& f : capped_fields()) {
    SCOPED_TRACE(f.field);
    std::string at_limit = f.value(kMaxIdentifierBytes);
    ASSERT_EQ(at_limit.size(), kMaxIdentifierBytes);
    auto ok = f.decode(at_limit);
    EXPECT_TRUE(ok.ok()) << ok.error().describe();

    std::string over = f.value(kMaxIdentifierBytes + 1);
    auto refused = f.decode(over);
    ASSERT_FALSE(refused.ok());
    const Error& e = refused.error();
    EXPECT_EQ(e.code, ErrorCode::kInvalidRequest);
    EXPECT_NE(e.message.find(f.field), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("257 bytes"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("limited to 256 bytes"), std::string::npos) << e.message;
    EXPECT_EQ(e.details.at("field"), json::value(f.field));
    EXPECT_EQ(e.details.at("max_bytes"), json::value(256));
    // The oversize value is never sent back, in any part of the error.
    std::string wire = json::serialize(e.to_json());
    EXPECT_EQ(wire.find(over.substr(over.size() - 100)), std::string::npos) << wire.size();
    EXPECT_LT(wire.size(), 400U);
  }
}

TEST(IdentifierLimits, OversizeEnvelopeIdIsNotEchoedAsRequestId) {
  auto r = decode_envelope(envelope_with("id", std::string(4096, 'i')));
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(r.error().details.contains("request_id"));
  EXPECT_EQ(r.error().details.at("field"), "envelope id");
}

TEST(IdentifierLimits, OtherOversizeEnvelopeFieldsKeepTheRequestId) {
  for (const char* key : {"type", "session_id", "job_id", "trace_id"}) {
    SCOPED_TRACE(key);
    auto r = decode_envelope(envelope_with(key, std::string(300, 'a')));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().details.at("request_id"), "msg_1");
    EXPECT_EQ(r.error().details.at("field"), json::value("envelope " + std::string(key)));
  }
}

TEST(IdentifierLimits, OversizeTraceIdAndVersionAreNotEchoed) {
  auto trace = decode_envelope(envelope_with("trace_id", std::string(257, 'f')));
  ASSERT_FALSE(trace.ok());
  EXPECT_EQ(trace.error().details.at("field"), "envelope trace_id");

  auto version = decode_envelope(envelope_with("arcp", std::string(257, '9')));
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.error().details.at("field"), "envelope arcp");
  EXPECT_EQ(version.error().message.find("999999"), std::string::npos);
  // A short unknown version is still named, as before.
  auto short_version = decode_envelope(envelope_with("arcp", "2.0"));
  ASSERT_FALSE(short_version.ok());
  EXPECT_NE(short_version.error().message.find("'2.0'"), std::string::npos);
}

TEST(IdentifierLimits, OversizeBudgetAmountIsNotEchoed) {
  auto r = validate_lease(json::object{{"cost.budget", json::array{std::string(5000, '1')}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(r.error().message.find("11111111"), std::string::npos) << r.error().message;
  auto short_bad = validate_lease(json::object{{"cost.budget", json::array{"USD"}}});
  ASSERT_FALSE(short_bad.ok());
  EXPECT_NE(short_bad.error().message.find("'USD'"), std::string::npos);
}

TEST(IdentifierLimits, CheckIdentifierMeasuresBytesNotCharacters) {
  std::string euro;  // U+20AC is three bytes in UTF-8
  for (int i = 0; i < 85; ++i) euro += "\xE2\x82\xAC";
  EXPECT_TRUE(check_identifier("x", euro).ok());  // 255 bytes
  euro += "\xE2\x82\xAC";                         // 258 bytes, 86 characters
  EXPECT_FALSE(check_identifier("x", euro).ok());
}

}  // namespace
}  // namespace arcp

namespace arcp {
namespace {

TEST(IdentifierLimits, CancelReasonIsCappedAt1KiBAndNotEchoed) {
  std::string at_limit(kMaxCancelReasonBytes, 'r');
  auto ok = Cancel::from_json(json::object{{"reason", at_limit}}, "job_A");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->reason, at_limit);
  auto over = Cancel::from_json(json::object{{"reason", at_limit + "r"}}, "job_A");
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(over.error().message.find(at_limit), std::string::npos);
  EXPECT_EQ(over.error().details.at("max_bytes").as_int64(), 1024);
}

}  // namespace
}  // namespace arcp
