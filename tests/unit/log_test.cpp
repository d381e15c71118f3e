// Structured logs: the line shape, the level filter, and redaction of every
// key that names a secret.
#include <gtest/gtest.h>

#include <arcp/log.hpp>
#include <arcp/time.hpp>
#include <string>
#include <vector>

namespace arcp {
namespace {

json::object parse_line(std::string_view line) {
  auto v = parse_json(line);
  EXPECT_TRUE(v && v->is_object()) << line;
  return v && v->is_object() ? v->get_object() : json::object{};
}

TEST(Log, LevelNamesRoundTrip) {
  for (auto level : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError})
    EXPECT_EQ(parse_log_level(to_string(level)), level);
  EXPECT_EQ(parse_log_level("WARNING"), LogLevel::kWarn);
  EXPECT_FALSE(parse_log_level("verbose"));
}

TEST(Log, ALineIsOneJsonObjectWithTsLevelEventFirst) {
  std::vector<std::string> lines;
  Logger logger([&](std::string_view l) { lines.emplace_back(l); }, LogLevel::kDebug);
  logger.log(LogLevel::kInfo, "job.ended",
             json::object{{"job_id", "job_1"}, {"event", "spoofed"}, {"duration_ms", 12}});
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0].find('\n'), std::string::npos);
  EXPECT_EQ(lines[0].rfind("{\"ts\":\"", 0), 0U) << lines[0];
  auto o = parse_line(lines[0]);
  EXPECT_TRUE(parse_rfc3339(std::string(o.at("ts").as_string())));
  EXPECT_EQ(o.at("level"), "info");
  EXPECT_EQ(o.at("event"), "job.ended");  // a field cannot overwrite it
  EXPECT_EQ(o.at("job_id"), "job_1");
  EXPECT_EQ(o.at("duration_ms"), 12);
}

TEST(Log, TheLevelFilterDropsLinesBelowIt) {
  std::vector<std::string> lines;
  Logger logger([&](std::string_view l) { lines.emplace_back(l); }, LogLevel::kWarn);
  logger.log(LogLevel::kDebug, "a");
  logger.log(LogLevel::kInfo, "b");
  logger.log(LogLevel::kWarn, "c");
  logger.log(LogLevel::kError, "d");
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(parse_line(lines[0]).at("event"), "c");
  EXPECT_EQ(parse_line(lines[1]).at("event"), "d");
  EXPECT_FALSE(logger.enabled(LogLevel::kInfo));
}

TEST(Log, RedactReplacesSecretsAtAnyDepthWhateverTheirCase) {
  json::object in{
      {"Token", "t1"},
      {"resume_token", "t2"},
      {"AUTHORIZATION", "Bearer t3"},
      {"password", "t4"},
      {"api-key", "t5"},
      {"master_key", "t6"},
      {"private_key", "t7"},
      {"client_secret", "t8"},
      {"nested", json::object{{"auth", json::object{{"token", "t9"}}}}},
      {"credential", json::object{{"id", "cred_1"}, {"value", "t10"}, {"key", "t11"}}},
      {"credentials", json::array{json::object{{"id", "cred_2"}, {"value", "t12"}}}},
      {"list", json::array{json::object{{"secret", "t13"}}}},
      {"credential_id", "cred_3"},
      {"principal", "alice"},
      {"value", 3},
      {"idempotency_key", "k1"},
  };
  std::string out = json::serialize(redact(in));
  for (int i = 1; i <= 13; ++i) {
    std::string secret = "\"t" + std::to_string(i) + "\"";
    EXPECT_EQ(out.find(secret), std::string::npos) << secret << " in " << out;
  }
  for (const char* kept : {"cred_1", "cred_2", "cred_3", "alice", "k1"})
    EXPECT_NE(out.find(kept), std::string::npos) << kept << " missing from " << out;
  auto o = redact(in);
  EXPECT_EQ(o.at("Token"), "[redacted]");
  EXPECT_EQ(o.at("value"), 3);  // a value outside a credential is not a secret
}

TEST(Log, EveryFormattedLineIsRedacted) {
  auto line = format_log_line(std::nullopt, "auth.failure",
                              json::object{{"token", "sk-live-123"}, {"reason", "unknown_token"}});
  EXPECT_EQ(line.find("sk-live-123"), std::string::npos);
  auto o = parse_line(line);
  EXPECT_FALSE(o.contains("level"));  // the audit shape: ts and event
  EXPECT_EQ(o.at("event"), "auth.failure");
}

}  // namespace
}  // namespace arcp
